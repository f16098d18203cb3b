"""Per-exercise coaching rules, each measured on one rep and gated on visibility and camera view.

A rule measures one number per rep (degrees, a ratio or seconds), flags a fault when it crosses a
coach's threshold, and names the synthetic generator's fault it detects (for the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..geometry import point_line_distance
from ..reps.filters import median_gaps, savgol_gaps
from .view import CHEST_ON, FOOT_END, FRONT, FRONTAL, SAGITTAL, SIDE
from .window import PARTS, RepWindow

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
    #: Withheld rules never cue nor advise (a wrong cue is worse than none); they are still measured
    #: for the benchmark (``FormResult.shadow``) so that their precision/recall stays known.
    active: bool = True
    #: Values between ``sure`` and ``threshold`` are within the pose model's error of a clean rep: such
    #: a rep is a fault only when it also falls more than ``set_margin`` short of the set's best rep
    #: (see ``evaluate.compare_within_set``). None: every value past the threshold is a fault.
    sure: float | None = None
    set_margin: float = 0.0
    #: A second condition the fault needs besides the value past the threshold, read on the same rep and
    #: side (a squatted pull: the trunk stays upright *and* the hips sink low). None: the value decides.
    requires: Callable[[RepWindow, str], bool] | None = None

    def _past(self, value: float, edge: float) -> bool:
        return bool(np.isfinite(value) and (value > edge if self.above else value < edge))

    def fault_if(self, value: float) -> bool:
        return self._past(value, self.threshold)

    def flags(self, value: float, w: RepWindow, side: str) -> bool:
        """Whether the rep shows the fault: the value past the threshold and ``requires`` met."""
        return self.fault_if(value) and (self.requires is None or self.requires(w, side))

    def sure_fault(self, value: float) -> bool:
        """Past ``sure`` too: a fault whatever the rest of the set did."""
        return self._past(value, self.threshold if self.sure is None else self.sure)


# -- measurements ------------------------------------------------------------------------------------

def _squat_depth(w: RepWindow, side: str) -> float:
    """Thigh angle at the bottom: positive when the hip stays above the knee (above parallel)."""
    hip, knee = w.point("hip", side)[:, :2], w.point("knee", side)[:, :2]
    dy = knee[:, 1] - hip[:, 1]
    dx = np.abs(knee[:, 0] - hip[:, 0])
    ang = _smooth(w, np.degrees(np.arctan2(dy, dx)))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    return float(np.nanmin(ang[lo:hi])) if np.isfinite(ang[lo:hi]).any() else float("nan")


def _smooth(w: RepWindow, v: np.ndarray, window_s: float = 0.35) -> np.ndarray:
    """Running median then Savitzky–Golay over the rep's frames (NaN-safe)."""
    dt = float(np.median(np.diff(w.t))) if len(w.t) > 1 else 1 / 30
    return savgol_gaps(median_gaps(np.asarray(v, float), dt), dt, window_s)


def _squat_knee(w: RepWindow, side: str) -> float:
    """Smallest knee angle of the rep in the image (degrees; 180 = straight leg; side views)."""
    a = _smooth(w, w.angle("hip", "knee", "ankle", side, planar=True))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    return float(np.nanmin(a[lo:hi])) if np.isfinite(a[lo:hi]).any() else float("nan")


def _window(w: RepWindow, t0: float, t1: float) -> tuple[int, int]:
    return w.index(t0), w.index(t1) + 1


