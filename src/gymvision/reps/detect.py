"""Batch rep detection on a whole sequence (videos).

Steps: split the sequence where the person changes; resample each part to a uniform grid (bridging
gaps up to ``MAX_GAP_S``, longer ones where the other channel holds still); drop spikes (running median)
and smooth (Savitzky–Golay); pick the cleaner of the two channels (angle or vertical, by range-to-noise
ratio and how much of the clip each is known; a bench press's vertical channel reads the wrists alone
or on the whole forearm, whichever is cleaner) to count on; find turning points as peaks of the
oriented channel whose prominence passes a threshold that adapts to the person's own range
(``REL_ROM`` of their typical rep in that shot, ``SET_REL_ROM`` for arm lifts, never below the exercise
minimum); bound each rep where the speed falls to a tenth of its peak (or at a hold, for a press lifted
from hanging arms); keep it only if its duration, visibility and the other channel (which must move
the same way) are plausible. Rep-sized movements that are not kept are reported with why
(``Detection.missed``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import find_peaks, savgol_filter

from ..results import Pose
from .filters import median_gaps, resample, savgol_gaps, segments, uniform_grid
from .signals import (
    JUMP_RATIO,
    SEATED_MAX,
    SIGNAL_MIN_VIS,
    ExerciseSpec,
    PoseArrays,
    body_shift,
    extract,
    get_spec,
    person_changed,
    side_angles,
)

log = logging.getLogger(__name__)

#: A rep needs real (not interpolated) samples over at least this share of its duration.
MIN_OBSERVED = 0.4
#: Gaps (no usable landmarks) bridged by interpolation; longer ones split the sequence.
MAX_GAP_S = 1.0
#: A rep must reach this fraction of the person's typical range (adaptive threshold; live, where the
#: set is not known yet, the running typical).
REL_ROM = 0.25
#: ... batch, arm lifts, where the whole set's typical range is known. BlazePose drew a side-view bench
#: presser's locked-out arms folded for a moment, a dip of ~40 % of the range between two reps that
#: counted as a rep (0.35: rendered sets' counts within one 0.843 -> 0.861, the synthetic benchmark
#: unchanged; 0.4 lost a synthetic set's shallow reps). Not for legs: the hips' channel squeezes a
#: shallow squat's range, and the form benchmark lost 5 of its 69 shallow squats.
SET_REL_ROM = 0.35
#: Fraction of the range that marks leaving / reaching the rest level (live tracker).
ONSET_FRAC = 0.06
#: Filmed from the side, a set's median rep bends the joint by at least this many times the exercise's
#: ``side_min_rom_deg`` (the live tracker's per-rep minimum; a set has the median to judge by).
SIDE_SET_ROM = 1.4
#: Largest change of the raw channel per 1/30 s, as a fraction of the rep's range.
MAX_STEP_FRAC = 0.8
#: A rep starts/ends/turns where the speed drops under this fraction of its peak.
VEL_FRAC = 0.1
#: Window of the Savitzky–Golay derivative used for the speed.
VEL_WINDOW_S = 0.4
#: Reps count only in sets of at least this many, at most ``SET_GAP_S`` apart (batch only).
MIN_SET = 3
SET_GAP_S = 5.0
#: A set's first or last rep in which the body travels (the vertical channel's range) under
#: ``EDGE_TRAVEL`` of the set's median rep, the joint does even less of the work (travel per degree of
#: the joint over ``EDGE_PER_DEG`` times the set's median) and the body bends at the hips (2D hip
#: angle's range over ``EDGE_HIP_DEG`` and twice the set's median) is getting into or out of position,
#: not a rep: a real push-up set filmed from the floor began by lowering from a pike into the plank and
#: ended by getting up, both counted: travel 0.56 / 0.70 of the median rep, 2.0 / 1.8 times its travel
#: per degree of the elbows, the hips bending 131° / 12° against a median 5° in the set's reps. A shallow
#: push-up (generated) matches the first two but keeps the body straight. True edge reps on the real
#: clips travel at least 0.75 of the median (per degree at most 1.24 times it below 1.0 of the travel).
#: Judged in sets of at least ``EDGE_SET`` reps. Batch only: live, a rep is reported before the set
#: that would judge it.
EDGE_TRAVEL = 0.75
EDGE_PER_DEG = 1.5
EDGE_HIP_DEG = 10.0
EDGE_SET = 4
#: A rep's range must be at least this many noise standard deviations of its channel.
NOISE_K = 6.0
#: Linearise only a vertical offset that reaches this (% of body scale) when its segment is upright.
MIN_LINEARISE_REF = 40.0
#: Savitzky–Golay window.
SMOOTH_S = 0.3
#: The gating channel must move the rep's way by this fraction of its own minimum range.
GATE_FRAC = 0.4
#: Prefer the vertical channel unless the angle is this much cleaner.
ANGLE_PREFERENCE = 1.5
#: Time rep boundaries on the angle when its range-to-noise is at least this share of the vertical's.
TIMING_SNR = 0.5
#: The angle gates reps counted on the vertical channel only when its range-to-noise ratio reaches
#: this (else it is noise, e.g. a knee angle seen from the front while the shin swings at the camera).
GATE_MIN_SNR = 40.0
#: A rep this short of the counted channel's exercise minimum counts where the other channel confirms it.
SHORT_FLOOR = 0.75
#: Two turning points are one where the other channel gives back less than this share of its swing
#: between them (see ``_merge_split_turns``).
STAY_FRAC = 0.25
#: Two turning points whose valley gives back less than this share of the rise to each of them are one
#: rep with a hitch at the turn (or arms misdrawn for a moment at lockout), as the live tracker sees it.
HITCH_FRAC = 0.5
#: Slack on the exercise's rest position (``rest_min_v``, % of body scale) where the joint angle
#: reliably confirms each rep's direction (batch) and live: a camera looking down shortens a standing
#: squatter's hips-over-knees offset to 32–40 % (sitting is about 0).
REST_SLACK_V = 10.0
#: Slack on the seated check (``SEATED_MAX``, hips over knees at rest) in the same cases and live: a
#: camera looking down sees level thighs at up to ~60 % (a standing quad stretch starts at 70–100 %).
SEATED_SLACK_V = 20.0
#: A rep whose half at a run's edge (start or end of the recording, a long gap) lasts under this share
#: of its other half was cut off there and is not counted.
EDGE_HALF_FRAC = 0.25
#: A movement from a rest that is no start position (``ExerciseSpec.rest_min_v``) that holds still this
#: long at one and then goes on: the rep starts from the hold (a press after lifting the weight to the
#: shoulders from hanging arms). In batch, likewise, a rep that ends by lowering the weight to such a
#: rest ends at its last hold.
HOLD_S = 1.0
#: ... still: the counted channel stays within this share of the rep's range.
HOLD_BAND = 0.1
#: A rep half over this many times the other one that holds still (``HOLD_S``, within ``HOLD_BAND`` of
#: the other half's range) on its way to the turn starts (or ends) at that hold's rest level: its far
#: rest lies in another movement before (or after) the rep. A real bodyweight squatter walked back from
#: a phone on the floor (his hips-over-knees offset fell from 158 % to 80 % of the body scale), stood
#: 6 s, then squatted: the rep was timed from the walk, 10.5 s long, its turn 3.7 s early.
LOPSIDED = 1.5
#: A gap in one channel, however long, is bridged where the other channel moves less than this share
#: of its range over the part across it: the body held still (BlazePose lifts a deadlifter's near leg
#: at the lockout, and the hip angle is hidden while the shoulders stay up).
HOLD_STILL_FRAC = 0.1
#: The longest half of a rep cut off by the recording's start or end (see ``_half_reps``).
EDGE_HALF_MAX_S = 2.5
#: Ranges of "similar" reps: one rep's range over another's or over the person's typical one.
SIMILAR = (0.6, 1.67)


@dataclass
class RepSpan:
    """One detected repetition, in seconds, with its range and confidence."""

    start_s: float
    turn_s: float
    end_s: float
    rom_deg: float
    confidence: float
    #: failed only the other channel's magnitude gate but has the set's range: counted only inside a
    #: set of ``MIN_SET`` confirmed reps (see ``_in_sets``)
    tentative: bool = False
    #: range of the vertical channel over the rep (% of the body scale; NaN where unseen)
    travel: float = float("nan")
    #: range of the 2D hip angle over the rep (degrees, the more visible side; NaN where unseen)
    hip_bend: float = float("nan")


@dataclass
class Detection:
    """Detected reps plus the smoothed angle they were measured on."""

    reps: list[RepSpan]
    t: np.ndarray
    angle: np.ndarray
    side: str
    channel: str  # "angle" | "vertical"
    #: times the pose jumped (:func:`identity_breaks`)
    jumps: np.ndarray = field(default_factory=lambda: np.array([]))
    lost: float = 0.0  # share of the frames between the first and last pose seen without a pose
    #: confirmed reps of sets too short to count on their own (a heavy single or double, or a lone bend:
    #: see ``analysis.analyze_reps``, which keeps those the live tracker counts too)
    lone: list[RepSpan] = field(default_factory=list)
    #: rep-sized movements not counted, as (time, why): "edge" (half of it is outside the recording or
    #: a long gap: the clip starts or ends mid-rep) or "check" (it failed a check of a rep)
    missed: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class _Part:
    """One continuous stretch of the same person on a uniform grid."""

    t: np.ndarray
    angle: np.ndarray  # smoothed
    vert: np.ndarray  # smoothed
    raw: dict[str, np.ndarray]
    qual: np.ndarray
    observed: np.ndarray
    torso_up: np.ndarray
    thigh_up: np.ndarray
    vert0: np.ndarray | None = None  # the vertical channel before linearising (% of body scale)
    scale_px: float = float("nan")  # median body scale in pixels (a cut to a close-up changes it)
    forearm: np.ndarray | None = None  # smoothed ``signals.forearm_channel`` (lifts with ``forearms_up``)


class Continuity:
    """Whether each new pose continues the last one with a body scale (:func:`person_changed` within
    ``MAX_GAP_S``): a change means another person, or the pose model redrawing the body elsewhere."""

    def __init__(self, max_ratio: float = JUMP_RATIO) -> None:
        self.max_ratio = max_ratio
        self._last: tuple[float, np.ndarray, np.ndarray, float] | None = None  # time, xy, visibility, scale

    @property
    def last(self) -> tuple[float, np.ndarray, np.ndarray, float] | None:
        """The last pose fed with a body scale: (time, xy, visibility, scale)."""
        return self._last

    def jumped(self, t: float, xy: np.ndarray, vis: np.ndarray, scale: float) -> bool:
        """Feed one pose (``xy`` in pixels); frames without a finite ``scale`` are skipped."""
        if not np.isfinite(scale):
            return False
        prev, self._last = self._last, (t, xy, vis, scale)
        return prev is not None and t - prev[0] <= MAX_GAP_S and \
            person_changed(prev[1], prev[2], prev[3], xy, vis, scale, t - prev[0], max_ratio=self.max_ratio)


def identity_breaks(times: np.ndarray, arrays: PoseArrays) -> np.ndarray:
    """True at frames whose person is not the one of the previous usable frame."""
    xyz, vis, scale = arrays.xyz, arrays.vis, arrays.scale
    breaks = np.zeros(len(times), bool)
    continuity = Continuity()
    for i in np.flatnonzero(np.isfinite(scale)):
        breaks[i] = continuity.jumped(float(times[i]), xyz[i, :, :2], vis[i], float(scale[i]))
    return breaks


#: A body redrawn elsewhere (an identity break) that is back where it was within this long is the pose
#: model's glitch, not another person: BlazePose redraws a lifter for a moment when plates or a spotter
#: hide the body (a real side-view deadlift: the pose flipped twice for 0.1 s and its set of two reps
#: split into pieces, 0 counted). The excursion's frames are dropped and the rep goes on. Shorter than
#: the shortest rep (``ExerciseSpec.min_duration_s``): a fast rep whose jerk off the floor and drop back
#: both read as breaks also comes back where it was (at 1 s a synthetic 15 fps stripper pull lost a rep).
GLITCH_MAX_S = 0.4
#: "Where it was": the landmarks seen in both frames within this many body scales (median) of the last
#: pose before the break, at a body-scale ratio within ``JUMP_RATIO``.
GLITCH_RETURN_SCALES = 0.5


def returns_to(before: tuple[np.ndarray, np.ndarray, float], xy: np.ndarray, vis: np.ndarray,
               scale: float) -> bool:
    """Whether a pose (``xy`` in pixels) is back where ``before`` (xy, visibility, scale) was."""
    disp, ratio = body_shift(before[0], before[1], before[2], xy, vis, scale)
    return bool(disp <= GLITCH_RETURN_SCALES and ratio <= JUMP_RATIO)


def glitches(times: np.ndarray, arrays: PoseArrays, breaks: np.ndarray) -> np.ndarray:
    """Frames of the pose model's glitches (see ``GLITCH_MAX_S``): from an identity break up to a later
    break, within ``GLITCH_MAX_S``, whose pose is back where the body was before the first one."""
    xyz, vis, scale = arrays.xyz, arrays.vis, arrays.scale
    usable = np.flatnonzero(np.isfinite(scale))
    at = np.flatnonzero(breaks)
    drop = np.zeros(len(times), bool)
    k = 0
    while k < len(at):
        i = at[k]
        prev = usable[usable < i]
        k += 1
        if not prev.size:
            continue
        before = (xyz[prev[-1], :, :2], vis[prev[-1]], float(scale[prev[-1]]))
        for m in range(k, len(at)):
            j = at[m]
            if times[j] - times[i] > GLITCH_MAX_S:
                break
            if returns_to(before, xyz[j, :, :2], vis[j], float(scale[j])):
                drop[i:j] = True
                k = m + 1
                break
    return drop


#: A body lost for a moment and found again is first drawn too small or off place, and is back over
#: the next frames: BlazePose re-finding a side-view bench presser at each rep's bottom, where the bar
#: and plates hide the chest, drew the body 0.3-0.6 times its size for 0.1-0.3 s (a real set of 5 split
#: into four parts, 1 counted). Across a break (after :func:`glitches`) right after frames without a
#: pose, where the median pose over this long after it is back where the median pose over this long
#: before it was (``returns_to``), the same person carries on: the break goes, and so do the frames from
#: it up to the first that is back. Only after a loss: elsewhere a break is kept (a lying lifter's arms
#: reaching up to re-rack jump the body scale from the torso to the arm chain, and the break keeps the
#: re-rack from reading as a rep).
REJOIN_S = 1.0


def _median_pose(xyz: np.ndarray, vis: np.ndarray, scale: np.ndarray, idx: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, float]:
    """(median xy, median visibility, median body scale) of the frames ``idx``."""
    return (np.nanmedian(xyz[idx, :, :2], axis=0), np.median(vis[idx], axis=0),
            float(np.median(scale[idx])))


def rejoined(times: np.ndarray, arrays: PoseArrays, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(``breaks`` less those the same body carries on across, the frames to drop; see ``REJOIN_S``)."""
    xyz, vis, scale = arrays.xyz, arrays.vis, arrays.scale
    usable = np.isfinite(scale)
    out = breaks.copy()
    drop = np.zeros(len(times), bool)
    at = np.flatnonzero(breaks)
    for k, i in enumerate(at):
        if i == 0 or usable[i - 1]:
            continue  # not found again after a loss (a scale that jumps from one limb chain to another)
        lo = at[k - 1] if k else 0
        before = np.flatnonzero(usable[lo:i] & (times[lo:i] >= times[i] - REJOIN_S)) + lo
        after = np.flatnonzero(usable[i:] & (times[i:] < times[i] + REJOIN_S)) + i
        if len(before) < 3 or len(after) < 3:
            continue
        ref = _median_pose(xyz, vis, scale, before)
        if not returns_to(ref, *_median_pose(xyz, vis, scale, after)):
            continue
        back = next((j for j in after if returns_to(ref, xyz[j, :, :2], vis[j], float(scale[j]))), None)
        if back is None:
            continue
        out[i] = False
        drop[i:back] = True
        out[i:back] = False  # breaks inside the excursion go with it
    return out, drop


