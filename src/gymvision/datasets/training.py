"""Train the exercise recogniser on a user's labelled photos and videos (optionally + synthetic data).

Poses are extracted once (static mode for photos, tracking mode for videos at the analysis rate);
the validation part is the data set's own val/test split when it has one (``dataset split`` output),
else a grouped, stratified 80/20 split (frames of one video never straddle it). Training itself is
the recognition package's function on feature arrays, so the model file works everywhere
(``--model PATH`` / ``GYMVISION_RECOGNIZER_PATH``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..results import Pose
from .layout import Dataset
from .split import Item, SplitConfig, Tracker, assign, group_key, no_track

log = logging.getLogger(__name__)


@dataclass
class Clip:
    """One labelled example: a photo (one pose) or a video (a pose track)."""

    source: str
    kind: str
    label: str
    group: str
    times: list[float]
    poses: list[Pose | None]
    split: str = "train"


@dataclass
class Examples:
    clips: list[Clip] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.clips)

    def part(self, split: str) -> list[Clip]:
        return [c for c in self.clips if c.split == split]


def photo_pose(est: Any, rgb: np.ndarray, max_side: int) -> Pose | None:
    from ..media import resize_max_side

    h, w = rgb.shape[:2]
    small, scale = resize_max_side(rgb, max_side)
    pose = est.process(small)
    return pose.scaled(1.0 / scale, (w, h)) if pose is not None and scale != 1.0 else pose


def video_track(path: Path, settings: Any,
                max_seconds: float = 120.0) -> tuple[list[float], list[Pose | None]]:
    """Pose track of a video at ``settings.analysis_fps`` (tracking mode), at most ``max_seconds``."""
    from ..media import iter_frames, resize_max_side
    from ..pose import PoseEstimator

    times: list[float] = []
    poses: list[Pose | None] = []
    with PoseEstimator(settings.pose_model, static=False) as est:
        for vf in iter_frames(path, sample_fps=settings.analysis_fps):
            if vf.t > max_seconds:
                break
            assert vf.rgb is not None
            small, scale = resize_max_side(vf.rgb, settings.max_side)
            pose = est.process(small)
            if pose is not None and scale != 1.0:
                pose = pose.scaled(1.0 / scale, (vf.rgb.shape[1], vf.rgb.shape[0]))
            times.append(vf.t)
            poses.append(pose)
    return times, poses


def extract_examples(ds: Dataset, settings: Any, *, track: Tracker = no_track,
                     val_share: float = 0.2, seed: int = 0) -> Examples:
    """Poses of every labelled file; files without a person or unreadable are reported and skipped."""
    from ..pose import PoseEstimator
    from .hashing import MediaError, load_rgb

    ex = Examples(problems=list(ds.problems))
    samples = ds.labelled
    with PoseEstimator(settings.pose_model, static=True,
                       min_detection_confidence=settings.min_detection_confidence) as est:
        for s in track(samples, "Extracting poses", len(samples)):
            assert s.label is not None
            try:
                if s.kind == "video":
                    times, poses = video_track(s.path, settings)
                    if sum(p is not None for p in poses) < 3:
                        ex.problems.append(f"{s.path}: person found in fewer than 3 frames; skipped")
                        continue
                else:
                    pose = photo_pose(est, load_rgb(s.path), settings.max_side)
                    if pose is None:
                        ex.problems.append(f"{s.path}: no person found; skipped")
                        continue
                    times, poses = [0.0], [pose]
            except (MediaError, OSError, ValueError) as exc:
                ex.problems.append(f"{s.path}: {exc}")
                continue
            ex.clips.append(Clip(str(s.path), s.kind, s.label, group_key(s.rel), times, poses,
                                 s.source_split or ""))
    assign_validation(ex.clips, val_share, seed)
    return ex


def assign_validation(clips: list[Clip], val_share: float = 0.2, seed: int = 0) -> None:
    """Use the data set's own split when present; else a grouped, stratified train/val split."""
    if any(c.split in ("val", "test") for c in clips) and any(c.split == "train" for c in clips):
        for c in clips:
            c.split = "val" if c.split in ("val", "test") else "train"
        return
    items = [Item(c.source, c.source, c.kind, c.label, c.group) for c in clips]
    assign(items, SplitConfig(ratios=(1 - val_share, val_share, 0.0), seed=seed))
    for c, it in zip(clips, items, strict=True):
        c.split = it.split or "train"
