"""Evaluate the pipeline on a labelled folder: classification, box mAP, rep counts; HTML + JSON report."""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..exercises import EXERCISES, normalise_name
from ..results import AnalysisResult
from . import report as html
from .layout import Dataset
from .metrics import (
    BoxSet,
    Classification,
    MapResult,
    RepMetrics,
    classification_metrics,
    coco_map,
    rep_metrics,
)
from .split import Tracker, no_track

log = logging.getLogger(__name__)

Analyze = Callable[[Path, str | None], AnalysisResult]
#: The original YOLOv8s detector on its own validation set (for comparison in the report).
ORIGINAL_MAP = {"map50": 0.85, "map50_95": 0.53}


@dataclass
class CountRow:
    file: str
    exercise: str | None
    reps: int


@dataclass
class EvalItem:
    file: str
    kind: str
    truth: str | None
    pred: str = "unknown"
    confidence: float = 0.0
    error: str | None = None
    view: str = "unknown"  # camera view estimated from the poses (front/side/back × upright/lying)


@dataclass
class EvalReport:
    data: str
    classification: Classification
    map_class: MapResult | None
    map_person: MapResult | None
    reps: RepMetrics | None
    items: list[EvalItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["original_detector"] = ORIGINAL_MAP
        d["accuracy_by_view"] = {k: {"n": n, "top1": a} for k, n, a in accuracy_by(self.items, "view")}
        d["accuracy_by_kind"] = {k: {"n": n, "top1": a} for k, n, a in accuracy_by(self.items, "kind")}
        return d


def result_view(res: AnalysisResult) -> str:
    """Most common camera view over the result's poses ("unknown" without any)."""
    from collections import Counter

    from .views import UNKNOWN_VIEW, estimate_view

    views = [estimate_view(p) for _, p in (res.poses or []) if p is not None]
    views = [v for v in views if v != UNKNOWN_VIEW]
    return Counter(views).most_common(1)[0][0] if views else UNKNOWN_VIEW


def accuracy_by(items: Sequence[EvalItem], key: str) -> list[tuple[str, int, float]]:
    """(value, n, top-1) per value of ``key`` ("view" or "kind") over scored items."""
    groups: dict[str, list[bool]] = {}
    for i in items:
        if i.truth is not None and i.error is None:
            groups.setdefault(str(getattr(i, key)), []).append(i.pred == i.truth)
    return [(k, len(v), float(np.mean(v))) for k, v in sorted(groups.items())]


def read_counts(path: Path) -> tuple[list[CountRow], list[str]]:
    """Rows of ``counts.csv`` (columns ``file, exercise, reps``; a header row is optional)."""
    rows: list[CountRow] = []
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{path}: cannot read ({exc})"]
    for no, rec in enumerate(csv.reader(io.StringIO(text)), 1):
        if not rec or not "".join(rec).strip() or rec[0].strip().startswith("#"):
            continue
        if no == 1 and rec[0].strip().lower() == "file":
            continue
        if len(rec) < 3:
            problems.append(f"{path}:{no}: expected 'file,exercise,reps', got {rec}")
            continue
        try:
            reps = int(float(rec[2]))
            exercise = normalise_name(rec[1]) if rec[1].strip() else None
        except ValueError as exc:
            problems.append(f"{path}:{no}: {exc}")
            continue
        if reps < 0:
            problems.append(f"{path}:{no}: negative rep count")
            continue
        rows.append(CountRow(rec[0].strip(), exercise, reps))
    return rows, problems


def evaluate_dataset(ds: Dataset, analyze: Analyze, *, counts: Sequence[CountRow] = (),
                     count_with_truth: bool = False, track: Tracker = no_track) -> EvalReport:
    """Run ``analyze`` on every labelled file (and every video in ``counts``) and score it."""
    t0 = time.perf_counter()
    problems = list(ds.problems)
    cache: dict[tuple[Path, str | None], AnalysisResult] = {}

    def run(path: Path, exercise: str | None = None) -> AnalysisResult:
        key = (path.resolve(), exercise)
        if key not in cache:
            try:
                cache[key] = analyze(path, exercise)
            except Exception as exc:  # the analyser should not raise; never stop the evaluation
                log.exception("analysis failed for %s", path)
                cache[key] = AnalysisResult.failure(str(path), "image", f"{type(exc).__name__}: {exc}")
        return cache[key]

    todo = [s for s in ds.samples if s.label is not None or (s.label_path is not None and s.kind == "image")]
    items: list[EvalItem] = []
    gt_boxes: list[BoxSet] = []
    det_boxes: list[BoxSet] = []
    for s in track(todo, "Evaluating", len(todo)):
        res = run(s.path)
        item = EvalItem(s.rel, s.kind, s.label, res.exercise, float(res.confidence), res.error,
                        result_view(res))
        if res.error:
            problems.append(f"{s.path}: {res.error}")
        items.append(item)
        if ds.layout == "yolo" and s.kind == "image" and not res.error and res.width and res.height:
            w, h = res.width, res.height
            gt_boxes.append(BoxSet(s.rel, w, h, [b.xyxy(w, h) for b in s.boxes], [b.label for b in s.boxes]))
            det_boxes.append(BoxSet(s.rel, w, h, [tuple(d.bbox) for d in res.detections],
                                    [d.label for d in res.detections],
                                    [float(d.confidence) for d in res.detections]))
    scored = [i for i in items if i.truth is not None and i.error is None]
    labels = [e for e in EXERCISES if any(i.truth == e for i in scored)]
    cls = classification_metrics([i.truth for i in scored], [i.pred for i in scored],  # type: ignore[misc]
                                 labels)
    map_class = map_person = None
    if gt_boxes:
        map_class = coco_map(gt_boxes, det_boxes)
        map_person = coco_map(gt_boxes, det_boxes, class_agnostic=True)
    reps = None
    if counts:
        rows = []
        for c in track(list(counts), "Counting reps", len(counts)):
            path = Path(c.file) if Path(c.file).is_absolute() else ds.root / c.file
            if not path.is_file():
                problems.append(f"{path}: listed in counts.csv but not found")
                continue
            res = run(path, c.exercise if count_with_truth else None)
            if res.error:
                problems.append(f"{path}: {res.error}")
                continue
            rows.append((c.file, c.reps, int(res.reps or 0)))
        reps = rep_metrics(rows)
    return EvalReport(str(ds.root), cls, map_class, map_person, reps, items, problems,
                      time.perf_counter() - t0)


# ---------------------------------------------------------------- figures and HTML

def confusion_png(c: Classification) -> bytes:
    """The confusion matrix as a PNG (rows: truth, columns: prediction; counts, row-normalised colour)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.array(c.confusion, dtype=float).reshape(len(c.labels), len(c.predicted_labels))
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1.2 + 0.8 * len(c.predicted_labels), 1.0 + 0.7 * max(1, len(c.labels))),
                           dpi=100)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, int(cm[i, j]), ha="center", va="center",
                    color="white" if norm[i, j] > 0.6 else "black", fontsize=9)
    ax.set_xticks(range(len(c.predicted_labels)), c.predicted_labels, rotation=35, ha="right")
    ax.set_yticks(range(len(c.labels)), c.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"top-1 accuracy {c.accuracy:.1%} (n={c.n})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _map_rows(r: EvalReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for name, m in (("exercise boxes (class-aware, as a YOLO detector)", r.map_class),
                    ("person boxes (class-agnostic)", r.map_person)):
        if m is not None:
            rows.append([name, m.map50, m.map50_95, m.images, m.ground_truth, m.detections])
    rows.append(["original GymVision YOLOv8s (its own val set)", ORIGINAL_MAP["map50"],
                 ORIGINAL_MAP["map50_95"], None, None, None])
    return rows


def thumbnails(root: str, items: Sequence[EvalItem], limit: int = 24, side: int = 160) -> str:
    """Small pictures of (mis)classified files with "true → predicted" captions."""
    from PIL import Image

    from .hashing import MediaError, load_rgb

    figs = []
    for it in items[:limit]:
        try:
            im = Image.fromarray(load_rgb(Path(root) / it.file))
        except (MediaError, OSError):
            continue
        im.thumbnail((side, side))
        buf = io.BytesIO()
        im.save(buf, "PNG")
        figs.append(f"<figure>{html.png_tag(buf.getvalue(), it.file, 'thumb')}<figcaption>"
                    f"{html.esc(it.file)}<br>{html.esc(it.truth)} → <b>{html.esc(it.pred)}</b> "
                    f"{it.confidence:.2f}</figcaption></figure>")
    return "<div>" + "".join(figs) + "</div>" if figs else ""


def report_html(r: EvalReport, confusion: bytes | None = None) -> str:
    c = r.classification
    head = [("top-1 accuracy", f"{c.accuracy:.1%}"), ("macro F1", c.macro_f1), ("files", c.n)]
    if r.map_class:
        head += [("mAP@50", r.map_class.map50), ("mAP@50:95", r.map_class.map50_95)]
    if r.reps:
        head += [("rep MAE (norm.)", r.reps.mae), ("rep OBO", r.reps.obo)]
    sections: list[tuple[str, str]] = [
        ("", f'<p class="muted">data: {html.esc(r.data)} · model: {html.esc(r.model or "shipped")} · '
             f"{r.seconds:.1f} s</p>" + html.big_numbers(head)),
        ("Per class", html.table(["class", "precision", "recall", "F1", "support"],
                                 [[m.label, m.precision, m.recall, m.f1, m.support] for m in c.per_class])),
    ]
    if confusion:
        sections.append(("Confusion matrix", html.png_tag(confusion, "confusion matrix")))
    by_view, by_kind = accuracy_by(r.items, "view"), accuracy_by(r.items, "kind")
    if by_view:
        sections.append(("Top-1 by camera view and by kind",
                         html.table(["view", "files", "top-1"], [list(x) for x in by_view])
                         + html.table(["kind", "files", "top-1"], [list(x) for x in by_kind])))
    if r.map_class or r.map_person:
        per = r.map_class.per_class_ap50 if r.map_class else {}
        sections.append(("Boxes (COCO mAP, pycocotools)",
                         html.table(["boxes", "mAP@50", "mAP@50:95", "images", "labelled", "detected"],
                                    _map_rows(r))
                         + html.table(["class", "AP@50"], [[k, v] for k, v in per.items()])))
    if r.reps:
        sections.append(("Rep counting", html.table(
            ["video", "true", "counted", "error"],
            [[f, t, p, p - t] for f, t, p in r.reps.rows]) + html.table(
            ["videos", "MAE (normalised)", "OBO", "mean |error| (reps)"],
            [[r.reps.n, r.reps.mae, r.reps.obo, r.reps.abs_error]])))
    wrong = [i for i in r.items if i.truth and i.error is None and i.pred != i.truth]
    sections.append((f"Misclassified ({len(wrong)})", thumbnails(r.data, wrong) + html.table(
        ["file", "true", "predicted", "confidence"],
        [[i.file, i.truth, i.pred, i.confidence] for i in wrong])))
    sections.append(("Problems", html.items_list(r.problems)))
    return html.page("GymVision evaluation", sections)


def write_report(r: EvalReport, out_dir: Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.json`` and ``confusion.png`` into ``out_dir``."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    png = confusion_png(r.classification) if r.classification.labels else None
    paths = {"html": out_dir / "report.html", "json": out_dir / "report.json"}
    if png:
        paths["confusion"] = out_dir / "confusion.png"
        paths["confusion"].write_bytes(png)
    paths["html"].write_text(report_html(r, png), encoding="utf-8")
    paths["json"].write_text(json.dumps(r.to_dict(), indent=1), encoding="utf-8")
    return paths
