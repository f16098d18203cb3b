"""BlazePose (MediaPipe) pose estimation: static mode for photos, tracking mode for streams."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..media import resize_max_side
from ..results import Pose

log = logging.getLogger(__name__)

COMPLEXITY = {"lite": 0, "full": 1, "heavy": 2}
MODEL_FILES = {"lite": "pose_landmark_lite.tflite", "full": "pose_landmark_full.tflite",
               "heavy": "pose_landmark_heavy.tflite"}


class PoseModelMissing(RuntimeError):
    """A landmark model file is not installed (never downloaded at run time)."""


def model_path(model: str) -> Path:
    """Where MediaPipe looks for the landmark model of this complexity."""
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / MODEL_FILES[model]


def check_model(model: str) -> None:
    """Raise PoseModelMissing with the fix when the model file is absent."""
    if model not in COMPLEXITY:
        raise ValueError(f"unknown pose model {model!r}; choose lite, full or heavy")
    if not model_path(model).exists():
        raise PoseModelMissing(
            f"the BlazePose '{model}' landmark model is not installed; run scripts/install.sh "
            "(it fetches the lite and heavy models from the npm registry once, at install time)")


class PoseEstimator:
    """One MediaPipe BlazePose graph. Not thread-safe: use one per thread/stream.

    ``static=True`` runs the person detector on every image (photos); ``static=False`` tracks the
    person between frames (video, webcam), which is faster and steadier.
    """

    def __init__(self, model: str = "full", *, static: bool = False, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        check_model(model)
        import mediapipe as mp

        self.model = model
        self.static = static
        self._args = dict(static_image_mode=static, model_complexity=COMPLEXITY[model],
                          smooth_landmarks=not static, enable_segmentation=False,
                          min_tracking_confidence=min_tracking_confidence)
        self._min_det = min_detection_confidence
        self._mp = mp
        self._graph = mp.solutions.pose.Pose(min_detection_confidence=min_detection_confidence, **self._args)
        self._fallback = None  # lower-threshold graph for photo retries, built on first need

    def process(self, rgb: np.ndarray, retry: bool = True) -> Pose | None:
        """Landmarks of the most prominent person in an RGB uint8 image, or None.

        In static mode a miss is retried (downscaled, lower threshold, turned a quarter) unless
        ``retry`` is False.
        """
        pose = self._run(self._graph, rgb)
        if pose is None and self.static and retry:
            pose = self._retry(rgb)
        return pose

    def _retry(self, rgb: np.ndarray) -> Pose | None:
        """Photos where the detector missed: try a 640 px copy, then a lower detection threshold."""
        h, w = rgb.shape[:2]
        small, scale = resize_max_side(rgb, 640)
        if scale < 1.0:
            pose = self._run(self._graph, small)
            if pose is not None:
                return pose.scaled(1.0 / scale, (w, h))
        if self._fallback is None:
            self._fallback = self._mp.solutions.pose.Pose(min_detection_confidence=0.3, **self._args)
        pose = self._run(self._fallback, small)
        if pose is None or float(np.mean(pose.visibility[11:29])) < 0.5:
            pose = self._rotated(small)  # people lying or in a plank: the detector prefers upright
        if pose is not None and float(np.mean(pose.visibility[11:29])) >= 0.5:
            return pose.scaled(1.0 / scale, (w, h)) if scale < 1.0 else pose
        return None

    def _rotated(self, rgb: np.ndarray) -> Pose | None:
        """Best pose found in the image turned a quarter either way, mapped back to its pixels."""
        h, w = rgb.shape[:2]
        best: Pose | None = None
        for k in (1, 3):
            found = self._run(self._graph, np.ascontiguousarray(np.rot90(rgb, k)))
            if found is None or (best is not None and found.score <= best.score):
                continue
            xr, yr, z = found.xyz[:, 0], found.xyz[:, 1], found.xyz[:, 2]
            if k == 1:  # turned anticlockwise: (x, y) -> (y, w-1-x)
                xyz = np.column_stack([w - 1 - yr, xr, z])
                world = None if found.world is None else found.world[:, [1, 0, 2]] * [-1, 1, 1]
            else:  # clockwise: (x, y) -> (h-1-y, x)
                xyz = np.column_stack([yr, h - 1 - xr, z])
                world = None if found.world is None else found.world[:, [1, 0, 2]] * [1, -1, 1]
            best = Pose(xyz, found.visibility, (w, h), world, found.score)
        return best

    @staticmethod
    def _run(graph: object, rgb: np.ndarray) -> Pose | None:
        h, w = rgb.shape[:2]
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError("expected an RGB uint8 image of shape (H, W, 3)")
        rgb = np.ascontiguousarray(rgb)
        rgb.flags.writeable = False
        res = graph.process(rgb)  # type: ignore[attr-defined]
        if res.pose_landmarks is None:
            return None
        lm = res.pose_landmarks.landmark
        xyz = np.array([[p.x * w, p.y * h, p.z * w] for p in lm], dtype=np.float32)
        vis = np.array([p.visibility for p in lm], dtype=np.float32)
        world = None
        if res.pose_world_landmarks is not None:
            world = np.array([[p.x, p.y, p.z] for p in res.pose_world_landmarks.landmark], dtype=np.float32)
        return Pose(xyz, vis, (w, h), world, float(np.mean(vis)))

    def close(self) -> None:
        for g in (self._graph, self._fallback):
            if g is not None:
                g.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
