"""Squat or deadlift, told by where the hands carry the load: for the close calls the recogniser leaves.

Frame by frame a deadlift's floor seen from the side and a squat's bottom look alike to the recogniser,
and on real clips it split its votes between the two (a side-view deadlift demo read squat 0.32,
deadlift 0.12). What tells them apart in any level view is the load: a deadlift's bar hangs from
straight arms, below the hips all the way, while the trunk bends far over to reach it; a squat's bar
sits on the back, a dumbbell or kettlebell at the chest, or the arms reach forward for balance.
A squat holding dumbbells at the sides hangs its hands too, but keeps the trunk up, and stays
undecided.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..reps.signals import PoseArrays, body_scale, vertical_channel
from ..results import Pose

#: A deadlift: the hands below the hips (median over the frames, % of the body scale) ...
HANDS_HANG_MAX = -5.0
#: ... and the trunk far over at its lowest: its height over the hips (5th percentile) at most this
#: share of its highest (95th). Real deadlifts 0.17–0.52, squats 0.35–0.81 (31 clips).
HINGE_MAX = 0.55
#: A squat: the hands held up, at least this far over the hips (real squats 11–104 %, deadlifts ≤ -7 %).
HANDS_UP_MIN = 10.0
#: Frames with the hands, shoulders and hips seen that the test needs.
MIN_FRAMES = 10


def squat_or_deadlift(poses: Sequence[Pose | None]) -> str | None:
    """``"deadlift"``, ``"squat"`` or None (undecided, or too little seen) for a pose sequence."""
    arrays = PoseArrays.from_poses(list(poses))
    scale = body_scale(arrays.xyz, arrays.vis)
    if not np.isfinite(scale).any():
        return None
    ref = np.full(len(scale), float(np.nanmedian(scale)))
    with np.errstate(all="ignore"):
        hands = vertical_channel(arrays.xyz, arrays.vis, "wrist_over_hip", ref)
        trunk = vertical_channel(arrays.xyz, arrays.vis, "shoulder_over_hip", ref)
    ok = np.isfinite(hands) & np.isfinite(trunk)
    if ok.sum() < MIN_FRAMES:
        return None
    held = float(np.median(hands[ok]))
    if held >= HANDS_UP_MIN:
        return "squat"
    low, high = np.percentile(trunk[ok], [5, 95])
    if held <= HANDS_HANG_MAX and high > 0 and low / high <= HINGE_MAX:
        return "deadlift"
    return None