def _forward_drift(w: RepWindow, side: str) -> float:
    """How far the head drifts ahead of the feet mid-squat, beyond where it is standing and at the
    bottom (% of the hip–ear length).

    Balanced, a squatter keeps the head and shoulders over mid-foot all the way down and up; a chest
    that falls forward carries them ahead of the feet part-way down or up. Mid-squat (knees 20–80 %
    of the way to the bottom) against the larger of the standing and bottom positions, so that a
    lifter who simply leans more at the bottom (long thighs, bar low on the back) is not flagged.
    The ear rather than the shoulder: the bar, the plates and raised arms hide the shoulder.
    """
    fwd = w.forward_sign(side)
    ear = w.point("ear", side)[:, :2]
    trunk = np.linalg.norm(ear - w.point("hip", side)[:, :2], axis=1)
    t_len = float(np.nanpercentile(trunk, 90)) if np.isfinite(trunk).any() else float("nan")
    ahead = _smooth(w, (ear[:, 0] - w.point("ankle", side)[:, 0]) * fwd / max(t_len, 1e-6))
    knee = _smooth(w, w.angle("hip", "knee", "ankle", side, planar=True))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    a, k = ahead[lo:hi], knee[lo:hi]
    ok = np.isfinite(a) & np.isfinite(k)
    a, k = a[ok], k[ok]
    if a.size < 8:
        return float("nan")
    k_top, k_bot = float(np.percentile(k, 95)), float(np.min(k))
    if k_top - k_bot < 20:
        return float("nan")
    q = (k_top - k) / (k_top - k_bot)  # 0 standing, 1 at the bottom
    mid = (q > 0.2) & (q < 0.8)
    if mid.sum() < 2:
        return float("nan")
    standing = float(np.median(a[q < 0.1])) if (q < 0.1).any() else float("-inf")
    base = max(standing, float(np.median(a[q > 0.9])))
    return 100.0 * (float(np.max(a[mid])) - base)


def _knees_in(w: RepWindow, side: str) -> float:
    """Knee gap / the gap the straight hip–ankle lines leave at the knees, at the bottom (< 1: knees in).

    A knee that tracks over the foot stays on (or, with the toes turned out, outside) the 2D line from
    its hip to its ankle in a front view; a caving knee falls inside it. Comparing the knee gap with the
    feet's width instead called every wide stance a cave (the hips are narrow, so the knees sit between
    hips and feet: clean wide squats read 0.4–0.6) and a single frame at the turn missed caves at 15 fps.
    Median over the bottom 30 % of the hip's travel.
    """
    g = {(p, s): w.point(p, s)[:, :2] for p in ("hip", "knee", "ankle") for s in ("left", "right")}
    kg = np.linalg.norm(g["knee", "left"] - g["knee", "right"], axis=1)
    out = np.zeros_like(kg)  # how far both knees sit outside their hip–ankle lines (pixels)
    for s, o in (("left", "right"), ("right", "left")):
        h, an = g["hip", s], g["ankle", s]
        d = point_line_distance(g["knee", s], h, an)
        out += -np.sign(point_line_distance(g["ankle", o], h, an)) * d  # positive away from the other leg
    hy = w.point("hip", "mid")[:, 1]
    ok = np.isfinite(hy) & np.isfinite(kg) & np.isfinite(out)
    if ok.sum() < 3:
        return float("nan")
    top, bot = np.percentile(hy[ok], 5), np.percentile(hy[ok], 95)
    low = ok & (hy >= top + 0.7 * (bot - top))
    if low.sum() < 2 or not bot > top:
        return float("nan")
    return float(np.median(kg[low] / np.maximum(kg[low] - out[low], 1e-6)))


def _hip_line(w: RepWindow, side: str) -> np.ndarray:
    """Signed bend at the hip (deg): positive when the hip sags below the shoulder–knee line.

    The knee (not the ankle) closes the line so that push-ups from the knees are judged the same way.
    """
    sh, hp, an = (w.point(p, side)[:, :2] for p in ("shoulder", "hip", "knee"))
    d = an - sh
    r = hp - sh
    dist = point_line_distance(hp, sh, an)
    # the line runs head → feet; "below" means larger image y: orient by the line direction
    below = np.sign(d[:, 0]) * dist
    seg = np.linalg.norm(r, axis=1)
    return np.degrees(np.arcsin(np.clip(below / np.maximum(seg, 1e-6), -1, 1)))


