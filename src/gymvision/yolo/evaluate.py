"""Score a detector on a data YAML split with the same report as ``gymvision evaluate``.

Any object with ``detect(rgb) -> list[Detection]`` works (the ONNX backend, or Ultralytics weights
through :class:`UltralyticsDetector`). Box mAP@50 and mAP@50:95 come from pycocotools (class-aware,
as a YOLO detector's mAP, and class-agnostic); the image's exercise is its top detection, scored
against the label of its largest box (top-1 accuracy, per-class P/R/F1, confusion matrix).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..datasets.evaluate import EvalItem, EvalReport, write_report
from ..datasets.metrics import BoxSet, classification_metrics, coco_map
from ..exercises import EXERCISES, UNKNOWN
from ..results import Detection
from .data import DataSpec

log = logging.getLogger(__name__)

Tick = Callable[[int, int], None]


class UltralyticsDetector:
    """Adapter: Ultralytics weights (torch) behind the same ``detect`` as :class:`OnnxDetector`."""

    def __init__(self, model: Any, imgsz: int = 640, conf: float = 0.001, iou: float = 0.6,
                 max_det: int = 100) -> None:
        from .onnx_detector import map_names

        self.model, self.imgsz, self.conf, self.iou, self.max_det = model, imgsz, conf, iou, max_det
        names = model.names
        self.stored_names = [str(names[k]) for k in sorted(names)] if isinstance(names, dict) else list(names)
        self.names = map_names(self.stored_names, "weights")

    def detect(self, rgb: np.ndarray, conf: float | None = None) -> list[Detection]:
        r = self.model.predict(np.ascontiguousarray(rgb[:, :, ::-1]), imgsz=self.imgsz, verbose=False,
                               conf=self.conf if conf is None else conf, iou=self.iou, max_det=self.max_det,
                               device="cpu")[0]
        boxes = r.boxes
        return [Detection(tuple(float(v) for v in b), self.names[int(c)], float(s))  # type: ignore[arg-type]
                for b, s, c in zip(boxes.xyxy.tolist(), boxes.conf.tolist(), boxes.cls.tolist(), strict=True)]


def evaluate_detector(detector: Any, spec: DataSpec, split: str = "val", model_name: str | None = None,
                      conf: float = 0.001, tick: Tick | None = None) -> EvalReport:
    """Run ``detector`` on every image of ``split`` and score boxes (mAP) and top-1 exercise."""
    import cv2

    t0 = time.perf_counter()
    problems: list[str] = []
    items: list[EvalItem] = []
    gt: list[BoxSet] = []
    det: list[BoxSet] = []
    rows = spec.labelled(split)
    for k, (img_path, boxes, bad) in enumerate(rows):
        problems += bad
        rel = str(img_path.relative_to(spec.root)) if img_path.is_relative_to(spec.root) else str(img_path)
        bgr = cv2.imread(str(img_path), cv2.IMREAD_COLOR)
        if bgr is None:
            problems.append(f"{img_path}: cannot read image")
            continue
        h, w = bgr.shape[:2]
        dets = detector.detect(np.ascontiguousarray(bgr[:, :, ::-1]), conf=conf)
        gt.append(BoxSet(rel, w, h, [b.xyxy(w, h) for b in boxes], [b.label for b in boxes]))
        det.append(BoxSet(rel, w, h, [tuple(d.bbox) for d in dets], [d.label for d in dets],
                          [d.confidence for d in dets]))
        truth = max(boxes, key=lambda b: b.w * b.h).label if boxes else None
        top = max(dets, key=lambda d: d.confidence) if dets else None
        sure = top is not None and top.confidence >= 0.25
        pred, score = (top.label, top.confidence) if sure and top is not None else (UNKNOWN, 0.0)
        items.append(EvalItem(rel, "image", truth, pred, float(score)))
        if tick is not None:
            tick(k + 1, len(rows))
    scored = [i for i in items if i.truth is not None]
    labels = [e for e in EXERCISES if any(i.truth == e for i in scored)]
    cls = classification_metrics([i.truth for i in scored], [i.pred for i in scored], labels)  # type: ignore[misc]
    map_class = coco_map(gt, det) if gt else None
    map_person = coco_map(gt, det, class_agnostic=True) if gt else None
    report = EvalReport(str(spec.yaml_path), cls, map_class, map_person, None, items, problems,
                        time.perf_counter() - t0, model_name)
    if map_class is not None:
        log.info("%s on %s/%s: mAP@50 %.3f, mAP@50:95 %.3f, top-1 %.3f", model_name, spec.yaml_path, split,
                 map_class.map50, map_class.map50_95, cls.accuracy)
    return report


def ultralytics_metrics(metrics: Any, names: list[str]) -> dict[str, Any]:
    """Ultralytics' own validation numbers as plain data (its matrix transposed to rows = truth)."""
    box = metrics.box
    per_class: dict[str, dict[str, float]] = {}
    for i, c in enumerate(getattr(metrics, "ap_class_index", [])):
        per_class[names[int(c)]] = {"ap50": float(box.ap50[i]), "ap50_95": float(box.ap[i]),
                                    "precision": float(box.p[i]), "recall": float(box.r[i])}
    out: dict[str, Any] = {"map50": float(box.map50), "map50_95": float(box.map), "precision": float(box.mp),
                           "recall": float(box.mr), "per_class": per_class}
    cm = getattr(metrics, "confusion_matrix", None)
    if cm is not None and getattr(cm, "matrix", None) is not None:
        out["confusion"] = {"labels": [*names, "background"],
                            "rows_truth_cols_pred": np.asarray(cm.matrix).T.astype(int).tolist()}
    return out


def write_detector_report(report: EvalReport, out_dir: Path,
                          extra: dict[str, Any] | None = None) -> dict[str, Path]:
    """``report.html/json``, ``confusion.png`` (as ``gymvision evaluate``) and ``ultralytics.json``."""
    import json

    paths = write_report(report, out_dir)
    if extra:
        paths["ultralytics"] = out_dir / "ultralytics.json"
        paths["ultralytics"].write_text(json.dumps(extra, indent=1), encoding="utf-8")
    return paths
