"""CLI: ``dataset split``/``dataset autolabel``, ``train``, ``evaluate`` and ``explain``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

log = logging.getLogger(__name__)
T = TypeVar("T")
err = Console(stderr=True)

dataset_app = typer.Typer(help="Data-set tools: split, de-duplicate, auto-label.", no_args_is_help=True)


@contextmanager
def progress_tracker(enabled: bool = True) -> Iterator[Any]:
    """A ``track(items, description, total)`` function drawing rich progress bars on stderr."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not (enabled and err.is_terminal)) as bar:

        def track(items: Iterable[T], description: str = "", total: int = 0) -> Iterable[T]:
            task = bar.add_task(description, total=total or None)
            for x in items:
                yield x
                bar.advance(task)
            bar.remove_task(task)

        yield track


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def make_settings(model: Path | None, pose_model: str | None = None) -> Any:
    from ..settings import Settings

    overrides: dict[str, object] = {}
    if model is not None:
        if not model.is_file():
            raise fail(f"model file {model} not found")
        overrides["recognizer_path"] = model
    if pose_model:
        overrides["pose_model"] = pose_model
    return Settings(**overrides)


def make_pipeline(model: Path | None, pose_model: str | None = None) -> Any:
    from ..pipeline import Pipeline

    settings = make_settings(model, pose_model)
    try:
        return Pipeline(settings)
    except Exception as exc:  # missing pose/recogniser models: say so clearly
        raise fail(f"cannot load models: {exc}") from exc


def print_problems(problems: list[str], limit: int = 20) -> None:
    for p in problems[:limit]:
        err.print(f"[yellow]warning:[/yellow] {p}", highlight=False)
    if len(problems) > limit:
        err.print(f"[yellow]… and {len(problems) - limit} more (see the report)[/yellow]")


# ---------------------------------------------------------------- dataset split

def _view_fn(pose_model: str) -> Any:
    """Camera view from a static-mode pose estimate, or None when the pose model is unavailable."""
    try:
        from ..media import resize_max_side
        from ..pose import PoseEstimator

        est = PoseEstimator(pose_model, static=True)
    except Exception as exc:
        err.print(f"[yellow]warning:[/yellow] no pose model ({exc}); splitting without camera views")
        return None
    from ..datasets.views import estimate_view

    def view(rgb: Any) -> str:
        small, _ = resize_max_side(rgb, 640)
        return estimate_view(est.process(small))

    return view


