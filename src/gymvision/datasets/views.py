"""Camera view of a pose, coarse enough to stratify a split: front/side/back × upright/lying."""

from __future__ import annotations

import math

import numpy as np

from ..landmarks import L
from ..results import Pose

UNKNOWN_VIEW = "unknown"
VIEWS = tuple(f"{f}-{p}" for p in ("upright", "lying") for f in ("front", "side", "back"))


def estimate_view(pose: Pose | None, min_visibility: float = 0.3, side_ratio: float = 0.45,
                  lying_deg: float = 50.0) -> str:
    """``"front-upright"``, ``"side-lying"``, … or ``"unknown"`` when the torso is not visible.

    Posture: the torso (shoulder mid-point → hip mid-point) is more than ``lying_deg`` off the image
    vertical. Facing: shoulders narrower than ``side_ratio`` × torso length read as a side view;
    otherwise the sign of (torso × right→left shoulder) tells front (left shoulder on the image right
    of an upright person) from back — a test that holds for any in-plane rotation.
    """
    if pose is None:
        return UNKNOWN_VIEW
    idx = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
    if float(np.min(pose.visibility[idx])) < min_visibility and \
            float(np.mean(pose.visibility[idx])) < 0.5:
        return UNKNOWN_VIEW
    xy = pose.xy.astype(np.float64)
    ls, rs, lh, rh = (xy[i] for i in idx)
    torso = (lh + rh) / 2 - (ls + rs) / 2
    length = float(np.hypot(*torso))
    if length < 1e-6:
        return UNKNOWN_VIEW
    posture = "lying" if math.degrees(math.atan2(abs(torso[0]), abs(torso[1]))) > lying_deg else "upright"
    shoulders = ls - rs
    if float(np.hypot(*shoulders)) < side_ratio * length:
        facing = "side"
    else:
        cross = torso[0] * shoulders[1] - torso[1] * shoulders[0]
        facing = "front" if cross < 0 else "back"
    return f"{facing}-{posture}"
