"""``gymvision yolo``: train, export, evaluate, run and explain the optional YOLO exercise detector.

Training, export and feature maps need the ``[yolo]`` extra (Ultralytics, AGPL-3.0, torch);
``detect``, ``val`` and ``explain`` of an ``.onnx`` model need only onnxruntime.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

yolo_app = typer.Typer(
    name="yolo",
    help="Optional YOLO exercise detector (Ultralytics, AGPL-3.0): train, export, val, detect, explain.",
    no_args_is_help=True,
)
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Bad input and a missing extra become one red line and exit code 2, not a traceback."""
    from ..yolo.data import DataError
    from ..yolo.env import YoloExtraMissing
    from ..yolo.onnx_detector import DetectorError

    try:
        yield
    except (DataError, DetectorError, YoloExtraMissing, ValueError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc


def _print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, default=str))


@yolo_app.command("train")
def train_cmd(
    data: Path = typer.Argument(..., help="Data YAML (YOLO layout; class names ours or the original's)."),
    model: str = typer.Option("yolov8s.yaml", "--model", help="Model YAML to build from scratch "
                              "(yolov8n.yaml, yolov8s.yaml, ...) or your own .pt weights. "
                              "Nothing is downloaded."),
    epochs: int = typer.Option(100, "--epochs", min=1),
    imgsz: int = typer.Option(896, "--imgsz", help="Training image size (the original used 896)."),
    batch: int = typer.Option(16, "--batch", min=1),
    optimizer: str = typer.Option("SGD", "--optimizer", help="SGD (the original's best), AdamW..."),
    lr0: float = typer.Option(0.01, "--lr0", help="Initial learning rate."),
    mosaic: float = typer.Option(0.5, "--mosaic", min=0.0, max=1.0, help="Mosaic probability (moderate)."),
    close_mosaic: int = typer.Option(10, "--close-mosaic", min=0, help="Last epochs without mosaic."),
    patience: int = typer.Option(50, "--patience", min=1, help="Early-stopping patience (epochs)."),
    device: str = typer.Option("cpu", "--device", help="cpu, or a CUDA device index such as 0."),
    workers: int = typer.Option(0, "--workers", min=0, help="Data-loader worker processes."),
    project: Path = typer.Option(Path("runs/yolo"), "--project", help="Folder for training runs."),
    name: str = typer.Option("train", "--name", help="Run name (a folder under --project)."),
    exist_ok: bool = typer.Option(False, "--exist-ok", help="Reuse the run folder if it exists."),
    seed: int = typer.Option(0, "--seed"),
    report: bool = typer.Option(True, "--report/--no-report", help="Evaluation report after training."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Train a YOLO exercise detector with the original GymVision's recipe (SGD, 896 px, mosaic 0.5)."""
    with _clear_errors():
        from ..yolo.train import TrainConfig, prepare, train

        cfg = TrainConfig(model=model, epochs=epochs, imgsz=imgsz, batch=batch, optimizer=optimizer, lr0=lr0,
                          mosaic=mosaic, close_mosaic=close_mosaic, patience=patience, device=device,
                          workers=workers, project=project, name=name, exist_ok=exist_ok, seed=seed)
        spec, _ = prepare(data, cfg)  # every check before the (long) training starts
        err.print(f"training {model} on {spec.yaml_path} ({spec.images.get('train', 0)} train / "
                  f"{spec.images.get('val', 0)} val images, classes {', '.join(spec.names)})")

        def on_epoch(epoch: int, total: int, m: dict[str, float]) -> None:
            err.print(f"epoch {epoch}/{total}: mAP@50 {m.get('metrics/mAP50(B)', 0.0):.3f}  "
                      f"mAP@50:95 {m.get('metrics/mAP50-95(B)', 0.0):.3f}")

        result = train(data, cfg, on_epoch=on_epoch, report=report)
    summary = {"run_dir": str(result.run_dir), "best": str(result.best),
               "map50": result.metrics.get("metrics/mAP50(B)"),
               "map50_95": result.metrics.get("metrics/mAP50-95(B)"),
               "report": {k: str(v) for k, v in result.report.items()}}
    if as_json:
        _print_json(summary)
    else:
        err.print(f"[green]done[/green]: weights {result.best}; mAP@50 {summary['map50'] or 0:.3f}, "
                  f"mAP@50:95 {summary['map50_95'] or 0:.3f}")
        if result.report:
            err.print(f"report: {result.report.get('html')}")
        err.print(f"next: gymvision yolo export {result.best}")


@yolo_app.command("export")
def export_cmd(
    weights: Path = typer.Argument(..., help="Trained weights (.pt) of an exercise detector."),
    imgsz: int | None = typer.Option(None, "--imgsz", help="Input size (default: the training size)."),
    out: Path | None = typer.Option(None, "--out", help="Output .onnx (default: beside the weights)."),
    opset: int | None = typer.Option(None, "--opset", help="ONNX opset (default: the exporter's choice)."),
) -> None:
    """Export weights to ONNX for `--detector yolo-onnx:PATH` (run by onnxruntime, no torch)."""
    with _clear_errors():
        from ..yolo.export import export_onnx

        path = export_onnx(weights, imgsz=imgsz, out=out, opset=opset)
    typer.echo(str(path))
    err.print(f"use it with: gymvision analyze --detector yolo-onnx:{path} FILES...")


@yolo_app.command("val")
def val_cmd(
    model: Path = typer.Argument(..., help="An exported .onnx (no torch needed) or .pt weights."),
    data: Path = typer.Argument(..., help="Data YAML with the split to score."),
    split: str = typer.Option("val", "--split", help="val, test or train."),
    imgsz: int | None = typer.Option(None, "--imgsz", help="For .pt weights (default: the training size)."),
    out: Path = typer.Option(Path("runs/yolo/val"), "--out", help="Report folder (HTML, JSON, PNG)."),
    as_json: bool = typer.Option(False, "--json", help="Print mAP and accuracy as one JSON object."),
) -> None:
    """Score a detector on a data set: mAP@50, mAP@50:95, confusion matrix (the `evaluate` report)."""
    with _clear_errors():
        from ..yolo.data import check_data_yaml
        from ..yolo.evaluate import evaluate_detector, write_detector_report

        spec = check_data_yaml(data, splits=(split,))
        if model.suffix.lower() == ".onnx":
            from ..yolo.onnx_detector import OnnxDetector

            det = OnnxDetector(model, iou=0.6, max_det=100)  # the usual mAP settings
            report = evaluate_detector(det, spec, split, model_name=str(model))
            paths = write_detector_report(report, out)
        else:
            from ..yolo.models import load_yolo
            from ..yolo.train import evaluate_weights

            size = imgsz or int(load_yolo(model).overrides.get("imgsz") or 640)
            paths = evaluate_weights(model, spec, size, out, split=split)
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    mc = doc.get("map_class") or {}
    summary = {"map50": mc.get("map50"), "map50_95": mc.get("map50_95"),
               "accuracy": doc["classification"]["accuracy"], "report": str(paths["html"])}
    if "ultralytics" in paths:
        summary["ultralytics"] = json.loads(paths["ultralytics"].read_text(encoding="utf-8"))
    if as_json:
        _print_json(summary)
    else:
        err.print(f"mAP@50 {summary['map50'] or 0:.3f}  mAP@50:95 {summary['map50_95'] or 0:.3f}  "
                  f"top-1 {summary['accuracy']:.1%}  report: {paths['html']}")


@yolo_app.command("detect")
def detect_cmd(
    model: Path = typer.Argument(..., help="Exported detector (.onnx)."),
    images: list[Path] = typer.Argument(..., help="Image files."),
    conf: float = typer.Option(0.25, "--conf", min=0.0, max=1.0, help="Confidence threshold."),
) -> None:
    """Run the ONNX detector (onnxruntime only) on images; one JSON object per image."""
    with _clear_errors():
        from ..media import decode_image
        from ..yolo.onnx_detector import OnnxDetector

        det = OnnxDetector(model, conf=conf)
    failed = 0
    for path in images:
        try:
            rgb = decode_image(path)
            dets = det.detect(rgb)
            _print_json({"file": str(path), "width": rgb.shape[1], "height": rgb.shape[0],
                         "detections": [d.to_dict() for d in dets], "error": None})
        except Exception as exc:  # one bad file must not stop the others
            failed += 1
            _print_json({"file": str(path), "detections": [], "error": str(exc)})
    if images and failed == len(images):
        raise typer.Exit(1)


@yolo_app.command("explain")
def explain_cmd(
    model: Path = typer.Argument(..., help=".pt (feature maps + occlusion) or .onnx (occlusion)."),
    image: Path = typer.Argument(..., help="Image to explain."),
    out: Path = typer.Option(Path("runs/yolo/explain"), "--out", help="Folder for the PNGs."),
    imgsz: int | None = typer.Option(None, "--imgsz", help="Network input size (default: the model's)."),
    patch: int | None = typer.Option(None, "--patch", min=4, help="Occlusion patch size in pixels."),
    stride: int | None = typer.Option(None, "--stride", min=1, help="Occlusion step in pixels."),
) -> None:
    """Explain the top detection: P3/P4/P5 feature maps and occlusion sensitivity, as PNGs."""
    with _clear_errors():
        from ..media import decode_image
        from ..yolo.explain import explain

        if not model.is_file():
            raise FileNotFoundError(f"model not found: {model}")
        rgb = decode_image(image)
        paths = explain(model, rgb, out, imgsz=imgsz, patch=patch, stride=stride)
    for key, p in paths.items():
        typer.echo(f"{key}\t{p}")


@yolo_app.command("names")
def names_cmd(
    data: Path = typer.Argument(..., help="Data YAML."),
    out: Path = typer.Argument(..., help="Where to write the renamed copy."),
    to: str = typer.Option("ours", "--to", help="'ours' (bench_press, ...) or 'original' (benchpress, ...)."),
) -> None:
    """Rename a data YAML's classes to ours or to the original GymVision's (labels are unchanged)."""
    with _clear_errors():
        from ..yolo.data import rename_classes

        typer.echo(str(rename_classes(data, out, to)))


@yolo_app.command("toy")
def toy_cmd(
    out: Path = typer.Argument(..., help="Folder for a tiny generated data set (shapes on backgrounds)."),
    n_train: int = typer.Option(48, "--train", min=1),
    n_val: int = typer.Option(12, "--val", min=1),
    size: int = typer.Option(96, "--size", min=32),
    original_names: bool = typer.Option(False, "--original-names", help="Name classes as the original did."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Write a tiny generated detection data set to smoke-test train/export/val offline."""
    from ..yolo.toy import make_toy_dataset

    typer.echo(str(make_toy_dataset(out, n_train, n_val, size, seed, original_names)))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(yolo_app, name="yolo")