def _hip_sag(w: RepWindow, side: str) -> float:
    v = _hip_line(w, side)
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


def _hip_pike(w: RepWindow, side: str) -> float:
    return -_hip_sag(w, side)


def _vert(w: RepWindow, upper: str, lower: str, side: str) -> np.ndarray:
    """(n,) height of ``upper`` over ``lower`` in the image (pixels, up positive); side may be "mid"."""
    return w.point(lower, side)[:, 1] - w.point(upper, side)[:, 1]


def _pushup_depth(w: RepWindow, side: str) -> float:
    """Shoulder height over the hand at the bottom, as % of its height at the top (one body side).

    The better-seen side's shoulder over its own hand (both arms averaged needed both arms seen, and
    the far one is mostly hidden by the body from the side); the top is the rep's highest point
    (95th percentile), not the detected start and end.
    """
    return _bottom_share(w, "shoulder", "wrist", side)


def _bottom_share(w: RepWindow, upper: str, lower: str, side: str) -> float:
    """Lowest height of ``upper`` over ``lower`` in the rep, as % of its top (95th percentile)."""
    v = _smooth(w, _vert(w, upper, lower, side))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    seg = v[lo:hi][np.isfinite(v[lo:hi])]
    if seg.size < 5:
        return float("nan")
    top = float(np.percentile(seg, 95))
    return 100.0 * float(np.min(seg)) / top if top > 0 else float("nan")


def _seen_at(w: RepWindow, parts: tuple[str, ...], side: str, i: int, half: int = 2) -> bool:
    """Whether all ``parts`` of one body side are visible around frame ``i`` (median visibility)."""
    idx = [PARTS[p][0 if side == "left" else 1] for p in parts]
    return bool(np.median(w.vis[max(0, i - half): i + half + 1][:, idx], axis=0).min() >= 0.5)


def _bench_depth(w: RepWindow, side: str) -> float:
    """Hand height over the shoulders at the bottom, as % of its height at lockout (0 = bar on chest).

    Per arm seen at the turn (the plates, the bar and the other arm hide wrists and shoulders exactly
    at the bottom, and a hidden landmark there is a guess), averaged. Against the rep's own top rather
    than the arm's length, like push-up depth: the camera's tilt scales both alike.
    """
    vals = [_bottom_share(w, "wrist", "shoulder", sd) for sd in ("left", "right")
            if _seen_at(w, ("wrist", "shoulder"), sd, w.i_turn)]
    vals = [v for v in vals if v == v]
    return float(np.mean(vals)) if vals else float("nan")


def _elbows_at_top(w: RepWindow, side: str) -> float:
    """Straightest 2D elbow angle of the rep, both arms averaged (degrees; 180 = locked out).

    A straight arm projects to a straight line from any camera, so a lockout never reads bent; a bent
    arm mostly reads straighter than it is (its bend partly seen edge-on), which the threshold allows
    for (front, back and 45° views; from the side one arm hides the other). Hand height
    over the arm's length read unfinished presses as lockouts, because the longest arm seen in such a
    rep is itself foreshortened (it never straightens).
    """
    return _straightest_elbows(w, 0)


def _straightest_elbows(w: RepWindow, lo: int) -> float:
    """Both arms' straightest 2D elbow angle (95th percentile) from frame ``lo`` on, averaged."""
    tops = []
    for sd in ("left", "right"):
        a = _smooth(w, w.angle("shoulder", "elbow", "wrist", sd, planar=True))[lo:]
        if np.isfinite(a).sum() >= 3:
            tops.append(float(np.nanpercentile(a, 95)))
    return float(np.mean(tops)) if len(tops) == 2 else float("nan")


