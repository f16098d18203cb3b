"""Evaluation metrics: classification (top-1, per-class P/R/F1, confusion), box mAP (pycocotools),
rep counting (normalised MAE, off-by-one accuracy)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)

XYXY = tuple[float, float, float, float]


# ---------------------------------------------------------------- classification

@dataclass
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Classification:
    accuracy: float
    n: int
    labels: list[str]          # rows (truth) of the confusion matrix
    predicted_labels: list[str]  # columns (truth labels + e.g. "unknown")
    confusion: list[list[int]]
    per_class: list[ClassMetrics]
    macro_f1: float


def classification_metrics(truth: Sequence[str], pred: Sequence[str],
                           labels: Sequence[str] | None = None) -> Classification:
    """Top-1 accuracy, per-class precision/recall/F1 and the confusion matrix.

    A prediction outside ``labels`` (such as ``unknown``) counts as wrong and gets its own column.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    if len(truth) != len(pred):
        raise ValueError("truth and pred differ in length")
    labels = list(labels) if labels is not None else sorted(set(truth))
    extra = sorted(set(pred) - set(labels))
    cols = labels + extra
    if not truth:
        return Classification(0.0, 0, labels, cols, [[0] * len(cols) for _ in labels], [], 0.0)
    cm = confusion_matrix(list(truth), list(pred), labels=cols)[: len(labels)]
    p, r, f, s = precision_recall_fscore_support(list(truth), list(pred), labels=labels, zero_division=0)
    per = [ClassMetrics(lab, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
           for i, lab in enumerate(labels)]
    acc = float(np.mean([t == q for t, q in zip(truth, pred, strict=True)]))
    present = [m.f1 for m in per if m.support > 0]
    return Classification(acc, len(truth), labels, cols, cm.tolist(), per,
                          float(np.mean(present)) if present else 0.0)


# ---------------------------------------------------------------- boxes

@dataclass
class BoxSet:
    """Boxes of one image in pixels: ground truth (no score) or detections (with score)."""

    image: str
    width: int
    height: int
    boxes: list[XYXY] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)


@dataclass
class MapResult:
    map50: float
    map50_95: float
    images: int
    ground_truth: int
    detections: int
    per_class_ap50: dict[str, float] = field(default_factory=dict)


def coco_map(gt: Sequence[BoxSet], det: Sequence[BoxSet], class_agnostic: bool = False) -> MapResult:
    """COCO mAP@50 and mAP@50:95 of ``det`` against ``gt`` (matched by image name) with pycocotools.

    ``class_agnostic`` scores the boxes alone (every box is "person"); otherwise a detection must
    also carry the right class, as a YOLO detector's mAP does. Classes without ground truth are
    left out of the mean (COCO convention).
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    names = ["person"] if class_agnostic else sorted({lab for s in gt for lab in s.labels})
    cat = {n: i + 1 for i, n in enumerate(names)}
    images, anns = [], []
    img_id = {}
    for k, s in enumerate(gt, 1):
        img_id[s.image] = k
        images.append({"id": k, "width": s.width, "height": s.height, "file_name": s.image})
        for b, lab in zip(s.boxes, s.labels, strict=True):
            x1, y1, x2, y2 = b
            anns.append({"id": len(anns) + 1, "image_id": k, "bbox": [x1, y1, x2 - x1, y2 - y1],
                         "area": (x2 - x1) * (y2 - y1), "iscrowd": 0,
                         "category_id": cat["person" if class_agnostic else lab]})
    dets = []
    for s in det:
        if s.image not in img_id:
            continue
        for b, lab, sc in zip(s.boxes, s.labels, s.scores, strict=True):
            c = cat.get("person" if class_agnostic else lab)
            if c is None:  # a class with no ground truth anywhere: cannot match
                continue
            x1, y1, x2, y2 = b
            dets.append({"image_id": img_id[s.image], "bbox": [x1, y1, x2 - x1, y2 - y1],
                         "score": float(sc), "category_id": c})
    res = MapResult(0.0, 0.0, len(images), len(anns), len(dets))
    if not anns or not dets:
        return res
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
        coco = COCO()
        coco.dataset = {"images": images, "annotations": anns,
                        "categories": [{"id": i, "name": n} for n, i in cat.items()]}
        coco.createIndex()
        cdt = coco.loadRes(dets)
        ev = COCOeval(coco, cdt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    res.map50_95, res.map50 = max(0.0, float(ev.stats[0])), max(0.0, float(ev.stats[1]))
    prec = ev.eval["precision"]  # [T, R, K, A, M]
    for n, c in cat.items():
        k = ev.params.catIds.index(c)
        p = prec[0, :, k, 0, -1]
        p = p[p > -1]
        if len(p):
            res.per_class_ap50[n] = float(np.mean(p))
    return res


# ---------------------------------------------------------------- rep counting

@dataclass
class RepMetrics:
    n: int
    mae: float           # mean |pred - truth| / truth (RepCount-A's normalised MAE)
    obo: float           # share of videos counted within ±1 rep
    abs_error: float     # mean |pred - truth| in reps
    rows: list[tuple[str, int, int]] = field(default_factory=list)


def rep_metrics(rows: Sequence[tuple[str, int, int]]) -> RepMetrics:
    """``rows`` of (file, true reps, predicted reps). Videos with 0 true reps use a divisor of 1."""
    if not rows:
        return RepMetrics(0, 0.0, 0.0, 0.0, [])
    t = np.array([r[1] for r in rows], float)
    p = np.array([r[2] for r in rows], float)
    err = np.abs(p - t)
    return RepMetrics(len(rows), float(np.mean(err / np.maximum(t, 1.0))), float(np.mean(err <= 1)),
                      float(np.mean(err)), list(rows))