@dataset_app.command("split")
def split_cmd(
    src: Path = typer.Argument(..., help="Source data set (YOLO layout or one folder per class)."),
    dst: Path = typer.Argument(..., help="Destination folder (new, or an existing split with --pool)."),
    ratios: str = typer.Option("0.7,0.2,0.1", help="train,val,test shares."),
    seed: int = typer.Option(0, help="Random seed."),
    hash_threshold: int = typer.Option(8, help="Near-duplicate threshold (Hamming bits of 64, phash)."),
    flips: bool = typer.Option(True, help="Count mirror images as duplicates."),
    dedupe: bool = typer.Option(True, help="Remove near-duplicates."),
    views: bool = typer.Option(True, help="Stratify by camera view estimated from the pose."),
    pool: bool = typer.Option(False, "--pool", help="Add SRC as an extra pool to the split in DST."),
    pose_model: str = typer.Option("lite", help="Pose model for the camera view (lite, full, heavy)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Split into train/val/test: stratified by class × view, de-duplicated, leak-guarded."""
    from ..datasets import split as sp
    from ..datasets.layout import DatasetError, read_dataset

    try:
        cfg = sp.SplitConfig(ratios=tuple(float(x) for x in ratios.split(",")), seed=seed,  # type: ignore[arg-type]
                          hash_threshold=hash_threshold, flips=flips, dedupe=dedupe)
        sp.check_paths(src, dst)
        ds = read_dataset(src)
    except (ValueError, DatasetError) as exc:
        raise fail(str(exc)) from exc
    manifest = sp.load_manifest(dst)
    if manifest and not pool:
        raise fail(f"{dst} already holds a split; use --pool to add SRC to it, or choose a new folder")
    if pool and not manifest:
        raise fail(f"--pool: no split.json in {dst}; run a first split there without --pool")
    if not manifest and dst.exists() and any(dst.iterdir()):
        raise fail(f"{dst} is not empty; choose a new folder")
    existing = sp.existing_items(manifest) if manifest else []
    layout = manifest["layout"] if manifest else None
    if layout == "yolo" and ds.layout == "folders":
        err.print("[yellow]warning:[/yellow] the pool has class folders but the split is YOLO: its images "
                  "get empty label files (no boxes); label them with `dataset autolabel` first")
    view_fn = _view_fn(pose_model) if views else None
    with progress_tracker() as track:
        plan = sp.plan_split(ds, cfg, view_fn=view_fn, existing=existing, track=track)
        report = sp.write_split(plan, ds, dst, cfg, layout=layout, track=track)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    print_problems(report["problems"])
    table = Table(title=f"Split of {src} → {dst}")
    for col in ("class", "view", "train", "val", "test"):
        table.add_column(col, justify="left" if col in ("class", "view") else "right")
    for c, vs in report["counts"].items():
        for v, n in vs.items():
            table.add_row(c, v, *(str(n[s]) for s in ("train", "val", "test")))
    table.add_row("total", "", *(str(report["totals"][s]) for s in ("train", "val", "test")), style="bold")
    out = Console()
    out.print(table)
    out.print(f"added {report['added']} · duplicates dropped {report['duplicates_dropped']} · "
              f"leaks prevented {report['leaks_prevented']} · "
              f"leaks remaining {len(report['leaks_remaining'])}"
              f" · report {dst / 'split_report.html'}")


# ---------------------------------------------------------------- dataset autolabel

@dataset_app.command("autolabel")
def autolabel_cmd(
    src: Path = typer.Argument(..., help="Folder of unlabelled images."),
    dst: Path = typer.Argument(..., help="Output YOLO data set (+ review/ and review.html)."),
    threshold: float = typer.Option(0.7, min=0.0, max=1.0, help="Confidence needed to accept a label."),
    video_fps: float = typer.Option(0.0, min=0.0, help="Label video frames sampled at this rate (0: skip)."),
    max_frames: int = typer.Option(60, min=1, help="At most this many frames per video."),
    model: Path | None = typer.Option(None, "--model", help="Recogniser model file (.joblib)."),
    pose_model: str | None = typer.Option(None, "--pose-model", help="lite, full or heavy."),
) -> None:
    """Pseudo-label images (person box + exercise) into YOLO labels; low confidence goes to review."""
    from ..datasets.autolabel import autolabel

    if not src.is_dir():
        raise fail(f"{src}: not a folder")
    pipeline = make_pipeline(model, pose_model)
    try:
        with progress_tracker() as track:
            summary = autolabel(src, dst, pipeline.analyze_image, threshold=threshold, video_fps=video_fps,
                                max_frames_per_video=max_frames, track=track)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    print_problems([f"{i['rel']}: {i['message']}" for i in summary["items"]  # type: ignore[union-attr]
                    if i["status"] == "error"])
    Console().print(f"labelled {summary['labelled']} · to review {summary['review']} · "
                    f"no person {summary['no_person']} · errors {summary['error']} · "
                    f"contact sheet {dst / 'review.html'}")


# ---------------------------------------------------------------- evaluate

def evaluate_cmd(
    data: Path = typer.Argument(..., help="Labelled folder (YOLO or class folders); counts.csv for reps."),
    out: Path = typer.Option(Path("gymvision-eval"), "--out", help="Report folder (HTML, JSON, PNG)."),
    split: str | None = typer.Option(None, help="Only this split of the data set (train, val, test)."),
    counts: Path | None = typer.Option(None, help="CSV of file,exercise,reps (default DATA/counts.csv)."),
    count_with_truth: bool = typer.Option(False, help="Count reps with the true exercise from counts.csv."),
    model: Path | None = typer.Option(None, "--model", help="Recogniser model file (.joblib)."),
    pose_model: str | None = typer.Option(None, "--pose-model", help="lite, full or heavy."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Top-1, per-class P/R/F1, confusion matrix, box mAP@50 and @50:95, rep MAE/OBO → HTML report."""
    from ..datasets.evaluate import evaluate_dataset, read_counts, write_report
    from ..datasets.layout import DatasetError, read_dataset

    try:
        ds = read_dataset(data)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    if split:
        ds.samples = [s for s in ds.samples if s.source_split == split]
        if not ds.samples:
            raise fail(f"{data}: nothing in split {split!r}")
    rows, problems = [], []
    counts = counts or (data / "counts.csv")
    if counts.is_file():
        rows, problems = read_counts(counts)
    pipeline = make_pipeline(model, pose_model)

    def analyze(path: Path, exercise: str | None) -> Any:
        return pipeline.analyze_path(path, exercise=exercise, name=str(path))

    with progress_tracker() as track:
        report = evaluate_dataset(ds, analyze, counts=rows, count_with_truth=count_with_truth, track=track)
    report.problems += problems
    report.model = str(model) if model else None
    paths = write_report(report, out)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
        return
    print_problems(report.problems)
    c = report.classification
    table = Table(title=f"Evaluation of {data} (n={c.n}, top-1 {c.accuracy:.1%})")
    for col in ("class", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for m in c.per_class:
        table.add_row(m.label, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", str(m.support))
    con = Console()
    con.print(table)
    if report.map_class:
        con.print(f"mAP@50 {report.map_class.map50:.3f} · mAP@50:95 {report.map_class.map50_95:.3f} "
                  f"(person boxes only: {report.map_person.map50:.3f} / {report.map_person.map50_95:.3f};"  # type: ignore[union-attr]
                  " original YOLOv8s 0.85 / 0.53 on its own val set)")
    from ..datasets.evaluate import accuracy_by

    views = accuracy_by(report.items, "view")
    if views:
        con.print("top-1 by camera view: " + ", ".join(f"{v} {a:.2f} (n={n})" for v, n, a in views))
    if report.reps:
        con.print(f"reps: {report.reps.n} videos · MAE {report.reps.mae:.3f} · OBO {report.reps.obo:.3f}")
    con.print(f"report {paths['html']}")


# ---------------------------------------------------------------- explain

def explain_cmd(
    image: Path = typer.Argument(..., help="A photo."),
    out: Path | None = typer.Option(None, "--out", help="Heat-map PNG (default IMAGE.explain.png)."),
    window: int = typer.Option(32, min=4, help="Occluding window side (px)."),
    stride: int = typer.Option(24, min=1, help="Window step (px)."),
    max_side: int = typer.Option(640, min=64, help="Analyse the image downscaled to this longest side."),
    target: str | None = typer.Option(None, help="Explain this exercise instead of the predicted one."),
    model: Path | None = typer.Option(None, "--model", help="Recogniser model file (.joblib)."),
    pose_model: str | None = typer.Option(None, "--pose-model", help="lite, full or heavy."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Occlusion-sensitivity heat map and the pose features that drove the recogniser's decision."""
    from ..datasets.explain import explain_image
    from ..datasets.hashing import MediaError, load_rgb

    try:
        rgb = load_rgb(image)
    except (MediaError, OSError) as exc:
        raise fail(str(exc)) from exc
    pipeline = make_pipeline(model, pose_model)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("Occluding", total=None)
        try:
            res = explain_image(pipeline, rgb, window=window, stride=stride, max_side=max_side, target=target,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
        except ValueError as exc:
            raise fail(f"{image}: {exc}") from exc
    out = out or image.with_suffix(".explain.png")
    out.write_bytes(res.png)
    if as_json:
        sys.stdout.write(json.dumps({"file": str(image), "heatmap": str(out), **res.to_dict()}) + "\n")
        return
    con = Console()
    con.print(f"{image}: [bold]{res.exercise}[/bold] {res.confidence:.2f} · "
              f"{res.windows} windows ({res.evaluated} run through the pose model) · {res.seconds:.1f} s")
    table = Table(title="Pose features that drove the decision")
    for col in ("feature", "value", "drop in confidence"):
        table.add_column(col, justify="left" if col == "feature" else "right")
    for a in res.attributions[:10]:
        table.add_row(a.name, f"{a.value:.3g}", f"{a.importance:+.3f}")
    con.print(table)
    con.print(f"heat map {out}")


# ---------------------------------------------------------------- train

ABLATION_COLUMNS = {"features": "features", "model": "model", "synthetic": "synthetic",
                    "val_accuracy": "top-1", "val_photos": "photos", "val_videos": "videos",
                    "seconds": "fit s"}


def ablation_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Ablation: top-1 on {rows[0]['val']} validation examples of your data")
    for key, head in ABLATION_COLUMNS.items():
        table.add_column(head, justify="left" if key in ("features", "model") else "right")
    for r in rows:
        table.add_row(*("–" if r[k] is None else f"{r[k]:.3f}" if isinstance(r[k], float) else str(r[k])
                        for k in ABLATION_COLUMNS))
    return table


def train_cmd(
    data: Path = typer.Argument(..., help="Labelled photos/videos (class folders or YOLO; a split is used)."),
    out: Path = typer.Option(Path("recognizer.joblib"), "--out", help="Model file to write."),
    synthetic: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of synthetic examples in training."),
    features: str = typer.Option("posture+motion", help="Feature set: posture, or posture+motion."),
    model_type: str = typer.Option("hgb", help="Model type: hgb (gradient boosting) or logreg."),
    ablation: bool = typer.Option(False, "--ablation",
                                  help="Grid: feature set × model type × synthetic share."),
    seed: int = typer.Option(0, help="Random seed."),
    pose_model: str | None = typer.Option(None, "--pose-model", help="lite, full or heavy."),
    cache: Path | None = typer.Option(None, help="Pose cache folder (default: <data_dir>/pose-cache)."),
    use_cache: bool = typer.Option(True, "--cache-poses/--no-cache-poses", help="Reuse extracted poses."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Train the exercise recogniser on your own labelled photos and videos (optionally + synthetic)."""
    from ..datasets.layout import DatasetError, read_dataset
    from ..datasets.training import TrainConfig, extract_examples, run_ablation, train_and_save

    try:
        ds = read_dataset(data)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    settings = make_settings(None, pose_model)
    with progress_tracker() as track:
        cache_dir = (cache or settings.data_dir / "pose-cache") if use_cache else None
        examples = extract_examples(ds, settings, track=track, cache=cache_dir)
        print_problems(examples.problems)
        if not examples.n:
            raise fail(f"{data}: no usable labelled examples (no person found in any file?)")
        if features not in ("posture", "posture+motion") or model_type not in ("hgb", "logreg"):
            raise fail("--features must be posture or posture+motion; --model-type hgb or logreg")
        cfg = TrainConfig(synthetic_share=synthetic, features=features, model=model_type, seed=seed)
        if ablation:
            shares = (0.0, synthetic) if 0 < synthetic < 1 else (0.0, 0.5)
            rows = run_ablation(examples, cfg, shares=shares, track=track)
            if as_json:
                sys.stdout.write(json.dumps(rows) + "\n")
                return
            Console().print(ablation_table(rows))
            if rows[0]["val"] < 30:
                err.print("[yellow]warning:[/yellow] under 30 validation examples: differences are noise")
            return
        try:
            result = train_and_save(examples, cfg, out)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    Console().print(f"trained on {result['train']} examples; validation top-1 "
                    f"{result['val_accuracy']:.1%} on {result['val']} · saved {out} "
                    f"(use --model {out} or GYMVISION_RECOGNIZER_PATH={out})")


def register(app: typer.Typer) -> None:
    """Add ``dataset`` (split, autolabel), ``train``, ``evaluate`` and ``explain``."""
    app.add_typer(dataset_app, name="dataset")
    app.command("train")(train_cmd)
    app.command("evaluate")(evaluate_cmd)
    app.command("explain")(explain_cmd)