def _bench_lockout(w: RepWindow, side: str) -> float:
    """Straightest 2D elbow angle from the bottom of the rep to its end (the rep's own lockout), both
    arms averaged (degrees).

    From the turn on: the window also holds the previous rep's lockout, which says nothing about this
    one. Filmed from the head or foot end, a flared elbow bends across the image; from above, the arms
    point at the camera and any bend reads straight, so the rep is not judged when the longer arm at the
    top looks shorter than ``_ARMS_SEEN`` torso lengths (end views: the torso is the one foreshortened).
    """
    lo = w.i_turn
    left, right = (np.linalg.norm(w.point("wrist", sd)[lo:, :2] - w.point("shoulder", sd)[lo:, :2], axis=1)
                   for sd in ("left", "right"))
    arms = np.fmax(left, right)
    torso = w.scale()
    if not np.isfinite(arms).any() or not torso > 0 or np.nanpercentile(arms, 90) < _ARMS_SEEN * torso:
        return float("nan")
    return _straightest_elbows(w, lo)


#: Shoulder-to-wrist length at a bench press's top over the 2D torso length under which the arms point
#: too much at the camera for their bend to show (synthetic clips: overhead views 0.6–1.4, end views
#: 1.3–6.6; at 1.2 the phones high above the feet still gave 2D bends on clean lockouts).
_ARMS_SEEN = 2.0


def _line_angle(w: RepWindow, part: str) -> np.ndarray:
    d = w.point(part, "left")[:, :2] - w.point(part, "right")[:, :2]
    d = np.where(d[:, :1] < 0, -d, d)  # direction-free
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]))


def _uneven(w: RepWindow, side: str) -> float:
    """Largest tilt of the hands' line against the shoulders' line during the rep (degrees).

    Both lines are level in a good press, so their difference cancels the camera's roll.
    """
    tilt = _smooth(w, np.abs(_line_angle(w, "wrist") - _line_angle(w, "shoulder")))
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    seg = tilt[lo:hi][np.isfinite(tilt[lo:hi])]
    return float(np.max(seg)) if seg.size else float("nan")


def _lean(w: RepWindow, side: str) -> np.ndarray:
    """(n,) forward lean of the trunk from vertical (degrees; backwards negative), smoothed."""
    return _smooth(w, w.tilt("hip", "shoulder", side) * w.forward_sign(side))


def _legs(w: RepWindow, side: str) -> np.ndarray:
    """(n,) forward tilt of the legs (ankle → hip) from vertical, the same way as :func:`_lean`: standing
    tall it is the camera's roll, which a lean is judged against."""
    return _smooth(w, w.tilt("ankle", "hip", side) * w.forward_sign(side))


def _back_lean(w: RepWindow, side: str) -> float:
    """How far the trunk leans back behind the legs during a standing press (degrees, mean over the rep).

    Hip → ear against ankle → hip: standing, the legs are the vertical a coach judges the trunk by, and
    the comparison cancels the camera's roll (hip → ear rather than hip → shoulder: the pressing arm
    hides the shoulder from the side). The lean over the whole rep rather than against its start: the
    lifter who leans back is already leaning at the rack. Seated presses are not judged (NaN): the
    backrest's own recline varies as much as the fault.
    """
    knee = w.angle("hip", "knee", "ankle", side, planar=True)
    if not float(np.nanmedian(knee)) > 150:  # seated (or not standing tall)
        return float("nan")
    fwd = w.forward_sign(side)
    rel = _smooth(w, (w.tilt("hip", "ear", side) - w.tilt("ankle", "hip", side)) * fwd)
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    seg = rel[lo:hi][np.isfinite(rel[lo:hi])]
    return float(-np.mean(seg)) if seg.size >= 5 else float("nan")


#: Off the floor the trunk leans 40–70° (sumo ~35°); a rep that starts more upright is a rack pull, or
#: BlazePose misread the start with the plates over the legs (two real side-view reps read 19° and 23°).
_PULL_MIN_LEAN = 30.0


