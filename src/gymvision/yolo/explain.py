"""Explain a detection: P3/P4/P5 feature maps (torch weights) and occlusion sensitivity (any backend).

Feature maps are the inputs of the Detect head (strides 8, 16, 32), captured with forward hooks.
Occlusion sensitivity slides a grey patch over the image and records how much the confidence of
the explained detection (same class, overlapping box) drops; it needs only ``detect``, so it runs
on the ONNX backend without torch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..exercises import COLOURS_BGR
from ..results import Detection
from .onnx_detector import letterbox

log = logging.getLogger(__name__)

LEVELS = ("P3", "P4", "P5")


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _overlay(rgb: np.ndarray, heat: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """BGR image: ``heat`` (any size, >= 0) as a JET colour map over the image."""
    h, w = rgb.shape[:2]
    heat = cv2.resize(heat.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    heat = heat / heat.max() if heat.max() > 0 else heat
    colour = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(np.ascontiguousarray(rgb[:, :, ::-1]), 1 - alpha, colour, alpha, 0)


def _upscale(bgr: np.ndarray, min_side: int = 360) -> tuple[np.ndarray, float]:
    """Small images are enlarged so the PNG stays readable; returns the image and the factor."""
    k = max(1.0, min_side / min(bgr.shape[:2]))
    if k == 1.0:
        return bgr, 1.0
    size = (round(bgr.shape[1] * k), round(bgr.shape[0] * k))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_NEAREST), k


def _draw_box(bgr: np.ndarray, det: Detection, text: str | None = None, scale: float = 1.0) -> None:
    x1, y1, x2, y2 = (round(v * scale) for v in det.bbox)
    colour = COLOURS_BGR.get(det.label, (255, 255, 255))
    cv2.rectangle(bgr, (x1, y1), (x2, y2), colour, 2)
    cv2.putText(bgr, text or f"{det.label} {det.confidence:.2f}", (x1 + 2, max(12, y1 - 4)),
                cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA)


# ---------------------------------------------------------------- occlusion sensitivity

@dataclass
class Occlusion:
    target: Detection
    heat: np.ndarray  # (rows, cols) confidence drop in [0, 1] per patch position
    patch: int
    stride: int


def target_score(dets: list[Detection], target: Detection, min_iou: float = 0.3) -> float:
    """Confidence of the detection that still matches ``target`` (same class, IoU >= min_iou), else 0."""
    return max((d.confidence for d in dets
                if d.label == target.label and iou(d.bbox, target.bbox) >= min_iou), default=0.0)


def occlusion_sensitivity(detector: Any, rgb: np.ndarray, target: Detection | None = None,
                          patch: int | None = None, stride: int | None = None) -> Occlusion:
    """Slide a grey square over ``rgb``; heat = drop of the target detection's confidence.

    ``target`` defaults to the most confident detection. Raises ``ValueError`` when there is none.
    """
    if target is None:
        dets = detector.detect(rgb, conf=0.05)
        if not dets:
            raise ValueError("nothing detected in the image, so there is no detection to explain")
        target = max(dets, key=lambda d: d.confidence)
    h, w = rgb.shape[:2]
    patch = patch or max(8, min(h, w) // 6)
    stride = stride or max(4, patch // 2)
    base = target.confidence
    ys = list(range(0, max(1, h - patch + 1), stride))
    xs = list(range(0, max(1, w - patch + 1), stride))
    heat = np.zeros((len(ys), len(xs)), np.float32)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            occluded = rgb.copy()
            occluded[y:y + patch, x:x + patch] = 114
            score = target_score(detector.detect(occluded, conf=0.01), target)
            heat[i, j] = max(0.0, base - score)
    return Occlusion(target, heat, patch, stride)


def occlusion_png(rgb: np.ndarray, occ: Occlusion, path: Path) -> Path:
    """Write the occlusion heat map over the image (patch-centred, upsampled) with the target box."""
    h, w = rgb.shape[:2]
    full = np.zeros((h, w), np.float32)
    count = np.zeros((h, w), np.float32)
    ys = range(0, max(1, h - occ.patch + 1), occ.stride)
    xs = range(0, max(1, w - occ.patch + 1), occ.stride)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            full[y:y + occ.patch, x:x + occ.patch] += occ.heat[i, j]
            count[y:y + occ.patch, x:x + occ.patch] += 1
    full /= np.maximum(count, 1)
    out, k = _upscale(_overlay(rgb, full))
    t = occ.target
    _draw_box(out, t, f"{t.label} {t.confidence:.2f} (max drop {occ.heat.max():.2f})", k)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), out)
    return path


# ---------------------------------------------------------------- feature maps (torch)

def feature_maps(model: Any, rgb: np.ndarray, imgsz: int) -> dict[str, np.ndarray]:
    """Detect-head inputs for one image: ``{"P3": (C, H/8, W/8), "P4": ..., "P5": ...}`` as numpy.

    ``model`` is an Ultralytics ``YOLO`` detection model (from :func:`gymvision.yolo.models.load_yolo`).
    """
    import torch

    net = model.model
    head = net.model[-1]
    sources = list(head.f) if isinstance(head.f, list | tuple) else [head.f]
    captured: dict[int, np.ndarray] = {}
    hooks = []
    for idx in sources:
        def hook(_m: Any, _inp: Any, out: Any, idx: int = idx) -> None:
            captured[idx] = out[0].detach().float().cpu().numpy()

        hooks.append(net.model[idx].register_forward_hook(hook))
    boxed, _ = letterbox(rgb, (imgsz, imgsz))
    x = torch.from_numpy(boxed.transpose(2, 0, 1)[None].astype(np.float32) / 255.0)
    try:
        net.eval()
        with torch.no_grad():
            net(x)
    finally:
        for hk in hooks:
            hk.remove()
    names = LEVELS if len(sources) == 3 else tuple(f"P{i + 3}" for i in range(len(sources)))
    return {name: captured[idx] for name, idx in zip(names, sources, strict=True)}


def feature_png(rgb: np.ndarray, fmap: np.ndarray, imgsz: int, path: Path, level: str, top: int = 8) -> Path:
    """Mean activation over the image plus the ``top`` most active channels, as one PNG."""
    boxed, _ = letterbox(rgb, (imgsz, imgsz))
    mean = np.abs(fmap).mean(axis=0)
    tile = 160
    panels = [cv2.resize(_overlay(boxed, mean), (tile, tile))]
    order = np.argsort(-np.abs(fmap).reshape(len(fmap), -1).mean(axis=1))[:top]
    for c in order:
        ch = fmap[c] - fmap[c].min()
        ch = ch / ch.max() if ch.max() > 0 else ch
        img = cv2.applyColorMap((ch * 255).astype(np.uint8), cv2.COLORMAP_VIRIDIS)
        img = cv2.resize(img, (tile, tile), interpolation=cv2.INTER_NEAREST)
        cv2.putText(img, f"ch {c}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA)
        panels.append(img)
    cols = 3
    while len(panels) % cols:
        panels.append(np.zeros_like(panels[0]))
    rows = [np.hstack(panels[i:i + cols]) for i in range(0, len(panels), cols)]
    grid = np.vstack(rows)
    title = np.zeros((24, grid.shape[1], 3), np.uint8)
    stride = imgsz // max(1, fmap.shape[-1])
    cv2.putText(title, f"{level}: {fmap.shape[0]} channels, {fmap.shape[1]}x{fmap.shape[2]} "
                       f"(stride {stride}); mean |activation| + top channels",
                (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1, cv2.LINE_AA)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.vstack([title, grid]))
    return path


def explain(model_path: Path, rgb: np.ndarray, out_dir: Path, imgsz: int | None = None,
            patch: int | None = None, stride: int | None = None) -> dict[str, Path]:
    """Write ``detections.png``, ``occlusion.png`` and, for ``.pt`` weights, ``p3/p4/p5_features.png``.

    An ``.onnx`` model gives the occlusion map only (feature maps need the torch weights).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = Path(model_path)
    paths: dict[str, Path] = {}
    yolo = None
    if model_path.suffix.lower() == ".onnx":
        from .onnx_detector import OnnxDetector

        detector: Any = OnnxDetector(model_path)
        imgsz = imgsz or detector.input_size[0]
    else:
        from .evaluate import UltralyticsDetector
        from .models import load_yolo

        yolo = load_yolo(model_path)
        imgsz = imgsz or int(yolo.overrides.get("imgsz") or 640)
        detector = UltralyticsDetector(yolo, imgsz=imgsz)
    dets = detector.detect(rgb, conf=0.05)
    shown, k = _upscale(np.ascontiguousarray(rgb[:, :, ::-1]).copy())
    for d in dets[:10]:
        _draw_box(shown, d, scale=k)
    paths["detections"] = out_dir / "detections.png"
    cv2.imwrite(str(paths["detections"]), shown)
    if dets:
        occ = occlusion_sensitivity(detector, rgb, max(dets, key=lambda d: d.confidence), patch, stride)
        paths["occlusion"] = occlusion_png(rgb, occ, out_dir / "occlusion.png")
    else:
        log.warning("nothing detected: no occlusion map")
    if yolo is not None:
        for level, fmap in feature_maps(yolo, rgb, imgsz).items():
            paths[level] = feature_png(rgb, fmap, imgsz, out_dir / f"{level.lower()}_features.png", level)
    return paths
