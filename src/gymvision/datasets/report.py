"""Self-contained HTML reports (tables + inline PNG figures) for split and evaluate."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{display:inline-block;margin:0 1.5rem 1rem 0}.big b{display:block;font-size:1.8rem}
.bad{color:#b00}.ok{color:#070}.muted{color:#777;font-size:.85rem}
figure{display:inline-block;margin:.3rem;text-align:center;font-size:.8rem;vertical-align:top}
img.thumb{max-width:180px;max-height:180px;display:block}
"""


def esc(v: Any) -> str:
    return html.escape(str(v))


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    def cell(c: Any) -> str:
        num = isinstance(c, int | float) and not isinstance(c, bool)
        return f'<td class="n">{esc(fmt(c))}</td>' if num else f"<td>{esc(fmt(c))}</td>"

    body = "".join("<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def png_tag(png: bytes, alt: str = "", cls: str = "") -> str:
    data = base64.b64encode(png).decode("ascii")
    c = f' class="{cls}"' if cls else ""
    return f'<img{c} alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def big_numbers(pairs: Sequence[tuple[str, Any]]) -> str:
    return "".join(f'<span class="big"><b>{esc(fmt(v))}</b>{esc(k)}</span>' for k, v in pairs)


def items_list(lines: Sequence[str], limit: int = 200) -> str:
    if not lines:
        return '<p class="ok">none</p>'
    more = f"<li>… and {len(lines) - limit} more</li>" if len(lines) > limit else ""
    return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines[:limit]) + more + "</ul>"


def page(title: str, sections: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<h2>{esc(h)}</h2>{content}" if h else content for h, content in sections)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>{body}</body></html>")


def split_report_html(report: dict[str, Any]) -> str:
    splits = list(report["totals"])
    rows = [[c, v, *[n[s] for s in splits], sum(n.values())]
            for c, views in report["counts"].items() for v, n in views.items()]
    rows.append(["total", "", *[report["totals"][s] for s in splits], sum(report["totals"].values())])
    leaks = report["leaks_remaining"]
    sections = [
        ("", big_numbers([("files added", report["added"]),
                          ("duplicates dropped", report["duplicates_dropped"]),
                          ("leaks prevented", report["leaks_prevented"]),
                          ("leaks remaining", len(leaks))])),
        ("Counts per class × view × split", table(["class", "view", *splits, "all"], rows)),
        ("Near-duplicates dropped", table(["dropped", "kept", "distance"],
                                          [[d["dropped"], d["kept"], d["distance"]]
                                           for d in report["duplicates"]])),
        ("Near-duplicate videos kept in one split", table(
            ["video / frame", "joined", "distance"],
            [[d["dropped"], d["kept"], d["distance"]] for d in report.get("near_duplicates_grouped", [])])),
        ("Near-duplicates with different labels (kept, in one split: check the labels)", table(
            ["file", "looks like", "distance"],
            [[d["dropped"], d["kept"], d["distance"]] for d in report.get("label_conflicts", [])])),
        ("Kept together (leak guard)",
         f"<p>{report['grouped_files']} file(s) placed with other frames of their video / files of the "
         "same stem.</p><p>Stems found in more than one split of the source:</p>"
         + items_list(report["source_split_conflicts"])
         + "<p>New files pinned to the split that already holds their stem:</p>"
         + items_list(report["pinned_to_existing_split"])),
        ("Leaks remaining (independent check)", items_list(leaks)),
        ("Problems", items_list(report["problems"])),
    ]
    return page("GymVision data-set split", sections)