def _hips_rise_early(w: RepWindow, side: str) -> float:
    """How much further the back tilts over after the bar leaves the floor (degrees; high = hips shot up).

    Off the floor the hips and shoulders rise together, so the back keeps its angle or comes up;
    when the hips shoot up the knees snap straight while the shoulders stay low, and the back tilts
    further over before the chest rises. The trunk's lean rather than the knee angle: from the side
    the plates hide the knees, and BlazePose's knee angle jumps by 30–50° there on real pulls. Not judged
    (NaN) when the trunk starts within ``_PULL_MIN_LEAN`` of upright: not a pull from the floor.
    """
    lo, hi = w.index(w.event.start_s), w.index(w.event.turn_s) + 1
    lean = _lean(w, side)[lo:hi]
    if np.sum(np.isfinite(lean)) < 4 or not np.isfinite(lean[:3]).any():
        return float("nan")
    start = float(np.nanmedian(lean[:3]))
    return float(np.nanmax(lean) - start) if start >= _PULL_MIN_LEAN else float("nan")


def _deadlift_lockout(w: RepWindow, side: str) -> float:
    """Forward lean of the trunk against the legs where it is most upright (degrees; 0 = standing tall).

    Against the legs (ankle → hip) rather than the image's vertical: at lockout the legs stand straight
    up, while a phone held 8–10° askew reads a straight stand as that much lean. The most upright
    moment rather than the detected turn, so that a misplaced turn does not matter.
    """
    lean = _lean(w, side)
    legs = _legs(w, side)
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    rel, ln = (lean - legs)[lo:hi], lean[lo:hi]
    ok = np.isfinite(rel) & np.isfinite(ln)
    if ok.sum() < 3:
        return float("nan")
    rel, ln = rel[ok], ln[ok]
    return float(np.median(rel[ln <= np.percentile(ln, 10)]))


#: A pull from the floor drops the hips by at least this share of their standing height over the ankles;
#: a smaller bend is a rack pull or a counted shrug, and whether it was hinged is not judged.
_PULL_MIN_DROP = 0.2
#: A squatted pull sits the hips down to at least this share (a hinged pull drops them 0.3–0.47 of the
#: way; the generator's squatted pulls 0.5–0.7, the real knee-dominant sets 0.52–0.60).
_SQUAT_PULL_DROP = 0.45
#: The first and last moments of a rep window are left out of the hinge check: there the detected rep
#: can take in the set-up of the rep before or after it.
_HINGE_EDGE_S = 0.15


def _pull_span(w: RepWindow) -> tuple[int, int]:
    return _window(w, w.event.start_s + _HINGE_EDGE_S, w.event.end_s - _HINGE_EDGE_S)


def _hip_drop(w: RepWindow, side: str) -> float:
    """How far the hips sink in the rep, as a share of their standing height over the ankles."""
    lo, hi = _pull_span(w)
    hip, ankle = w.point("hip", side)[lo:hi, 1], w.point("ankle", side)[lo:hi, 1]
    ok = np.isfinite(hip) & np.isfinite(ankle)
    if ok.sum() < 5:
        return float("nan")
    stand = float(np.percentile(hip[ok], 5))  # image y grows downwards
    return (float(np.percentile(hip[ok], 95)) - stand) / max(float(np.median(ankle[ok])) - stand, 1e-6)


def _hinge_lean(w: RepWindow, side: str) -> float:
    """How far the trunk leans forward in the rep, against the legs standing tall (degrees; 90th
    percentile over the rep, so that it reads the lean at the floor).

    A hinged pull leans the trunk 40–70° over at the floor (sumo and trap-bar pulls 30–45°); a lifter
    who squats the bar up sits down between the heels with the chest within about 20° of upright.
    Over the rep, not at its detected start: at the floor the plates hide the hips and BlazePose
    misreads a frame or two. Against the legs' tilt when standing tall, to cancel a phone held askew.
    NaN when the hips drop under ``_PULL_MIN_DROP`` (not a pull from the floor).
    """
    if not _hip_drop(w, side) >= _PULL_MIN_DROP:
        return float("nan")
    lo, hi = _pull_span(w)
    lean = _lean(w, side)[lo:hi]
    legs = _legs(w, side)[lo:hi]
    ok = np.isfinite(lean) & np.isfinite(legs)
    if ok.sum() < 5:
        return float("nan")
    lean, legs = lean[ok], legs[ok]
    upright = lean <= np.percentile(lean, 10)
    return max(0.0, float(np.percentile(lean - float(np.median(legs[upright])), 90)))  # never behind


