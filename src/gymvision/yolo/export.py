"""Export trained weights to ONNX for the onnxruntime backend, and check the result loads."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

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
