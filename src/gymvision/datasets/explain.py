"""Explain a photo's prediction: occlusion sensitivity heat map + pose-feature attributions.

Occlusion: a grey window slides over the image; for each position the pose is re-estimated and
the recogniser re-run, and the drop in the explained exercise's probability is spread over the
window's pixels (mean over the windows covering each pixel). Windows that do not touch the person's
box (padded) leave the person untouched, so their pose is taken from the clean image (cached): drop 0.

Features: each feature of the clean pose is replaced by values from a background set of poses and
the drop in probability is averaged (a one-feature-at-a-time, SHAP-like occlusion in feature space).

For the web app: :func:`explain_image` takes a :class:`~gymvision.pipeline.Pipeline` and an RGB
array and returns an :class:`ExplainResult` with the heat map, a PNG and the attributions.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..pose import PoseEstimator
from ..results import Pose

log = logging.getLogger(__name__)

PoseFn = Callable[[np.ndarray], Pose | None]
#: Probability of the explained class for each of a batch of poses.
BatchProbFn = Callable[[Sequence[Pose]], Sequence[float]]


@dataclass
class Attribution:
    name: str
    value: float
    importance: float  # mean drop of the explained class's probability when this feature is replaced


@dataclass
class ExplainResult:
    exercise: str           # the explained class (the predicted one unless a target was given)
    confidence: float       # its probability on the clean image
    decided: str            # the pipeline's decision (may be "unknown")
    probabilities: dict[str, float]
    heatmap: np.ndarray     # (H, W) float32 in the input's pixels: mean probability drop
    png: bytes              # heat map over the image
    attributions: list[Attribution] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None
    windows: int = 0
    evaluated: int = 0      # windows that needed the pose model (touching the person)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "confidence": round(self.confidence, 4), "decided": self.decided,
                "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
                "bbox": None if self.bbox is None else [round(v, 1) for v in self.bbox],
                "windows": self.windows, "evaluated": self.evaluated, "seconds": round(self.seconds, 2),
                "heatmap_max": round(float(self.heatmap.max(initial=0.0)), 4),
                "attributions": [{"name": a.name, "value": round(a.value, 3),
                                  "importance": round(a.importance, 4)} for a in self.attributions]}


def windows(width: int, height: int, size: int, stride: int) -> list[tuple[int, int, int, int]]:
    """Window boxes (x0, y0, x1, y1) covering the image; the last row/column is flush with the edge."""
    def starts(n: int) -> list[int]:
        if n <= size:
            return [0]
        s = list(range(0, n - size + 1, stride))
        if s[-1] != n - size:
            s.append(n - size)
        return s

    return [(x, y, min(width, x + size), min(height, y + size))
            for y in starts(height) for x in starts(width)]


def touches(win: tuple[int, int, int, int], box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = win
    return x0 < box[2] and x1 > box[0] and y0 < box[3] and y1 > box[1]


def occlusion_map(rgb: np.ndarray, pose_fn: PoseFn, prob_fn: BatchProbFn, p_clean: float,
                  box: tuple[float, float, float, float], *, window: int = 32, stride: int = 24,
                  fill: int = 128, progress: Callable[[int, int], None] | None = None
                  ) -> tuple[np.ndarray, int, int]:
    """Mean drop of the explained class's probability per pixel; returns (map, windows, evaluated).

    Poses are estimated window by window; the recogniser then runs once on all of them (a lost
    person counts as probability 0).
    """
    h, w = rgb.shape[:2]
    wins = windows(w, h, window, stride)
    hits = [k for k, win in enumerate(wins) if touches(win, box)]
    poses: dict[int, Pose] = {}
    for n, k in enumerate(hits):
        x0, y0, x1, y1 = wins[k]
        occ = rgb.copy()  # a fresh array: MediaPipe marks the arrays it is given read-only
        occ[y0:y1, x0:x1] = fill
        pose = pose_fn(occ)
        if pose is not None:
            poses[k] = pose
        if progress is not None and n % 4 == 0:
            progress(n, len(hits))
    probs = dict(zip(poses, prob_fn(list(poses.values())), strict=True)) if poses else {}
    total = np.zeros((h, w), np.float64)
    cover = np.zeros((h, w), np.float64)
    for x0, y0, x1, y1 in wins:
        cover[y0:y1, x0:x1] += 1
    for k in hits:
        x0, y0, x1, y1 = wins[k]
        total[y0:y1, x0:x1] += p_clean - float(probs.get(k, 0.0))
    if progress is not None:
        progress(len(hits), len(hits))
    return (total / np.maximum(cover, 1)).astype(np.float32), len(wins), len(hits)


def overlay_png(rgb: np.ndarray, heat: np.ndarray, title: str,
                box: tuple[float, float, float, float] | None = None) -> bytes:
    """The heat map (red = confidence lost when hidden) over a grey copy of the image, with a colour bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    h, w = heat.shape
    vmax = max(0.05, float(np.abs(heat).max(initial=0.0)))
    fig, ax = plt.subplots(figsize=(max(4.0, 7.0 * w / max(h, w)) + 1.2, max(3.0, 7.0 * h / max(h, w))),
                           dpi=100)
    ax.imshow(rgb.mean(axis=2), cmap="gray", vmin=0, vmax=255)
    im = ax.imshow(heat, cmap="RdBu_r", vmin=-vmax, vmax=vmax, alpha=0.55)
    if box is not None:
        ax.add_patch(Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1], fill=False,
                               edgecolor="yellow", linewidth=1.5, linestyle="--"))
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.035, pad=0.02, label="confidence drop when hidden")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def attribute_features(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, background: np.ndarray,
                       names: Sequence[str], class_index: int, top: int | None = None) -> list[Attribution]:
    """Per feature: mean drop of class ``class_index``'s probability when replaced by background values.

    ``predict`` maps an (N, F) array to (N, C) probabilities. NaNs in ``x`` (features that could not
    be measured) get importance 0.
    """
    x = np.asarray(x, np.float64).reshape(-1)
    bg = np.asarray(background, np.float64).reshape(-1, x.size)
    base = float(predict(x[None])[0, class_index])
    rows = np.repeat(x[None], bg.shape[0] * x.size, axis=0).reshape(x.size, bg.shape[0], x.size)
    for j in range(x.size):
        rows[j, :, j] = bg[:, j]
    probs = predict(rows.reshape(-1, x.size))[:, class_index].reshape(x.size, bg.shape[0])
    drops = base - np.nanmean(probs, axis=1)
    out = [Attribution(str(n), float(x[j]), 0.0 if np.isnan(x[j]) else float(drops[j]))
           for j, n in enumerate(names)]
    out.sort(key=lambda a: -abs(a.importance))
    return out[:top] if top else out