def _hips_sank(w: RepWindow, side: str) -> bool:
    """The squatted pull's other half: the hips sank to ``_SQUAT_PULL_DROP`` of their height."""
    return bool(_hip_drop(w, side) >= _SQUAT_PULL_DROP)


def _rounded_back(w: RepWindow, side: str) -> float:
    """How far the shoulders bulge ahead of the hip–ear line at the floor (% of torso length)."""
    hp, sh, ear = (w.point(p, side)[:, :2] for p in ("hip", "shoulder", "ear"))
    r = sh - hp
    ahead = point_line_distance(sh, hp, ear) * w.forward_sign(side)
    bulge = _smooth(w, ahead / np.maximum(np.linalg.norm(r, axis=1), 1e-6))
    return 100.0 * w.around(bulge, w.index(w.event.start_s), 2)


def _knee_top(w: RepWindow, side: str) -> float:
    """Straightest knee angle of the rep (degrees, side view; 180 = fully extended)."""
    a = _smooth(w, w.angle("hip", "knee", "ankle", side, planar=True))
    return float(np.nanpercentile(a, 95)) if np.isfinite(a).any() else float("nan")


def _swing(w: RepWindow, side: str) -> float:
    """How far the trunk rocks during the rep (degrees), from the shoulder's travel over the knee.

    On the machine the knee stays put and the shoulder is well seen, while the hip hides behind the
    thigh and the handles; the shoulder's horizontal range over the torso length gives the angle. The
    knee is taken where it sits over the rep (median): BlazePose now and then draws the far knee for a
    frame or two as the legs cross in the image, which read as 20–40° swings on rendered clean reps.
    """
    sh, kn = w.point("shoulder", side)[:, :2], w.point("knee", side)[:, :2]
    torso = np.linalg.norm(sh - w.point("hip", side)[:, :2], axis=1)
    t_len = float(np.nanpercentile(torso, 75)) if np.isfinite(torso).any() else float("nan")
    if not np.isfinite(kn[:, 0]).any():
        return float("nan")
    x = _smooth(w, sh[:, 0] - float(np.nanmedian(kn[:, 0])))
    ok = x[np.isfinite(x)]
    if ok.size < 3 or not t_len > 0:
        return float("nan")
    rng = float(np.percentile(ok, 95) - np.percentile(ok, 5)) / t_len
    return float(np.degrees(np.arcsin(min(rng, 1.0))))


def _crossing(t: np.ndarray, v: np.ndarray, level: float, rising: bool, last: bool) -> float:
    """Time at which ``v`` crosses ``level`` (linear interpolation); the last or first such crossing."""
    a, b = v[:-1], v[1:]
    idx = np.flatnonzero((a < level) & (b >= level) if rising else (a >= level) & (b < level))
    if not idx.size:
        return float("nan")
    j = int(idx[-1] if last else idx[0])
    return float(t[j] + (level - a[j]) / (b[j] - a[j]) * (t[j + 1] - t[j]))


def _lowering_time_ratio(w: RepWindow, side: str) -> float:
    """Time taken to lower the weight / time taken to lift it (1 = as slow down as up).

    Both from the rep's own knee-angle curve: the time the knee takes to pass the middle half of its
    range (25 % → 75 % of the way) on the way up and on the way down. The middle of the range rather
    than the rep's detected boundaries, which blur how long each phase took, and rather than peak
    speeds, which the smoothing flattens; only a running median (single-frame spikes) is applied.
    Gated on the knee and ankle only: the hip often hides behind the thigh and the handles, and a
    guessed hip shifts the angle's level more than its timing. Both legs lift the pad together, so
    where the other leg is seen too the slower of the two is taken: as the legs cross in the image
    BlazePose now and then draws one ankle wrongly for a few frames, which cut a lowering short.
    """
    vals = [_one_leg_lowering_ratio(w, sd) for sd in ("left", "right")
            if sd == side or min(w.visibility("knee", sd), w.visibility("ankle", sd)) >= 0.5]
    vals = [v for v in vals if v == v]
    return max(vals) if vals else float("nan")


