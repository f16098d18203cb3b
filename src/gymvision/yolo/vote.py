"""Turn detector output into the exercise of a photo or a video (pose still drives reps and form)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..exercises import UNKNOWN
from ..landmarks import L
from ..results import Detection, Pose

#: How often the pipeline runs the detector on video frames (seconds); the label is per video.
DETECTOR_EVERY_S = 0.5


def pick_for_pose(dets: Sequence[Detection], pose: Pose | None) -> Detection | None:
    """The most confident detection whose box holds the person's torso centre (else the most confident)."""
    if not dets:
        return None
    if pose is None:
        return max(dets, key=lambda d: d.confidence)
    torso = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
    cx, cy = np.mean(pose.xy[torso], axis=0)
    inside = [d for d in dets if d.bbox[0] <= cx <= d.bbox[2] and d.bbox[1] <= cy <= d.bbox[3]]
    return max(inside or dets, key=lambda d: d.confidence)


def scale_detection(det: Detection, factor: float) -> Detection:
    """The same detection in an image ``factor`` times larger."""
    return Detection(tuple(float(v) * factor for v in det.bbox), det.label, det.confidence)  # type: ignore[arg-type]


def vote_track(picks: Sequence[Detection | None], min_share: float = 0.5,
               threshold: float = 0.0) -> tuple[str, float, Detection | None]:
    """Exercise of a video from per-frame picks: confidence-weighted vote over the frames.

    Returns ``(label, confidence, box)``: ``confidence`` is the winner's share of the vote times
    its mean confidence; ``box`` is the median of the winner's boxes. ``unknown`` when fewer than
    ``min_share`` of the sampled frames have a detection or the confidence is below ``threshold``.
    """
    seen = [d for d in picks if d is not None]
    if not picks or len(seen) < min_share * len(picks):
        return UNKNOWN, 0.0, None
    weight: dict[str, float] = defaultdict(float)
    for d in seen:
        weight[d.label] += d.confidence
    label = max(weight, key=weight.__getitem__)
    mine = [d for d in seen if d.label == label]
    share = weight[label] / sum(weight.values())
    confidence = float(share * np.mean([d.confidence for d in mine]))
    box = tuple(float(v) for v in np.median(np.array([d.bbox for d in mine]), axis=0))
    if confidence < threshold:
        return UNKNOWN, confidence, None
    return label, confidence, Detection(box, label, confidence)  # type: ignore[arg-type]