def explain_image(pipeline: Any, rgb: np.ndarray, *, window: int = 32, stride: int = 24,
                  max_side: int = 640, target: str | None = None, fill: int = 128, margin: float = 0.1,
                  progress: Callable[[int, int], None] | None = None,
                  pose_fn: PoseFn | None = None) -> ExplainResult:
    """Explain the recogniser's decision on one photo (RGB uint8). Raises ValueError without a person.

    The image is analysed downscaled to ``max_side`` (the window and stride are in those pixels);
    the heat map is returned at the input's size.
    """
    import cv2
    from threadpoolctl import threadpool_limits

    from ..exercises import normalise_name
    from ..media import resize_max_side

    t0 = time.perf_counter()
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("expected an RGB uint8 image")
    small, scale = resize_max_side(rgb, max_side)
    own = None
    occluded_fn = pose_fn
    if pose_fn is None:
        from ..pose import PoseEstimator

        s = pipeline.settings
        own = PoseEstimator(s.pose_model, static=True, min_detection_confidence=s.min_detection_confidence)
        pose_fn = occluded_fn = own.process
        one = single_pass(own)
        if one is not None and one(small.copy()) is not None:
            occluded_fn = one  # found without the photo retries: occluded copies skip them too
    assert pose_fn is not None and occluded_fn is not None
    try:
        pose = pose_fn(small.copy())
        if pose is None:
            raise ValueError("no person found in the image; nothing to explain")
        rec = pipeline.recognizer
        probs = rec.predict_pose(pose)
        decided, _ = _decide(pipeline, probs, pose)
        label = normalise_name(target) if target else max(probs, key=probs.__getitem__)
        p0 = float(probs.get(label, 0.0))
        box = person_box(pose, margin)
        with threadpool_limits(1):  # one-row predictions are ~10x slower with spinning OpenMP threads
            heat, n_win, n_eval = occlusion_map(small, occluded_fn, target_probs(rec, label), p0, box,
                                                window=window, stride=stride, fill=fill, progress=progress)
    finally:
        if own is not None:
            own.close()
    h, w = rgb.shape[:2]
    if scale != 1.0:
        heat = cv2.resize(heat, (w, h), interpolation=cv2.INTER_LINEAR)
    full_box = tuple(v / scale for v in box)
    with threadpool_limits(1):
        attributions = pose_attributions(rec, pose, label)
    title = f"{label} {p0:.2f} (decision: {decided})"
    png = overlay_png(rgb, heat, title, full_box)  # type: ignore[arg-type]
    return ExplainResult(label, p0, decided, {k: float(v) for k, v in probs.items()}, heat, png, attributions,
                         full_box, n_win, n_eval, time.perf_counter() - t0)  # type: ignore[arg-type]


