"""``gymvision analyze``: photos, videos and folders → table or one JSON object per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..media import IMAGE_EXTS, VIDEO_EXTS
from ..results import AnalysisResult


def expand_inputs(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files as given, and image/video files found recursively in folders, sorted; (path, shown name)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in IMAGE_EXTS | VIDEO_EXTS:
                    yield f, str(f)
        else:
            yield p, str(p)


def _table(results: list[AnalysisResult]) -> Table:
    table = Table(title="GymVision analysis")
    for col in ("file", "kind", "exercise", "conf", "reps", "advice / error"):
        table.add_column(col, overflow="fold")
    for r in results:
        note = r.error or "; ".join(a.rstrip(".") for a in r.advice[:2])
        for ev in r.rep_events:
            if ev.cues:
                note += f"\n{'; '.join(ev.cues)}"
        table.add_row(r.file, r.kind, r.exercise if not r.error else "-", f"{r.confidence:.2f}",
                      "" if r.kind != "video" else str(r.reps or 0), note)
    return table


def _rep_table(r: AnalysisResult) -> Table:
    """The reps of one video: times (s), lowering and lifting phases (s), range of motion, confidence."""
    title = f"{Path(r.file).name}: {r.reps} {r.exercise.replace('_', ' ')} reps"
    table = Table(title=title, title_justify="left")
    for col in ("#", "start s", "turn s", "end s", "lower s", "lift s", "ROM", "conf"):
        table.add_column(col, justify="right")
    table.add_column("cues", overflow="fold")
    for ev in r.rep_events:
        table.add_row(str(ev.index), f"{ev.start_s:.2f}", f"{ev.turn_s:.2f}", f"{ev.end_s:.2f}",
                      f"{ev.eccentric_s:.2f}", f"{ev.concentric_s:.2f}", f"{ev.rom_deg:.0f}°",
                      f"{ev.confidence:.2f}", "; ".join(ev.cues) or "–")
    return table


def analyze(
    paths: list[Path] = typer.Argument(..., help="Images, videos or folders (walked recursively)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input file, one per line."),
    out: Path | None = typer.Option(None, "--out", help="Write annotated images / H.264 videos here."),
    pose_model: str = typer.Option("full", "--pose-model", help="BlazePose model: lite, full or heavy."),
    exercise: str | None = typer.Option(None, "--exercise", help="Force the exercise (skip recognition)."),
    model: Path | None = typer.Option(None, "--model", help="Recogniser model file (.joblib)."),
    detector: str | None = typer.Option(None, "--detector", help="Optional detector, e.g. yolo-onnx:PATH."),
) -> None:
    """Recognise the exercise, count reps and give form cues for each photo or video."""
    from ..exercises import normalise_name
    from ..pipeline import Pipeline
    from ..settings import Settings

    err = Console(stderr=True)
    try:
        if exercise:
            exercise = normalise_name(exercise)
        overrides: dict[str, object] = {"pose_model": pose_model}
        if model is not None:
            overrides["recognizer_path"] = model
        if detector is not None:
            overrides["detector"] = detector
        pipeline = Pipeline(Settings(**overrides))
    except Exception as exc:  # bad option values or missing models: one clear line, exit 2
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    inputs = list(expand_inputs(paths))
    if not inputs:
        err.print("[red]error:[/red] no image or video files found in the given paths")
        raise typer.Exit(2)
    results: list[AnalysisResult] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        for path, shown in inputs:
            task = bar.add_task(Path(shown).name[:40], total=1.0)
            res = pipeline.analyze_path(path, out_dir=out, exercise=exercise, name=shown,
                                        progress=lambda f, task=task: bar.update(task, completed=f))
            bar.remove_task(task)
            results.append(res)
            if as_json:
                sys.stdout.write(json.dumps(res.to_dict()) + "\n")
                sys.stdout.flush()
    if not as_json:
        console = Console()
        console.print(_table(results))
        for r in results:
            if r.rep_events:
                console.print(_rep_table(r))
    if all(r.error for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the main app."""
    app.command("analyze")(analyze)
