"""Load YOLO models (model YAMLs or user weights) with checks that fail fast and say what to do."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .env import import_ultralytics
from .onnx_detector import DetectorError, map_names

log = logging.getLogger(__name__)


def _package_cfg(name: str) -> bool:
    """True when ``name`` is a model YAML shipped inside Ultralytics (e.g. ``yolov8n.yaml``)."""
    try:
        from ultralytics.nn.tasks import yaml_model_load

        yaml_model_load(name)
        return True
    except Exception:
        return False


def check_model_source(model: str | Path) -> str:
    """A model to start training from: a model YAML (built from scratch) or a local ``.pt`` file.

    Pretrained weights are never downloaded: a ``.pt`` name that is not a file on disk is an error.
    """
    text = str(model)
    p = Path(text).expanduser()
    suffix = p.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        if p.is_file():
            return str(p.resolve())
        import_ultralytics()
        if _package_cfg(text):
            return text
        raise DetectorError(f"model YAML {text!r} not found (neither a file nor an Ultralytics model, "
                            "e.g. yolov8n.yaml or yolov8s.yaml)")
    if suffix == ".pt":
        if not p.is_file():
            raise DetectorError(f"weights file not found: {p}. Pretrained weights cannot be downloaded here: "
                                "start from a model YAML (e.g. yolov8s.yaml) or pass a .pt file you have")
        return str(p.resolve())
    raise DetectorError(f"model {text!r}: expected a model YAML (yolov8s.yaml) or a weights file (.pt)")


def load_yolo(weights: str | Path, need_exercises: bool = True) -> Any:
    """Load ``weights`` (.pt) as an Ultralytics detection model, checking task and class names.

    ``need_exercises`` requires the classes to be the exercises (ours or the original names), as
    for export, validation and explanation; training from other weights only needs ``detect``.
    """
    p = Path(weights).expanduser()
    if p.suffix.lower() != ".pt":
        raise DetectorError(f"{p}: expected PyTorch weights (.pt) from `gymvision yolo train`")
    if not p.is_file():
        raise DetectorError(f"weights file not found: {p}")
    import_ultralytics()
    from ultralytics import YOLO

    try:
        model = YOLO(str(p))
    except Exception as e:  # corrupt or foreign pickles raise many types
        raise DetectorError(f"{p} is not a readable Ultralytics weights file: {e}") from e
    if model.task != "detect":
        raise DetectorError(f"{p} is a YOLO '{model.task}' model; an object detection ('detect') model "
                            "is needed (train one with `gymvision yolo train`)")
    if need_exercises:
        names = model.names
        stored = [str(names[k]) for k in sorted(names)] if isinstance(names, dict) else list(names)
        map_names(stored, str(p))
    return model