def single_pass(est: Any) -> PoseFn | None:
    """One pass of the estimator's main graph, without its photo retries (downscale, lower threshold,
    quarter turns), which cost up to four more passes on every window that hides the person."""
    if not isinstance(est, PoseEstimator):
        return None
    return lambda rgb: est.process(rgb, retry=False)


def person_box(pose: Pose, margin: float = 0.1) -> tuple[float, float, float, float]:
    """Where occlusion can change the pose: the padded box of the visible-landmark box and of all
    33 landmarks (hidden ones included: the model still places them, and covering them matters)."""
    h_pad = pose.bbox()
    pts = pose.xy
    x1, y1 = min(h_pad[0], float(pts[:, 0].min())), min(h_pad[1], float(pts[:, 1].min()))
    x2, y2 = max(h_pad[2], float(pts[:, 0].max())), max(h_pad[3], float(pts[:, 1].max()))
    m = margin * max(x2 - x1, y2 - y1)  # hands, feet and hair reach past the landmarks
    return (x1 - m, y1 - m, x2 + m, y2 + m)


def _decide(pipeline: Any, probs: dict[str, float], pose: Pose) -> tuple[str, float]:
    """The pipeline's decision (with its evidence gate when it takes the poses)."""
    try:
        return pipeline.decide(probs, [pose])
    except TypeError:  # an older/simpler decide(probs)
        return pipeline.decide(probs)


def target_probs(rec: Any, label: str) -> BatchProbFn:
    """Batch probability of ``label`` through the recogniser (``predict_poses`` when it has one)."""
    batch = getattr(rec, "predict_poses", None)
    classes = list(getattr(rec, "classes", []))
    if callable(batch) and label in classes:
        j = classes.index(label)
        return lambda poses: [float(v) for v in np.asarray(batch(poses))[:, j]]
    return lambda poses: [float(rec.predict_pose(p).get(label, 0.0)) for p in poses]


def pose_attributions(rec: Any, pose: Pose, label: str, top: int = 15) -> list[Attribution]:
    """Feature attributions through the recogniser's feature interface; [] if it has none."""
    try:
        from .. import features
    except ImportError:
        return []
    fn = getattr(rec, "explain_features", None)
    if callable(fn):  # the recogniser may provide its own
        return [Attribution(*a) if not isinstance(a, Attribution) else a for a in fn(pose, label)][:top]
    try:
        x = np.asarray(features.pose_features(pose), np.float64)  # type: ignore[attr-defined]
        names = list(features.FEATURE_NAMES)  # type: ignore[attr-defined]
        predict = rec.predict_features  # type: ignore[attr-defined]
        classes = list(rec.classes)
        bg = background_features(rec, x.size)
    except (AttributeError, TypeError, ValueError) as exc:
        log.info("no feature attributions: %s", exc)
        return []
    if label not in classes:
        return []
    return attribute_features(predict, x, bg, names, classes.index(label), top)


def background_features(rec: Any, n_features: int, n: int = 32, seed: int = 0) -> np.ndarray:
    """Background rows: the recogniser's own sample if it keeps one, else synthetic poses of all classes."""
    bg = getattr(rec, "background", None)
    if bg is not None:
        bg = np.asarray(bg, np.float64)
        if bg.ndim == 2 and bg.shape[1] == n_features:
            return bg[:n]
    from .. import features, synth
    from ..exercises import EXERCISES

    rows = []
    rng = np.random.default_rng(seed)
    for k, ex in enumerate(EXERCISES):
        seq = synth.generate_sequence(ex, n_reps=1, seed=seed + k)
        poses = [p for p in seq.poses if p is not None]
        for p in rng.choice(len(poses), size=min(len(poses), max(1, n // len(EXERCISES))), replace=False):
            rows.append(np.asarray(features.pose_features(poses[int(p)]), np.float64))  # type: ignore[attr-defined]
    return np.array(rows)