def _nearest_distance(sorted_t: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Distance from each query time to the nearest of ``sorted_t``."""
    pos = np.searchsorted(sorted_t, query)
    left = sorted_t[np.clip(pos - 1, 0, len(sorted_t) - 1)]
    right = sorted_t[np.clip(pos, 0, len(sorted_t) - 1)]
    return np.minimum(np.abs(query - left), np.abs(right - query))


def _velocity(x: np.ndarray, dt: float) -> np.ndarray:
    """Savitzky–Golay first derivative (units per second) over ``VEL_WINDOW_S``."""
    n = len(x)
    win = min(round(VEL_WINDOW_S / dt) | 1, n if n % 2 else n - 1)
    if win < 5:
        return np.gradient(x, dt) if n > 1 else np.zeros(n)
    return savgol_filter(x, win, 2, deriv=1, delta=dt, mode="interp")


def min_jerk(t: np.ndarray, x: np.ndarray, v: np.ndarray, lo: int, hi: int, a: float, b: float,
             rising: bool | None = None) -> tuple[float, float]:
    """Centre time and duration of a minimum-jerk move from level ``a`` to ``b`` seen in samples lo..hi.

    The classic model of a human point-to-point move: its duration is 1.875 × range / peak speed and
    it is centred on the half-way crossing (the one at or after the peak speed's last sample under half
    way, linearly interpolated).
    Only the samples up to the half-way crossing and the peak speed are needed, so the live tracker
    uses it on a return that has not reached its end yet. ``rising``: the move's direction where it is
    known (batch times a rep found on one channel on the other, whose levels may disagree).
    """
    d = 1.0 if (b >= a if rising is None else rising) else -1.0
    seg, vel, half = d * x[lo:hi + 1], d * v[lo:hi + 1], d * (a + b) / 2
    k = int(np.argmax(vel))
    vpk = max(float(vel[k]), 1e-6)
    j = k  # the last sample under half way at or before the peak speed, then on while still under
    while j > 0 and seg[j] > half:
        j -= 1
    while j + 1 < len(seg) - 1 and seg[j + 1] < half:
        j += 1
    j1 = min(j + 1, len(seg) - 1)
    frac = 0.0 if seg[j1] == seg[j] else float(np.clip((half - seg[j]) / (seg[j1] - seg[j]), 0, 1))
    return float(t[lo + j] + frac * (t[lo + j1] - t[lo + j])), 1.875 * abs(b - a) / vpk


def _bounds(x: np.ndarray, v: np.ndarray, t: np.ndarray, li: int, p: int, ri: int,
            lo_clip: int | None = None, hi_clip: int | None = None) -> tuple[float, float, float]:
    """Start, turn and end times of the excursion li → p → ri.

    Each half is taken as a minimum-jerk movement (``min_jerk``). That puts the boundaries where the
    motion really starts and stops, which thresholds on position or speed find late (slow reps) or not
    at all (noise). The turn is the middle of a pause between
    the two halves. Results are clipped to the rest points ``li`` and ``ri``.
    """
    mid_l, dur_l = min_jerk(t, x, v, li, p, float(x[li]), float(x[p]), rising=True)
    mid_r, dur_r = min_jerk(t, x, v, p, ri, float(x[p]), float(x[ri]), rising=False)
    # a speed threshold finds the boundaries earlier than the model for gentler (e.g. cosine)
    # profiles: take whichever reaches further out
    vpk_l = max(float(np.max(v[li:p + 1])), 1e-6)
    s = int(np.searchsorted(t, mid_l))
    while s > li and v[s - 1] > VEL_FRAC * vpk_l:
        s -= 1
    vpk_r = max(float(np.max(-v[p:ri + 1])), 1e-6)
    e = min(int(np.searchsorted(t, mid_r)), ri)
    while e < ri and -v[e + 1] > VEL_FRAC * vpk_r:
        e += 1
    start = max(min(mid_l - dur_l / 2, float(t[s])), float(t[li if lo_clip is None else lo_clip]))
    end = min(max(mid_r + dur_r / 2, float(t[e])), float(t[ri if hi_clip is None else hi_clip]))
    top_a = min(mid_l + dur_l / 2, float(t[p]))
    top_b = max(mid_r - dur_r / 2, float(t[p]))
    turn = float(np.clip((top_a + top_b) / 2, start, end))
    return start, turn, end


def _median_at(v: np.ndarray, i: int, half: int = 2) -> float:
    w = v[max(0, i - half): i + half + 1]
    w = w[np.isfinite(w)]
    return float(np.median(w)) if w.size else float("nan")


def _mean_finite(*values: float) -> float:
    ok = [v for v in values if np.isfinite(v)]
    return float(sum(ok) / len(ok)) if ok else float("nan")


def _noise(raw: np.ndarray, smooth: np.ndarray) -> float:
    """Robust standard deviation of the raw channel around its smoothed version."""
    ok = np.isfinite(raw) & np.isfinite(smooth)
    return 1.4826 * float(np.median(np.abs(raw[ok] - smooth[ok]))) if ok.sum() >= 10 else 0.0


def _snr(raw: np.ndarray, smooth: np.ndarray) -> tuple[float, float]:
    """(range, range / noise) of a channel: p95-p5 of the smoothed signal over the raw residual."""
    ok = np.isfinite(raw) & np.isfinite(smooth)
    if ok.sum() < 10:
        return 0.0, 0.0
    noise = 1.4826 * float(np.median(np.abs(raw[ok] - smooth[ok])))
    rng = float(np.percentile(smooth[ok], 95) - np.percentile(smooth[ok], 5))
    return rng, rng / max(noise, 1e-6)


def _orient(spec: ExerciseSpec, v: np.ndarray) -> np.ndarray:
    """The channel turned so that a rep's turning point is a maximum."""
    return v if spec.turn_high else -v


def _detect_run(spec: ExerciseSpec, part: _Part, channel: str, a: int, b: int, typical: float,
                timing: str, gate: str) -> tuple[list[RepSpan], list[tuple[float, str]]]:
    """The reps of the run ``a:b`` of ``part``, and the rep-sized movements not counted there
    (``Detection.missed``)."""
    t = part.t
    main = part.angle if channel == "angle" else part.vert
    other = part.vert if channel == "angle" else part.angle
    other_min = spec.min_range_v if channel == "angle" else spec.min_rom_deg
    min_range = spec.min_rom_deg if channel == "angle" else spec.min_range_v
    xr = _orient(spec, main[a:b])
    xo = _orient(spec, other)
    raw = part.raw[channel]
    noise = _noise(raw, main)
    dt = float(t[1] - t[0])
    xt = _orient(spec, (part.angle if timing == "angle" else part.vert)[a:b])
    if not np.isfinite(xt).all():
        xt = xr
    vt = _velocity(xt, dt)
    rel = SET_REL_ROM if spec.joint == "elbow" else REL_ROM
    thr = max(min_range, rel * typical)
    # a camera above or at an end foreshortens the counted channel: where the other channel reliably
    # confirms each rep, one short of the exercise minimum counts if the other moved a full minimum
    low = max(SHORT_FLOOR * min_range, rel * typical) if gate == "direction" else thr
    peaks, _ = find_peaks(xr, prominence=low)
    if gate == "direction":
        peaks = _merge_split_turns(peaks, xr, xo, a, GATE_FRAC * other_min)
    peaks = _merge_hitches(peaks, xr)
    reps: list[RepSpan] = []
    vv = part.vert0 if part.vert0 is not None else part.vert
    vv_run = vv[a:b]
    # a camera above shortens a standing squatter's offset: slack where the angle confirms each rep
    rest_min = spec.rest_min_v - (REST_SLACK_V if gate == "direction" else 0.0)
    least = max(low, NOISE_K * noise)  # the least range of a rep on this run
    n_hold = max(2, round(HOLD_S / dt))
    missed = _half_reps(spec, xr, vv_run, peaks, t[a:b], thr)
    bounds = [0, *peaks.tolist(), len(xr) - 1]
    for k, p in enumerate(peaks):
        lo, hi = bounds[k], bounds[k + 2]
        li = lo + int(np.argmin(xr[lo:p + 1]))
        ri = p + int(np.argmin(xr[p:hi + 1]))
        amp_l, amp_r = xr[p] - xr[li], xr[p] - xr[ri]
        tp = t[a + p]
        if min(amp_l, amp_r) < least:
            log.debug("t=%.2f: range %.0f/%.0f under %.0f (noise %.1f)", tp, amp_l, amp_r, thr, noise)
            continue
        # a half cut off by the run's edge (the recording, or a long gap, starts or ends inside it) was
        # barely seen: its start or end, hence its range, is unknown
        if (li == 0 and p - li < EDGE_HALF_FRAC * (ri - p)) or \
                (ri == len(xr) - 1 and ri - p < EDGE_HALF_FRAC * (p - li)):
            log.debug("t=%.2f: a half cut off at the edge (%d/%d samples)", tp, p - li, ri - p)
            missed.append((float(tp), "edge"))
            continue
        missed.append((float(tp), "check"))  # until it passes every check
        # the rest stretches either side: their far ends bound the rep (argmin may sit anywhere in them)
        tol_l, tol_r = 0.08 * amp_l, 0.08 * amp_r
        lo_clip = lo + int(np.argmax(xr[lo:li + 1] <= xr[li] + tol_l))
        hi_clip = hi - int(np.argmax(xr[ri:hi + 1][::-1] <= xr[ri] + tol_r))
        if np.isfinite(rest_min):
            held = _hold(xr, vv_run, li, p, rest_min, n_hold, HOLD_BAND * amp_l, least)
            if held is not None:
                lo_clip, li = held
                amp_l = xr[p] - xr[li]
            held = _hold(xr, vv_run, ri, p, rest_min, n_hold, HOLD_BAND * amp_r, least)
            if held is not None:
                hi_clip, ri = held
                amp_r = xr[p] - xr[ri]
        if amp_l > LOPSIDED * amp_r:  # the far rest lies in another movement before the rep
            held = _hold(xr, vv_run, li, p, None, n_hold, HOLD_BAND * amp_r, least)
            if held is not None:  # the rep starts from the hold's rest level
                lo_clip, li = _hold_rest(xr, held)
                amp_l = xr[p] - xr[li]
        elif amp_r > LOPSIDED * amp_l:  # ... or after it
            held = _hold(xr, vv_run, ri, p, None, n_hold, HOLD_BAND * amp_l, least)
            if held is not None:
                hi_clip, ri = _hold_rest(xr, held)
                amp_r = xr[p] - xr[ri]
        short = min(amp_l, amp_r) < thr
        t0, tt, t1 = _bounds(xt, vt, t[a:b], li, p, ri, lo_clip, hi_clip)
        s = int(np.searchsorted(t, t0) - a)
        e = int(min(np.searchsorted(t, t1), b - 1) - a)
        if not spec.min_duration_s <= t1 - t0 <= spec.max_duration_s:
            log.debug("t=%.2f: duration %.2f s", tp, t1 - t0)
            continue
        # squatting at the camera the thighs point at it at the bottom and the 2D knee angle straightens
        # again: it bends on the way down and again on the way up. The other channel's furthest point
        # in each half of the rep, the nearer of the two, where that beats its value at the turn.
        o_turn = _median_at(xo, a + p)
        halves = [xo[a + s:a + p + 1], xo[a + p:a + e + 1]]
        if gate == "direction" and all(np.isfinite(h).any() for h in halves):
            both = min(float(np.nanmax(h)) for h in halves)
            o_turn = max(o_turn, both) if np.isfinite(o_turn) else both
        o_rest = _mean_finite(_median_at(xo, a + s), _median_at(xo, a + e))
        gate_factor = 1.0
        tentative = False
        if np.isfinite(o_turn) and np.isfinite(o_rest):
            moved = o_turn - o_rest
            if gate == "magnitude":  # half the bar: the angle is known to be squeezed by the view
                moved, gate_factor = 2.0 * abs(moved), 0.85
            elif gate == "off":
                moved, gate_factor = np.inf, 0.7
            if short and moved < other_min:
                log.debug("t=%.2f: short rep, other channel moved %.1f (need %.1f)", tp, moved, other_min)
                continue
            if moved < GATE_FRAC * other_min:
                # an unreliable angle (a limb seen end-on) may hardly move in a real rep: one of the
                # set's range is kept if confirmed reps surround it (a lone sway is not counted)
                fits = SIMILAR[0] <= min(amp_l, amp_r) / max(typical, 1e-6) <= SIMILAR[1]
                if gate != "magnitude" or not fits:
                    log.debug("t=%.2f: other channel moved %.1f (need %.1f)", tp, moved,
                              GATE_FRAC * other_min)
                    continue
                log.debug("t=%.2f: other channel moved %.1f (need %.1f): tentative", tp, moved,
                          GATE_FRAC * other_min)
                tentative, gate_factor = True, 0.6
        else:
            gate_factor = 0.7
        if part.vert0 is not None:  # the body really moved: hips dropped, foot rose (not tilt noise)
            v0 = _orient(spec, part.vert0)
            shift = _median_at(v0, a + p) - _mean_finite(_median_at(v0, a + s), _median_at(v0, a + e))
            need = spec.min_shift_v * (2.0 if gate == "off" else 1.0)  # no angle to confirm: more evidence
            if shift < need:
                log.debug("t=%.2f: vertical shift %.1f %% under %.1f %%", tp, shift, need)
                continue
        rest_v = _mean_finite(_median_at(vv, a + s), _median_at(vv, a + e))
        if np.isfinite(rest_v) and rest_v < rest_min:
            log.debug("t=%.2f: rest position %.0f %% under %.0f %%", tp, rest_v, rest_min)
            continue
        turn_v = _median_at(vv, a + p)
        if np.isfinite(turn_v) and turn_v < spec.turn_min_v:
            log.debug("t=%.2f: turning point %.0f %% under %.0f %%", tp, turn_v, spec.turn_min_v)
            continue
        if spec.seated:
            thigh = _mean_finite(_median_at(part.thigh_up, a + s), _median_at(part.thigh_up, a + e))
            seated_max = SEATED_MAX + (SEATED_SLACK_V if gate == "direction" else 0.0)
            if np.isfinite(thigh) and abs(thigh) > seated_max:
                log.debug("t=%.2f: not seated (hips %.0f %% over knees)", tp, thigh)
                continue
        postures = [_median_at(part.torso_up, a + i) for i in (s, p, e)]
        if not spec.posture_ok(postures):
            log.debug("t=%.2f: posture (shoulders over hips %s %%) does not fit", tp, np.round(postures))
            continue
        seg = slice(a + s, a + e + 1)
        steps = np.abs(np.diff(median_gaps(raw[seg], dt)))
        # per 1/30 s: at 15 fps a fast real lift moves twice as far between samples
        if steps.size and np.nanmax(steps) > MAX_STEP_FRAC * min(amp_l, amp_r) * max(1.0, dt * 30.0):
            log.debug("t=%.2f: channel jumped %.0f", tp, np.nanmax(steps))
            continue  # the signal jumped instead of moving: unrelated poses, not a rep
        obs = float(np.mean(part.observed[seg]))
        if obs < MIN_OBSERVED:
            log.debug("t=%.2f: only %.0f%% observed", tp, 100 * obs)
            continue
        q = float(np.mean(part.qual[seg]))
        amp = float(min(amp_l, amp_r))
        conf = obs * min(1.0, q) * gate_factor * min(1.0, amp / max(typical, 1e-6)) ** 0.25
        rom, travel = (float(np.nanmax(c[seg]) - np.nanmin(c[seg])) if np.isfinite(c[seg]).any()
                       else float("nan") for c in (part.angle, part.vert))
        reps.append(RepSpan(float(t0), tt, float(t1), float(rom) if np.isfinite(rom) else 0.0,
                            float(np.clip(conf, 0.0, 1.0)), tentative, travel))
        missed.pop()
    return reps, missed


def _half_reps(spec: ExerciseSpec, xr: np.ndarray, vv: np.ndarray, peaks: np.ndarray, t: np.ndarray,
               thr: float) -> list[tuple[float, str]]:
    """The half of a rep that the recording (or a long gap) cut off, which has no peak to be found by:
    the run opens (lifts that start at the rest: squats, bench and push-ups) or closes at least ``thr``
    away from the rest, at a valid turn (``turn_min_v``) with a valid rest (``rest_min_v``) on its other
    side (``vv``: the run's vertical offsets), moving between the two within ``EDGE_HALF_MAX_S``: at
    the start, from the first frame to the rest (a setup, lying down or getting into position takes
    longer); at the end, from the rest to the turn (a lockout may be held to the end)."""
    def half(edge: int, rest: int) -> bool:
        if xr[edge] - xr[rest] < thr or vv[edge] < spec.turn_min_v or vv[rest] < spec.rest_min_v:
            return False  # (a NaN offset is unknown, not invalid)
        if edge < rest:  # the clip opens at the turn: at most a pause there, then the way back
            return float(t[rest] - t[edge]) <= EDGE_HALF_MAX_S
        near = np.flatnonzero(xr[rest:] >= xr[edge] - 0.1 * (xr[edge] - xr[rest]))
        return float(t[rest + int(near[0])] - t[rest]) <= EDGE_HALF_MAX_S  # reached the turn's level

    out = []
    stop = int(peaks[0]) + 1 if len(peaks) else len(xr)
    if not spec.turn_high and half(0, int(np.argmin(xr[:stop]))):
        out.append((float(t[0]), "edge"))
    start = int(peaks[-1]) if len(peaks) else 0
    if half(len(xr) - 1, start + int(np.argmin(xr[start:]))):
        out.append((float(t[-1]), "edge"))
    return out


def _bridge_still(raw: np.ndarray, smooth: np.ndarray, other: np.ndarray) -> None:
    """Fill, in place, the gaps of a channel (``raw`` and ``smooth``) across which the ``other`` one
    (smoothed) is seen throughout and holds still (``HOLD_STILL_FRAC``): straight lines between the
    ends."""
    seen = other[np.isfinite(other)]
    if seen.size < 10:
        return
    still = HOLD_STILL_FRAC * float(np.percentile(seen, 98) - np.percentile(seen, 2))
    for a, b in segments(~np.isfinite(smooth)):
        if a == 0 or b == len(smooth):
            continue  # not between two known values
        across = other[a - 1:b + 1]
        if not np.isfinite(across).all() or np.ptp(across) > still:
            continue
        for x in (raw, smooth):
            lo, hi = x[a - 1], x[b]
            if np.isfinite(lo) and np.isfinite(hi):
                x[a:b] = np.linspace(lo, hi, b - a + 2)[1:-1]


def _hold(xr: np.ndarray, vv: np.ndarray, rest: int, p: int, floor: float | None, n: int, band: float,
          need: float) -> tuple[int, int] | None:
    """Where a rep half that rests at ``rest`` (its far end) in no start position (the vertical channel
    ``vv`` under ``floor`` there; ``None``: wherever it rests, and the hold anywhere) held still at one
    for ``n`` samples on its way to the turn ``p``, at least ``need`` under the turn: the hold's (far
    end, near end), else None. The hold nearest the turn is the rep's start or end (one at the turn is
    the lockout)."""
    if floor is not None and (not np.isfinite(vv[rest]) or vv[rest] >= floor):
        return None
    step = 1 if p > rest else -1
    for j in range(p - step * n, rest, -step):  # window j .. j + step * n, nearest the turn first
        w = slice(min(j, j + step * n), max(j, j + step * n) + 1)
        if np.ptp(xr[w]) <= band and (floor is None or np.all(vv[w] >= floor)) \
                and xr[p] - np.max(xr[w]) >= need:
            return j, j + step * n
    return None


def _hold_rest(xr: np.ndarray, held: tuple[int, int]) -> tuple[int, int]:
    """A hold found by :func:`_hold` as (its far end, its lowest sample: the rest level it holds at)."""
    a, b = sorted(held)
    return held[0], a + int(np.argmin(xr[a:b + 1]))


def _low(seg: np.ndarray) -> float:
    """The lowest finite value of ``seg`` (NaN if none)."""
    ok = seg[np.isfinite(seg)]
    return float(ok.min()) if ok.size else float("nan")


def _merge_turns(peaks: np.ndarray, xr: np.ndarray, one_rep: Callable[[int, int, int, int], str]
                 ) -> np.ndarray:
    """Merge neighbouring turning points that ``one_rep(p0, q, left, right)`` takes for one rep (it
    returns why, or ""); ``left``/``right`` bound the rests either side. The higher turn is kept."""
    if len(peaks) < 2:
        return peaks
    pk = [int(p) for p in peaks]
    kept = [pk[0]]
    for i, q in enumerate(pk[1:], start=1):
        p0 = kept[-1]
        left = kept[-2] if len(kept) > 1 else 0
        right = pk[i + 1] if i + 1 < len(pk) else len(xr) - 1
        why = one_rep(p0, q, left, right)
        if why:
            log.debug("turns at %d and %d merged: %s", p0, q, why)
            kept[-1] = p0 if xr[p0] >= xr[q] else q
        else:
            kept.append(q)
    return np.asarray(kept, dtype=int)


def _merge_split_turns(peaks: np.ndarray, xr: np.ndarray, xo: np.ndarray, a: int, need: float
                       ) -> np.ndarray:
    """Merge neighbouring turning points whose valley the other (reliable) channel does not share.

    A dip of the counted channel while the other one stays at its turn is not a return to rest: a
    deadlift filmed from above whose shoulders sink towards the camera at lockout, a hitch at the top.
    Only where the other channel confirms the turns (it is ``need`` above its level at the rests either
    side: an angle that hardly moves in any rep, e.g. an elbow seen from behind, merges nothing) and
    gives back less than ``STAY_FRAC`` of that swing in between.
    """
    def stayed(p0: int, q: int, left: int, right: int) -> str:
        o_turn = min(_median_at(xo, a + p0), _median_at(xo, a + q))
        between = xo[a + p0:a + q + 1]  # its lowest point anywhere between (the channels may lag)
        o_valley = float(np.min(between)) if np.isfinite(between).all() else float("nan")
        o_rest = max(_low(xo[a + left:a + p0 + 1]), _low(xo[a + q:a + right + 1]))
        swing = o_turn - o_rest
        ok = np.isfinite(o_turn) and np.isfinite(o_valley) and np.isfinite(o_rest) and swing >= need \
            and o_turn - o_valley < min(need, STAY_FRAC * swing)
        return "the other channel stayed at the turn" if ok else ""

    return _merge_turns(peaks, xr, stayed)


def _merge_hitches(peaks: np.ndarray, xr: np.ndarray) -> np.ndarray:
    """Merge neighbouring turning points whose valley gives back under ``HITCH_FRAC`` of both rises.

    A rep is counted once its channel comes at least half-way back to rest (live, ``LiveRepTracker``
    does the same); a dip that stops short of that is a hitch: a pause and drive at the top of a press,
    a bounce at the bottom of a squat, a locked-out arm misdrawn for a moment.
    """
    def hitch(p0: int, q: int, left: int, right: int) -> str:
        valley = float(np.min(xr[p0:q + 1]))
        rise_l = xr[p0] - float(np.min(xr[left:p0 + 1]))
        rise_r = xr[q] - float(np.min(xr[q:right + 1]))
        if xr[p0] - valley < HITCH_FRAC * rise_l and xr[q] - valley < HITCH_FRAC * rise_r:
            return (f"a hitch (valley {valley:.0f}, turns {xr[p0]:.0f}/{xr[q]:.0f}, "
                    f"rises {rise_l:.0f}/{rise_r:.0f})")
        return ""

    return _merge_turns(peaks, xr, hitch)


def _build_parts(exercise: str, times: np.ndarray, arrays: PoseArrays, breaks: np.ndarray
                 ) -> tuple[list[_Part], str, str, str, str]:
    """Continuous parts on uniform grids, the channels to count and to time on, the body side used.

    ``breaks``: :func:`identity_breaks` of the sequence.
    """
    spec = get_spec(exercise)
    track = extract(exercise, arrays)
    chunk_ids = np.cumsum(breaks)
    scale_px = arrays.scale
    parts: list[_Part] = []
    for c in range(int(chunk_ids[-1]) + 1):
        idx = np.flatnonzero(chunk_ids == c)
        if len(idx) < 3 or times[idx[-1]] - times[idx[0]] < spec.min_duration_s:
            continue
        tc = times[idx]
        grid = uniform_grid(tc)
        if len(grid) < 3:
            continue
        dt = float(grid[1] - grid[0])
        valid_t = tc[np.isfinite(track.angle[idx]) | np.isfinite(track.vertical[idx])]
        if valid_t.size == 0:
            continue
        raw = {"angle": resample(tc, track.angle[idx], grid, MAX_GAP_S),
               "vertical": resample(tc, track.vertical[idx], grid, MAX_GAP_S)}
        if track.forearm is not None:
            raw["forearm"] = resample(tc, track.forearm[idx], grid, MAX_GAP_S)
        q_src = np.where(np.isfinite(track.angle[idx]), track.quality[idx], np.nan)
        qual = np.nan_to_num(resample(tc, q_src, grid, MAX_GAP_S), nan=0.0)
        step = float(np.median(np.diff(tc)))
        observed = _nearest_distance(valid_t, grid) <= 0.75 * max(dt, step)
        smooth = {k: savgol_gaps(median_gaps(v, dt), dt, SMOOTH_S) for k, v in raw.items()}
        for name, other in (("angle", "vertical"), ("vertical", "angle")):
            _bridge_still(raw[name], smooth[name], smooth[other])
        up = savgol_gaps(resample(tc, track.torso_up[idx], grid, MAX_GAP_S), dt, SMOOTH_S)
        thigh = savgol_gaps(resample(tc, track.thigh_up[idx], grid, MAX_GAP_S), dt, SMOOTH_S)
        px = scale_px[idx]
        parts.append(_Part(grid, smooth["angle"], smooth["vertical"], raw, qual, observed, up, thigh,
                           scale_px=float(np.nanmedian(px)) if np.isfinite(px).any() else float("nan"),
                           forearm=smooth.get("forearm")))
    linear = spec.linearise and _linearise(parts)
    # channel choice over the whole clip: the vertical one unless the angle is clearly cleaner
    snr, score = {}, {}
    snr["angle"], score["angle"] = _score([(p.raw["angle"], p.angle) for p in parts], spec.min_rom_deg)
    snr["vertical"], score["vertical"] = _score([(p.raw["vertical"], p.vert) for p in parts],
                                                spec.min_range_v)
    if parts and all(p.forearm is not None for p in parts):
        # the wrists followed on the forearms (see ``signals.forearm_channel``) where that is cleaner
        fsnr, fscore = _score([(p.raw["forearm"], p.forearm) for p in parts], spec.min_range_v)
        if fscore > score["vertical"]:
            for p in parts:
                p.raw["vertical"], p.vert = p.raw["forearm"], p.forearm
            snr["vertical"], score["vertical"] = fsnr, fscore
            log.debug("vertical channel followed on the forearms")
    channel = "angle" if score["angle"] > ANGLE_PREFERENCE * score["vertical"] else "vertical"
    # rep boundaries from the angle when it is clean enough: it moves linearly with the lift at the
    # rest position, where vertical offsets (cosines) barely change
    timing = "angle" if snr["angle"] >= TIMING_SNR * snr["vertical"] else channel
    if linear and snr["angle"] < snr["vertical"]:
        timing = "vertical"
    # the vertical channel is trustworthy from every level camera, the 2D angle only when it is clean
    quality = float(np.median(np.concatenate([p.qual for p in parts]))) if parts else 0.0
    # off only for an angle that clearly moves but is unreliable (noisy, or its joint badly seen)
    if channel == "angle" or (snr["angle"] >= GATE_MIN_SNR and quality >= 0.5):
        gate = "direction"  # the other channel must move the lift's way
    elif quality >= 0.5 and spec.angle_veto:
        gate = "magnitude"  # a seen but unreliable angle (limb swinging at the camera) must still move
    else:
        gate = "off"
    reversed_v = _correlation(spec, parts) < -0.5
    if reversed_v:
        for part in parts:  # a camera looking down: "up" in the world is "down" in the image
            part.vert = -part.vert
            if part.vert0 is not None:
                part.vert0 = -part.vert0
    log.debug("channel %s, timing %s, gate %s (snr angle %.0f, vertical %.0f)", channel, timing, gate,
              snr["angle"], snr["vertical"])
    return parts, channel, timing, gate, track.side


def _score(runs: list[tuple[np.ndarray, np.ndarray]], floor: float) -> tuple[float, float]:
    """(range-to-noise, score) of a channel over the parts, ``runs`` of its (raw, smoothed) samples.

    The score is the range-to-noise ratio, lowered where the range stays under twice ``floor`` (a
    channel that barely exceeds its minimum rep range makes a poor counter however clean) and by the
    share of samples where the channel is unknown (a rep whose turn falls in a gap is lost).
    """
    vals = [(_snr(raw, smooth), len(raw)) for raw, smooth in runs]
    tot = sum(n for _, n in vals)
    snr = sum(s[1] * n for s, n in vals) / tot if tot else 0.0
    rng = sum(s[0] * n for s, n in vals) / tot if tot else 0.0
    seen = sum(int(np.isfinite(smooth).sum()) for _, smooth in runs) / tot if tot else 0.0
    return snr, snr * min(1.0, rng / (2.0 * floor)) * seen


def _correlation(spec: ExerciseSpec, parts: list[_Part]) -> float:
    """Correlation of the two channels over the clip (about +1 when both follow the lift).

    A lift that raises the vertical channel from a start position (``rest_min_v``) is judged above it:
    a press straightens the arms both overhead and hanging, and a long stretch or walk with the arms
    down would otherwise outweigh the press.
    """
    a = np.concatenate([p.angle for p in parts]) if parts else np.array([])
    v = np.concatenate([p.vert for p in parts]) if parts else np.array([])
    ok = np.isfinite(a) & np.isfinite(v)
    if spec.turn_high and np.isfinite(spec.rest_min_v):
        ok &= v >= spec.rest_min_v
    if ok.sum() < 10 or np.std(a[ok]) < 1e-6 or np.std(v[ok]) < 1e-6:
        return 0.0
    return float(np.corrcoef(a[ok], v[ok])[0, 1])


def _linearise(parts: list[_Part]) -> bool:
    """Turn the vertical channel into the tilt of its segment from vertical (degrees), in place.

    In a squat or a leg extension the vertical offset is a segment's length times the cosine of its
    tilt: it barely moves while the segment is near vertical, which squeezes shallow reps (a half
    squat lowers the hips a fifth as much as a full one) and delays rep boundaries. The tilt
    ``acos(v / v_vertical)`` moves in proportion to the lift. Its sign keeps the channel's direction.
    """
    vals = np.concatenate([p.vert[np.isfinite(p.vert)] for p in parts]) if parts else np.array([])
    if vals.size < 10:
        return False
    hi, lo = np.percentile(vals, 98), np.percentile(vals, 2)
    ref = float(hi if abs(hi) >= abs(lo) else lo)
    if abs(ref) < MIN_LINEARISE_REF:  # the segment is never near vertical: nothing to linearise
        return False
    for part in parts:
        part.vert0 = part.vert.copy()
        for name, v in (("smooth", part.vert), ("raw", part.raw["vertical"])):
            tilt = -np.sign(ref) * np.degrees(np.arccos(np.clip(v / ref, -1.0, 1.0)))
            if name == "smooth":
                part.vert = tilt
            else:
                part.raw["vertical"] = tilt
    return True


def _shot_typical(spec: ExerciseSpec, parts: list[_Part], channel: str) -> list[float]:
    """Each part's typical rep range (:func:`_typical_range`), over the parts filmed at its scale.

    An edited clip cuts between shots: a close-up draws the body several times larger, with its legs
    out of frame, and the body scale the vertical channel is measured in changes with the framing. A
    part is judged by the reps of the parts whose pixel scale is within ``JUMP_RATIO`` of its own (by the
    whole clip's where it has none).
    """
    whole = _typical_range(spec, parts, channel)
    sizes = np.array([p.scale_px for p in parts])
    out: list[float] = []
    for size in sizes:
        if not np.isfinite(size):
            out.append(whole)
            continue
        ratio = np.maximum(sizes, size) / np.maximum(np.minimum(sizes, size), 1e-6)
        same = [p for p, r in zip(parts, ratio, strict=True) if r <= JUMP_RATIO]  # NaN ratios compare False
        if len(same) == len(parts):  # one shot (the usual clip): the whole clip's
            out.append(whole)
            continue
        typ = _typical_range(spec, same, channel, default=float("nan"))
        out.append(typ if np.isfinite(typ) else whole)
    return out


def _typical_range(spec: ExerciseSpec, parts: list[_Part], channel: str,
                   default: float | None = None) -> float:
    """The person's typical rep range: median prominence of the clear excursions of ``parts``
    (``default``, else the exercise minimum, where there are none)."""
    floor = spec.min_rom_deg if channel == "angle" else spec.min_range_v
    proms: list[float] = []
    for part in parts:
        x = _orient(spec, part.angle if channel == "angle" else part.vert)
        for a, b in segments(np.isfinite(x)):
            if b - a >= 3:
                _, props = find_peaks(x[a:b], prominence=floor)
                proms.extend(props["prominences"].tolist())
    if not proms:
        return floor if default is None else default
    proms_a = np.sort(np.asarray(proms))
    top = proms_a[proms_a >= 0.5 * proms_a[-1]]
    return float(np.median(top))


def _in_sets(reps: list[RepSpan], min_rom: float = 0.0) -> tuple[list[RepSpan], list[RepSpan]]:
    """Reps that belong to a set: ``MIN_SET`` or more in a row, each within ``SET_GAP_S`` of the
    previous one, bending the joint by ``min_rom`` degrees or more in the median rep; and the confirmed
    (not tentative) reps of shorter sets of that range. A lone bend (picking up a plate, setting up,
    re-racking) is not a rep by itself, but neither is a heavy single's: the caller decides. Tentative
    reps (see ``RepSpan``) join a set but do not make one.
    """
    if not reps:
        return reps, []
    sets: list[list[RepSpan]] = [[reps[0]]]
    for r in reps[1:]:
        gap = r.start_s - sets[-1][-1].end_s
        dur = float(np.median([x.end_s - x.start_s for x in sets[-1]]))
        if gap <= max(SET_GAP_S, 2.0 * dur):
            sets[-1].append(r)
        else:
            sets.append([r])
    ranged = [_without_edge_moves(s) for s in sets if float(np.median([x.rom_deg for x in s])) >= min_rom]
    kept = [r for s in ranged if sum(not r.tentative for r in s) >= MIN_SET for r in s]
    lone = [r for s in ranged if sum(not r.tentative for r in s) < MIN_SET for r in s if not r.tentative]
    if len(kept) < len(reps):
        log.debug("%d rep(s) outside sets, %d of them lone reps of the set's range", len(reps) - len(kept),
                  len(lone))
    return kept, lone


def _add_hip_bend(reps: list[RepSpan], times: np.ndarray, arrays: PoseArrays) -> None:
    """Fill each rep's ``hip_bend``: the 5th–95th percentile range of the 2D hip angle (shoulder, hip,
    knee) over the rep, on the side seen in more of its frames."""
    if not reps:
        return
    al, ql, ar, qr = side_angles(arrays.xyz, arrays.vis, "hip", False)
    for r in reps:
        m = (times >= r.start_s) & (times <= r.end_s)
        ranges = []
        for ang, q in ((al[m], ql[m]), (ar[m], qr[m])):
            seen = ang[q >= SIGNAL_MIN_VIS]
            if seen.size >= 3:
                ranges.append((seen.size, float(np.percentile(seen, 95) - np.percentile(seen, 5))))
        if ranges:
            r.hip_bend = max(ranges)[1]


def _without_edge_moves(reps: list[RepSpan]) -> list[RepSpan]:
    """A set less a first or last rep that only gets into or out of position (see ``EDGE_TRAVEL``)."""
    if len(reps) < EDGE_SET:
        return reps
    travel = np.array([r.travel for r in reps])
    with np.errstate(all="ignore"):
        per_deg = travel / np.array([r.rom_deg for r in reps])
    if not (np.isfinite(travel).all() and np.isfinite(per_deg).all()):
        return reps
    typical, typical_per_deg = float(np.median(travel)), float(np.median(per_deg))
    hips = float(np.nanmedian([r.hip_bend for r in reps])) if any(np.isfinite(r.hip_bend) for r in reps) \
        else float("nan")
    edges = {k for k in (0, len(reps) - 1)
             if travel[k] < EDGE_TRAVEL * typical and per_deg[k] > EDGE_PER_DEG * typical_per_deg
             and reps[k].hip_bend > max(EDGE_HIP_DEG, 2.0 * hips)}
    for k in sorted(edges):
        log.debug("t=%.2f: an edge of the set moves the body, not the joint (travel %.0f of %.0f, "
                  "%.2f per degree against %.2f, hips bend %.0f° against %.0f°)", reps[k].turn_s,
                  travel[k], typical, per_deg[k], typical_per_deg, reps[k].hip_bend, hips)
    return [r for k, r in enumerate(reps) if k not in edges]


def clip_view(spec: ExerciseSpec, arrays: PoseArrays) -> str:
    """The camera view over a pose sequence (``form.estimate_view``, told whether the lift is lying)."""
    from ..form import estimate_view

    return estimate_view(arrays.xyz, arrays.vis, lying=not spec.upright).name


def detect_reps(exercise: str, times: Sequence[float], poses: Sequence[Pose | None]) -> Detection:
    """Find the repetitions of ``exercise`` in a pose sequence (see module docstring)."""
    spec = get_spec(exercise)
    times_a = np.asarray(times, dtype=float)
    if len(times_a) != len(poses):
        raise ValueError(f"{len(times_a)} times but {len(poses)} poses")
    if len(times_a) < 3:
        return Detection([], np.array([]), np.array([]), "both", "angle")
    order = np.argsort(times_a, kind="stable")
    times_a = times_a[order]
    arrays = PoseArrays.from_poses([poses[i] for i in order])
    jumps = identity_breaks(times_a, arrays)
    drop = glitches(times_a, arrays, jumps)
    breaks = jumps
    if drop.any():  # a glitch's frames are unseen, and the body on either side of it is one person
        arrays.drop(drop)
        breaks = jumps & ~drop & ~np.r_[False, drop[:-1]]
    breaks, lost_frames = rejoined(times_a, arrays, breaks)
    if lost_frames.any():
        arrays.drop(lost_frames)
    parts, channel, timing, gate, side = _build_parts(exercise, times_a, arrays, breaks)
    typicals = _shot_typical(spec, parts, channel)
    reps: list[RepSpan] = []
    missed: list[tuple[float, str]] = []
    for part, typical in zip(parts, typicals, strict=True):
        x = part.angle if channel == "angle" else part.vert
        for a, b in segments(np.isfinite(x)):
            if b - a >= 3:
                found, skipped = _detect_run(spec, part, channel, a, b, typical, timing, gate)
                reps.extend(found)
                missed.extend(skipped)
    # filmed from the side a joint shows its whole bend: a set of squats bends the knee (real sets on the
    # synthetic clips: median ≥ 33°; hips bobbing while standing, stretching or re-racking: 12-25°)
    from_side = spec.side_min_rom_deg > 0 and clip_view(spec, arrays) == "side"
    min_rom = SIDE_SET_ROM * spec.side_min_rom_deg if from_side else 0.0
    _add_hip_bend(reps, times_a, arrays)
    reps, lone = _in_sets(sorted(reps, key=lambda r: r.start_s), min_rom)
    t_all = np.concatenate([p.t for p in parts]) if parts else np.array([])
    a_all = np.concatenate([p.angle for p in parts]) if parts else np.array([])
    seen = np.flatnonzero(np.isfinite(arrays.xyz[:, 0, 0]))
    lost = float(1.0 - len(seen) / (seen[-1] - seen[0] + 1)) if len(seen) else 0.0
    return Detection(reps, t_all, a_all, side, channel, times_a[jumps], lost, lone, sorted(missed))