def _one_leg_lowering_ratio(w: RepWindow, side: str) -> float:
    """:func:`_lowering_time_ratio` on one leg."""
    dt = float(np.median(np.diff(w.t))) if len(w.t) > 1 else 1 / 30
    a = median_gaps(np.asarray(w.angle("hip", "knee", "ankle", side, planar=True), float), dt)
    lo, hi = _window(w, w.event.start_s, w.event.end_s)
    ok = np.isfinite(a[lo:hi])
    v, t = a[lo:hi][ok], w.t[lo:hi][ok]
    if v.size < 6:
        return float("nan")
    k = int(np.argmax(v))
    if k == 0 or k == v.size - 1:
        return float("nan")
    base = max(float(np.min(v[: k + 1])), float(np.min(v[k:])))
    rng = float(v[k]) - base
    if rng <= 0:
        return float("nan")
    l25, l75 = base + 0.25 * rng, base + 0.75 * rng
    rise_t, rise_v = t[: k + 1], v[: k + 1]
    up = _crossing(rise_t, rise_v, l75, True, True) - _crossing(rise_t, rise_v, l25, True, True)
    down = _crossing(t[k:], v[k:], l25, False, False) - _crossing(t[k:], v[k:], l75, False, False)
    return float(down / up) if up > 0 and down > 0 else float("nan")


