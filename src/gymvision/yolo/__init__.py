"""Optional YOLO detector backend (Ultralytics, AGPL-3.0, installed with the ``[yolo]`` extra).

Run time needs only onnxruntime: :func:`load_detector` turns ``"yolo-onnx:PATH"`` into an
:class:`OnnxDetector`. Training, export, validation and feature-map explanations import Ultralytics
lazily (``train``, ``export``, ``evaluate``, ``explain``) and say how to install it when it is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from ..results import Detection
from .onnx_detector import DetectorError, OnnxDetector

__all__ = ["Detector", "DetectorError", "OnnxDetector", "load_detector", "parse_detector_spec"]

SPEC_HELP = "expected 'yolo-onnx:PATH' (an ONNX file made by `gymvision yolo export`)"


class Detector(Protocol):
    """What the pipeline needs from a detector backend."""

    names: list[str]

    def detect(self, rgb: np.ndarray) -> list[Detection]: ...


def parse_detector_spec(spec: str | None) -> tuple[str, Path] | None:
    """``"yolo-onnx:PATH"`` → ``("yolo-onnx", PATH)``; empty, ``"none"`` or ``"pose"`` → None."""
    if spec is None or spec.strip().lower() in {"", "none", "pose"}:
        return None
    kind, sep, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if not sep or not rest.strip():
        if spec.lower().endswith(".onnx"):
            raise DetectorError(f"detector {spec!r}: {SPEC_HELP}, e.g. 'yolo-onnx:{spec}'")
        raise DetectorError(f"detector {spec!r}: {SPEC_HELP}")
    if kind != "yolo-onnx":
        raise DetectorError(f"unknown detector backend {kind!r}: {SPEC_HELP}")
    path = Path(rest.strip()).expanduser()
    if path.suffix.lower() == ".pt":
        raise DetectorError(f"{path} is PyTorch weights; export them first with "
                            f"`gymvision yolo export {path}` and pass the .onnx file")
    return kind, path


def load_detector(spec: str | None, conf: float = 0.25, threads: int | None = None) -> Detector | None:
    """The detector named by ``spec`` (see :func:`parse_detector_spec`), loaded and validated; or None.

    Raises :class:`DetectorError` (a ``ValueError``) with a clear message for a bad spec, a missing
    file, a model that is not a detector, unexpected outputs or class names that are not exercises.
    """
    parsed = parse_detector_spec(spec)
    if parsed is None:
        return None
    _, path = parsed
    return OnnxDetector(path, conf=conf, threads=threads)
