"""Export trained weights to ONNX for the onnxruntime backend, and check the result loads."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .env import import_ultralytics
from .models import load_yolo
from .onnx_detector import OnnxDetector

log = logging.getLogger(__name__)


def export_onnx(weights: Path | str, imgsz: int | None = None, out: Path | str | None = None,
                opset: int | None = None, simplify: bool = False) -> Path:
    """Export ``weights`` (.pt, a detector of the exercises) to ONNX; return the ``.onnx`` path.

    ``imgsz`` defaults to the training image size stored in the weights. The exported file is
    opened with :class:`OnnxDetector` so a bad export fails here, not at analysis time.
    """
    model = load_yolo(weights)
    if imgsz is None:
        imgsz = int(model.overrides.get("imgsz") or 640)
    if imgsz < 32 or imgsz % 32:
        raise ValueError(f"imgsz must be a multiple of 32, got {imgsz}")
    kwargs: dict[str, object] = {"format": "onnx", "imgsz": imgsz, "simplify": simplify, "dynamic": False,
                                 "device": "cpu"}
    if opset:
        kwargs["opset"] = opset
    try:
        produced = Path(model.export(**kwargs))
    except ImportError as e:
        raise RuntimeError(f"ONNX export needs the 'onnx' package ({e}); install the [yolo] extra") from e
    target = Path(out).expanduser() if out else produced
    if target.resolve() != produced.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), target)
    det = OnnxDetector(target)
    log.info("exported %s -> %s (%s)", weights, target, det)
    return target


def export_untrained(model_yaml: str = "yolov8n.yaml", imgsz: int = 640,
                     out: Path | str = "untrained.onnx") -> Path:
    """Export a randomly initialised six-exercise detector built from ``model_yaml``.

    Its detections mean nothing; it has the size and speed of a trained one, for benchmarks.
    """
    import tempfile

    import yaml

    import_ultralytics()
    from ultralytics import YOLO
    from ultralytics.nn.tasks import yaml_model_load

    from ..exercises import EXERCISES

    cfg = yaml_model_load(model_yaml)  # resolves the scale (n/s/m...) from the name
    cfg["nc"] = len(EXERCISES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(model_yaml).name
        path.write_text(yaml.safe_dump({k: v for k, v in cfg.items() if k != "yaml_file"}))
        yolo = YOLO(str(path))
    yolo.model.names = dict(enumerate(EXERCISES))
    produced = Path(yolo.export(format="onnx", imgsz=imgsz, simplify=False, dynamic=False, device="cpu"))
    target = Path(out).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.resolve() != produced.resolve():
        shutil.move(str(produced), target)
    OnnxDetector(target)
    return target