_SIDE = "film from the side"
_FOOT_END = "film from beyond the foot of the bench, the phone a little above it, to check bar depth"
_ENDS = "film from beyond the head or the foot of the bench, the phone a little above it, to check lockout"
RULES: tuple[Rule, ...] = (
    Rule("squat", "knee_bottom_deg", "shallow", ("hip", "knee", "ankle"), False, SIDE,
         f"{_SIDE} to check squat depth", _squat_knee, 107.0, True,
         "rep {n}: knees bent only to {v:.0f}° at the bottom — squat deeper"),
    Rule("squat", "head_drift_pct", "forward_lean", ("hip", "ear", "knee", "ankle"), False, SIDE,
         f"{_SIDE} to check your back angle", _forward_drift, 7.5, True,
         "rep {n}: chest fell forward mid-squat, your head drifted {v:.0f}% of your torso further ahead"
         " of your feet than standing or at the bottom — keep your chest up"),
    Rule("squat", "knee_gap_to_leg_line", "knees_in", ("knee", "ankle"), True, FRONT,
         "film from the front to check your knees", _knees_in, 0.8, False,
         "rep {n}: knees caved in to {v:.0%} of the gap between your hip-to-ankle lines — push them out"),
    Rule("push_up", "hip_sag_deg", "hip_sag", ("shoulder", "hip", "knee"), False, SIDE,
         f"{_SIDE} to check your hips", _hip_sag, 1.5, True,
         "rep {n}: hips sagging {v:.0f}° — brace your core"),
    Rule("push_up", "hip_pike_deg", "pike", ("shoulder", "hip", "knee"), False, SIDE,
         f"{_SIDE} to check your hips", _hip_pike, 7.5, True,
         "rep {n}: hips piked {v:.0f}° — keep a straight line"),
    Rule("push_up", "bottom_height_pct", "shallow", ("shoulder", "wrist"), False, SIDE,
         f"{_SIDE} to check push-up depth", _pushup_depth, 52.0, True,
         "rep {n}: shoulders stopped at {v:.0f}% of their height at the top — lower your chest to the floor"),
    Rule("bench_press", "bottom_height_pct", "shallow", ("shoulder", "wrist"), False, FOOT_END,
         _FOOT_END, _bench_depth, 25.0, True,
         "rep {n}: bar stopped at {v:.0f}% of its lockout height over your shoulders — touch your chest"),
    Rule("bench_press", "elbow_lockout_deg", "no_lockout", ("shoulder", "elbow", "wrist"), True, CHEST_ON,
         _ENDS, _bench_lockout, 163.0, False,
         "rep {n}: arms not locked out (elbows straightened only to {v:.0f}°) — press to straight arms",
         active=False),
    Rule("bench_press", "bar_tilt_deg", "uneven", ("wrist", "shoulder"), True,
         frozenset({"end", "front", "back"}), "film from the head or foot end to check both arms",
         _uneven, 20.0, True, "rep {n}: bar tilted {v:.0f}° — press both sides evenly", active=False),
    Rule("shoulder_press", "elbow_top_deg", "no_lockout", ("shoulder", "elbow", "wrist"), True, FRONTAL,
         "film from the front or at 45° to check lockout", _elbows_at_top, 160.0, False,
         "rep {n}: not locked out overhead (elbows straightened only to {v:.0f}°) — press to straight arms",
         sure=125.0, set_margin=15.0),
    Rule("shoulder_press", "back_lean_deg", "back_lean", ("hip", "ear", "knee", "ankle"), False, SIDE,
         f"{_SIDE} to check your back", _back_lean, 5.0, True,
         "rep {n}: leaned back {v:.0f}° behind your legs while pressing — squeeze your glutes and brace"),
    Rule("deadlift", "back_tilt_gain_deg", "hips_rise_early", ("hip", "shoulder"),
         False, SAGITTAL, f"{_SIDE} to check your hips", _hips_rise_early, 8.0, True,
         "rep {n}: hips shot up first (back tilted {v:.0f}° further over off the floor)"
         " — push the floor away, chest and hips rising together"),
    Rule("deadlift", "lean_at_top_deg", "no_lockout", ("hip", "shoulder", "ankle"), False, SIDE,
         f"{_SIDE} to check lockout", _deadlift_lockout, 12.0, True,
         "rep {n}: not locked out (trunk {v:.0f}° forward at the top) — stand tall"),
    Rule("deadlift", "trunk_lean_max_deg", "hips_low", ("hip", "shoulder", "ankle"), False, SAGITTAL,
         f"{_SIDE} to check your hip hinge", _hinge_lean, 25.0, False,
         "rep {n}: squatted the pull (trunk leaned only {v:.0f}° forward) — push your hips back, shins"
         " near vertical, shoulders over the bar", requires=_hips_sank),
    Rule("deadlift", "back_round_pct", "rounded_back", ("hip", "shoulder", "ear"), False, SIDE,
         f"{_SIDE} to check your back", _rounded_back, 13.0, True,
         "rep {n}: upper back rounded ({v:.0f}% of the torso) — chest up, back flat", active=False),
    Rule("leg_extension", "knee_top_deg", "partial", ("hip", "knee", "ankle"), False, SIDE,
         f"{_SIDE} to check full extension", _knee_top, 158.0, False,
         "rep {n}: knee only extended to {v:.0f}° — straighten fully"),
    Rule("leg_extension", "torso_swing_deg", "swing", ("shoulder", "knee"), False, SIDE,
         f"{_SIDE} to check for swinging", _swing, 9.0, True,
         "rep {n}: torso swung {v:.0f}° — keep your back on the pad"),
    Rule("leg_extension", "lowering_time_ratio", "fast_eccentric", ("knee", "ankle"), False, SIDE,
         f"{_SIDE} to check the lowering", _lowering_time_ratio, 0.67, False,
         "rep {n}: lowered the weight in {v:.0%} of the time you took to lift it"
         " — lower it at least as slowly as you lift it"),
)


def rules_for(exercise: str) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.exercise == exercise)
