"""Several people in one image: MediaPipe PoseLandmarker (tasks API) with ``num_poses > 1``.

The ``.task`` bundles are built from the same BlazePose files at install time
(``scripts/fetch_pose_models.py``). Used to count people and to choose the person to analyse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..landmarks import L
from ..results import Pose
from .estimator import model_path


def bundle_path(model: str) -> Path:
    """Location of the PoseLandmarker bundle for a landmark model."""
    return model_path(model).parent / f"gymvision_pose_landmarker_{model}.task"


class PeopleDetector:
    """Finds up to ``max_people`` persons in a still image. Not thread-safe: one per thread."""

    def __init__(self, model: str = "full", max_people: int = 4, min_confidence: float = 0.3) -> None:
        path = bundle_path(model)
        if not path.exists():
            from .estimator import PoseModelMissing

            raise PoseModelMissing(f"multi-person model {path.name} is missing; run scripts/install.sh")
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)), running_mode=vision.RunningMode.IMAGE,
            num_poses=max_people, min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence, output_segmentation_masks=False)
        self._landmarker = vision.PoseLandmarker.create_from_options(opts)

    def detect(self, rgb: np.ndarray) -> list[Pose]:
        """All people found, as poses in pixels of ``rgb``."""
        h, w = rgb.shape[:2]
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        res = self._landmarker.detect(image)
        poses = []
        for i, lms in enumerate(res.pose_landmarks):
            xyz = np.array([[p.x * w, p.y * h, p.z * w] for p in lms], dtype=np.float32)
            vis = np.array([p.visibility for p in lms], dtype=np.float32)
            world = None
            if i < len(res.pose_world_landmarks):
                world = np.array([[p.x, p.y, p.z] for p in res.pose_world_landmarks[i]], dtype=np.float32)
            poses.append(Pose(xyz, vis, (w, h), world, float(np.mean(vis))))
        return poses

    def close(self) -> None:
        self._landmarker.close()


def prominence(pose: Pose) -> float:
    """How likely this is the person being coached: big, central, clearly visible."""
    x1, y1, x2, y2 = pose.bbox()
    w, h = pose.image_size
    area = (x2 - x1) * (y2 - y1) / float(w * h)
    core = pose.xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=0)
    off_centre = float(np.hypot((core[0] - w / 2) / w, (core[1] - h / 2) / h))
    vis = float(np.mean(pose.visibility[11:29]))
    return area * (1.0 - min(0.9, off_centre)) * (0.3 + vis)


def same_person(a: Pose, b: Pose) -> bool:
    """True when two detections overlap mostly (IoU of their boxes > 0.5)."""
    ax1, ay1, ax2, ay2 = a.bbox()
    bx1, by1, bx2, by2 = b.bbox()
    iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return union > 0 and inter / union > 0.5
