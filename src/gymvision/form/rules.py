"""Per-exercise coaching rules, each measured on one rep and gated on visibility and camera view.

A rule measures one number per rep (degrees, a ratio or seconds), flags a fault when it crosses a
coach's threshold, and names the synthetic generator's fault it detects (for the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .view import ANY, FRONTAL, SAGITTAL
from .window import RepWindow

Measure = Callable[[RepWindow, str], float]


@dataclass(frozen=True)
class Rule:
    """One coaching rule; ``fault_if(value)`` decides, ``cue`` is formatted with ``n`` and ``v``."""

    exercise: str
    metric: str
    fault: str
    parts: tuple[str, ...]
    both_sides: bool
    views: frozenset[str]
    view_advice: str
    measure: Measure
    threshold: float
    above: bool
    cue: str

    def fault_if(self, value: float) -> bool:
        return bool(np.isfinite(value) and (value > self.threshold if self.above else value < self.threshold))


# -- measurements ------------------------------------------------------------------------------------

def _squat_depth(w: RepWindow, side: str) -> float:
    """Thigh angle at the bottom: positive when the hip stays above the knee (above parallel)."""
    hip, knee = w.point("hip", side)[:, :2], w.point("knee", side)[:, :2]
    dy = knee[:, 1] - hip[:, 1]
    dx = np.abs(knee[:, 0] - hip[:, 0])
    ang = np.degrees(np.arctan2(dy, dx))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    return float(np.nanmin(ang[lo:hi])) if np.isfinite(ang[lo:hi]).any() else float("nan")


def _window(w: RepWindow, t0: float, t1: float) -> tuple[int, int]:
    return w.index(t0), w.index(t1) + 1


def _torso_lean_at_bottom(w: RepWindow, side: str) -> float:
    """Torso angle from vertical at the bottom of the rep (degrees)."""
    return abs(w.around(w.tilt("hip", "shoulder", side), w.i_turn, 2))


def _knees_in(w: RepWindow, side: str) -> float:
    """Knee separation / ankle separation at the bottom (< 1: knees inside the feet)."""
    i = w.i_turn
    kl, kr = w.point("knee", "left")[:, :2], w.point("knee", "right")[:, :2]
    al, ar = w.point("ankle", "left")[:, :2], w.point("ankle", "right")[:, :2]
    k = np.linalg.norm(kl - kr, axis=1)
    a = np.linalg.norm(al - ar, axis=1)
    return w.around(k, i, 2) / max(w.around(a, i, 2), 1e-6)


def _hip_line(w: RepWindow, side: str) -> np.ndarray:
    """Signed bend at the hip (deg): positive when the hip sags below the shoulder–ankle line."""
    sh, hp, an = (w.point(p, side)[:, :2] for p in ("shoulder", "hip", "ankle"))
    d = an - sh
    r = hp - sh
    cross = d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]
    dist = cross / np.maximum(np.linalg.norm(d, axis=1), 1e-6)
    # the line runs head → feet; "below" means larger image y: orient by the line direction
    below = np.sign(d[:, 0]) * dist
    seg = np.linalg.norm(r, axis=1)
    return np.degrees(np.arcsin(np.clip(below / np.maximum(seg, 1e-6), -1, 1)))


def _hip_sag(w: RepWindow, side: str) -> float:
    v = _hip_line(w, side)
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


def _hip_pike(w: RepWindow, side: str) -> float:
    return -_hip_sag(w, side)


def _elbow_at_turn_min(w: RepWindow, side: str) -> float:
    a = w.angle("shoulder", "elbow", "wrist", side)
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    return float(np.nanmin(a[lo:hi])) if np.isfinite(a[lo:hi]).any() else float("nan")


def _elbow_top(w: RepWindow, side: str) -> float:
    """Straightest elbow angle of the rep (the lockout)."""
    a = w.angle("shoulder", "elbow", "wrist", side)
    return float(np.nanpercentile(a, 95)) if np.isfinite(a).any() else float("nan")


def _elbow_top_both(w: RepWindow, side: str) -> float:
    return min(_elbow_top(w, "left"), _elbow_top(w, "right"))


def _uneven(w: RepWindow, side: str) -> float:
    """Largest left/right elbow-angle difference over the rep (degrees)."""
    al = w.angle("shoulder", "elbow", "wrist", "left")
    ar = w.angle("shoulder", "elbow", "wrist", "right")
    d = np.abs(al - ar)
    return float(np.nanpercentile(d, 80)) if np.isfinite(d).any() else float("nan")


def _back_lean(w: RepWindow, side: str) -> float:
    """Largest backward lean of the torso during the rep (degrees from vertical)."""
    lean = w.tilt("hip", "shoulder", side) * w.forward_sign(side)
    return float(-np.nanpercentile(lean, 5)) if np.isfinite(lean).any() else float("nan")


def _hips_rise_early(w: RepWindow, side: str) -> float:
    """How much the torso tips forward during the first 40 % of the pull (degrees)."""
    t0, t1 = w.event.start_s, w.event.turn_s
    tilt = np.abs(w.tilt("hip", "shoulder", side))
    lo = w.index(t0)
    mid = w.index(t0 + 0.4 * (t1 - t0))
    start = float(np.nanmedian(tilt[lo: lo + 2])) if np.isfinite(tilt[lo: lo + 2]).any() else np.nan
    early = float(np.nanmax(tilt[lo: mid + 1])) if np.isfinite(tilt[lo: mid + 1]).any() else np.nan
    return early - start


def _hip_lockout(w: RepWindow, side: str) -> float:
    a = w.angle("shoulder", "hip", "knee", side)
    return float(np.nanpercentile(a, 95)) if np.isfinite(a).any() else float("nan")


def _rounded_back(w: RepWindow, side: str) -> float:
    """Bend of the neck/upper back line at the bottom: 180 - angle(hip, shoulder, ear)."""
    a = w.angle("hip", "shoulder", "ear", side)
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    return float(180.0 - np.nanmin(a[lo:hi])) if np.isfinite(a[lo:hi]).any() else float("nan")


def _knee_top(w: RepWindow, side: str) -> float:
    a = w.angle("hip", "knee", "ankle", side)
    return float(np.nanpercentile(a, 95)) if np.isfinite(a).any() else float("nan")


def _swing(w: RepWindow, side: str) -> float:
    """Range of the torso angle during the rep (degrees)."""
    tilt = w.tilt("hip", "shoulder", side)
    ok = tilt[np.isfinite(tilt)]
    return float(np.percentile(ok, 95) - np.percentile(ok, 5)) if ok.size else float("nan")


def _eccentric_ratio(w: RepWindow, side: str) -> float:
    """Lowering time / lifting time."""
    ev = w.event
    return ev.eccentric_s / max(ev.concentric_s, 1e-3)


_SIDE = "film from the side"
RULES: tuple[Rule, ...] = (
    Rule("squat", "depth_above_parallel_deg", "shallow", ("hip", "knee"), False, SAGITTAL,
         f"{_SIDE} to check squat depth", _squat_depth, 5.0, True,
         "rep {n}: depth {v:.0f}° above parallel — sit lower"),
    Rule("squat", "torso_lean_deg", "forward_lean", ("hip", "shoulder"), False, SAGITTAL,
         f"{_SIDE} to check your back angle", _torso_lean_at_bottom, 50.0, True,
         "rep {n}: torso {v:.0f}° from vertical at the bottom — keep your chest up"),
    Rule("squat", "knee_to_ankle_width", "knees_in", ("knee", "ankle"), True, FRONTAL,
         "film from the front to check your knees", _knees_in, 0.85, False,
         "rep {n}: knees caved in to {v:.0%} of foot width — push them out"),
    Rule("push_up", "hip_sag_deg", "hip_sag", ("shoulder", "hip", "ankle"), False, SAGITTAL,
         f"{_SIDE} to check your hips", _hip_sag, 10.0, True,
         "rep {n}: hips sagging {v:.0f}° — brace your core"),
    Rule("push_up", "hip_pike_deg", "pike", ("shoulder", "hip", "ankle"), False, SAGITTAL,
         f"{_SIDE} to check your hips", _hip_pike, 12.0, True,
         "rep {n}: hips piked {v:.0f}° — keep a straight line"),
    Rule("push_up", "elbow_bottom_deg", "shallow", ("shoulder", "elbow", "wrist"), False, SAGITTAL,
         f"{_SIDE} to check push-up depth", _elbow_at_turn_min, 105.0, True,
         "rep {n}: elbows only bent to {v:.0f}° — lower your chest further"),
    Rule("bench_press", "elbow_bottom_deg", "shallow", ("shoulder", "elbow", "wrist"), False, ANY,
         "keep your arms in view to check bar depth", _elbow_at_turn_min, 105.0, True,
         "rep {n}: elbows only bent to {v:.0f}° — touch your chest"),
    Rule("bench_press", "elbow_top_deg", "no_lockout", ("shoulder", "elbow", "wrist"), False, ANY,
         "keep your arms in view to check lockout", _elbow_top, 155.0, False,
         "rep {n}: arms not locked out ({v:.0f}°)"),
    Rule("bench_press", "arm_difference_deg", "uneven", ("shoulder", "elbow", "wrist"), True,
         frozenset({"end", "front", "back", "diag"}), "film from the head or foot end to check both arms",
         _uneven, 12.0, True, "rep {n}: arms uneven by {v:.0f}° — press both sides together"),
    Rule("shoulder_press", "elbow_top_deg", "no_lockout", ("shoulder", "elbow", "wrist"), False, ANY,
         "keep your arms in view to check lockout", _elbow_top, 160.0, False,
         "rep {n}: not locked out overhead (elbows {v:.0f}°)"),
    Rule("shoulder_press", "back_lean_deg", "back_lean", ("hip", "shoulder"), False, SAGITTAL,
         f"{_SIDE} to check your back", _back_lean, 12.0, True,
         "rep {n}: leaning back {v:.0f}° — squeeze your glutes and brace"),
    Rule("deadlift", "early_hip_rise_deg", "hips_rise_early", ("hip", "shoulder"), False, SAGITTAL,
         f"{_SIDE} to check your hips", _hips_rise_early, 8.0, True,
         "rep {n}: hips shot up first (chest dropped {v:.0f}°) — push the floor away"),
    Rule("deadlift", "hip_top_deg", "no_lockout", ("shoulder", "hip", "knee"), False, SAGITTAL,
         f"{_SIDE} to check lockout", _hip_lockout, 165.0, False,
         "rep {n}: hips not locked out ({v:.0f}°) — stand tall"),
    Rule("deadlift", "back_round_deg", "rounded_back", ("hip", "shoulder", "ear"), False, SAGITTAL,
         f"{_SIDE} to check your back", _rounded_back, 40.0, True,
         "rep {n}: back rounding {v:.0f}° — keep your chest up and back flat"),
    Rule("leg_extension", "knee_top_deg", "partial", ("hip", "knee", "ankle"), False, SAGITTAL,
         f"{_SIDE} to check full extension", _knee_top, 160.0, False,
         "rep {n}: knee only extended to {v:.0f}° — straighten fully"),
    Rule("leg_extension", "torso_swing_deg", "swing", ("hip", "shoulder"), False, SAGITTAL,
         f"{_SIDE} to check for swinging", _swing, 10.0, True,
         "rep {n}: torso swung {v:.0f}° — keep your back on the pad"),
    Rule("leg_extension", "lower_lift_ratio", "fast_eccentric", (), False, ANY, "", _eccentric_ratio,
         0.6, False, "rep {n}: lowered too fast ({v:.1f}× the lifting time) — take 2 s down"),
)


def rules_for(exercise: str) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.exercise == exercise)
