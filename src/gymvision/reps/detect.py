"""Batch rep detection on a whole sequence (videos).

Steps: split the sequence where the person changes or disappears for long; resample each part to a
uniform grid (bridging gaps up to ``MAX_GAP_S``); smooth with Savitzky–Golay; find turning points as
peaks of the oriented angle whose prominence passes a threshold that adapts to the person's own range
(``REL_ROM`` of their typical rep, never below the exercise's minimum); then bound each rep by where
the signal leaves and re-reaches its rest level, and keep it only if its duration, visibility and
gate channel (a vertical displacement that must accompany the lift) are plausible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks, savgol_filter

from ..results import Pose
from .filters import resample, savgol_gaps, segments, uniform_grid
from .signals import ExerciseSpec, PoseArrays, body_scale, extract, get_spec, person_changed

#: Gaps (no usable landmarks) bridged by interpolation; longer ones split the sequence.
MAX_GAP_S = 0.5
#: A rep must reach this fraction of the person's typical range (adaptive threshold).
REL_ROM = 0.4
#: Fraction of the rep's range that marks leaving / reaching the rest level.
ONSET_FRAC = 0.06
#: Largest single-sample change of the raw angle, as a fraction of the rep's range.
MAX_STEP_FRAC = 0.6
#: A rep starts/ends/turns where the speed drops under this fraction of its peak.
VEL_FRAC = 0.1
#: Window of the Savitzky–Golay derivative used for the speed.
VEL_WINDOW_S = 0.4
#: Savitzky–Golay window.
SMOOTH_S = 0.3


@dataclass
class RepSpan:
    """One detected repetition, in seconds, with its range and confidence."""

    start_s: float
    turn_s: float
    end_s: float
    rom_deg: float
    confidence: float
    start_angle: float
    turn_angle: float
    end_angle: float


@dataclass
class Detection:
    """Detected reps plus the smoothed signal they were found on."""

    reps: list[RepSpan]
    t: np.ndarray
    angle: np.ndarray
    side: str


def identity_breaks(times: np.ndarray, arrays: PoseArrays) -> np.ndarray:
    """True at frames whose person is not the one of the previous usable frame."""
    xyz, vis = arrays.xyz, arrays.vis
    scale = body_scale(xyz, vis)
    breaks = np.zeros(len(times), bool)
    prev = -1
    for i in np.flatnonzero(np.isfinite(scale)):
        if prev >= 0 and times[i] - times[prev] <= MAX_GAP_S:
            breaks[i] = person_changed(xyz[prev, :, :2], vis[prev], scale[prev], xyz[i, :, :2], vis[i],
                                       scale[i], times[i] - times[prev])
        prev = i
    return breaks


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


def _bounds(x: np.ndarray, v: np.ndarray, li: int, p: int, ri: int) -> tuple[int, float, int]:
    """Start, turn (fractional index, middle of a paused turn) and end of the excursion li → p → ri.

    Each boundary is where the speed falls under ``VEL_FRAC`` of that half's peak speed, searched
    outwards from the half-way crossing, so slow reps are not cut short by a position threshold.
    """
    half_l = x[li] + 0.5 * (x[p] - x[li])
    m = p
    while m > li and x[m - 1] >= half_l:
        m -= 1
    vpk = max(float(np.max(v[li:p + 1])), 1e-6)
    s = m
    while s > li and v[s - 1] > VEL_FRAC * vpk:
        s -= 1
    a = p
    while a > m and v[a - 1] <= VEL_FRAC * vpk:
        a -= 1
    half_r = x[ri] + 0.5 * (x[p] - x[ri])
    n = p
    while n < ri and x[n + 1] >= half_r:
        n += 1
    vpk_r = max(float(np.max(-v[p:ri + 1])), 1e-6)
    e = n
    while e < ri and -v[e + 1] > VEL_FRAC * vpk_r:
        e += 1
    b = p
    while b < n and -v[b + 1] <= VEL_FRAC * vpk_r:
        b += 1
    return s, (a + b) / 2.0, e


def _median_at(v: np.ndarray, i: int, half: int = 2) -> float:
    w = v[max(0, i - half): i + half + 1]
    w = w[np.isfinite(w)]
    return float(np.median(w)) if w.size else float("nan")


def _detect_run(spec: ExerciseSpec, t: np.ndarray, ang: np.ndarray, raw: np.ndarray, x: np.ndarray,
                gate: np.ndarray, qual: np.ndarray, observed: np.ndarray, a: int, b: int,
                typical: float) -> list[RepSpan]:
    xr = x[a:b]
    dt = float(t[1] - t[0])
    vr = _velocity(xr, dt)
    thr = max(spec.min_rom_deg, REL_ROM * typical)
    peaks, _ = find_peaks(xr, prominence=thr)
    reps: list[RepSpan] = []
    bounds = [0, *peaks.tolist(), len(xr) - 1]
    for k, p in enumerate(peaks):
        lo, hi = bounds[k], bounds[k + 2]
        li = lo + int(np.argmin(xr[lo:p + 1]))
        ri = p + int(np.argmin(xr[p:hi + 1]))
        amp_l, amp_r = xr[p] - xr[li], xr[p] - xr[ri]
        if min(amp_l, amp_r) < thr:
            continue
        s, turn, e = _bounds(xr, vr, li, p, ri)
        t0, t1 = t[a + s], t[a + e]
        tt = float(np.interp(a + turn, np.arange(len(t)), t))
        if not spec.min_duration_s <= t1 - t0 <= spec.max_duration_s:
            continue
        g_turn = _median_at(gate, a + p)
        g_rest = np.nanmean([_median_at(gate, a + s), _median_at(gate, a + e)])
        gate_factor = 1.0
        if np.isfinite(g_turn) and np.isfinite(g_rest):
            if (g_turn - g_rest) * np.sign(spec.gate_min) < abs(spec.gate_min):
                continue
        else:
            gate_factor = 0.7
        seg = slice(a + s, a + e + 1)
        steps = np.abs(np.diff(raw[seg]))
        if steps.size and np.nanmax(steps) > MAX_STEP_FRAC * min(amp_l, amp_r):
            continue  # the angle jumped instead of moving: unrelated poses, not a rep
        obs = float(np.mean(observed[seg]))
        if obs < 0.5:
            continue
        q = float(np.mean(qual[seg]))
        amp = float(min(amp_l, amp_r))
        conf = obs * min(1.0, q) * gate_factor * min(1.0, amp / max(typical, 1e-6)) ** 0.25
        reps.append(RepSpan(float(t0), tt, float(t1), float(xr[p] - min(xr[li], xr[ri])),
                            float(np.clip(conf, 0.0, 1.0)), float(ang[a + s]), float(ang[a + p]),
                            float(ang[a + e])))
    return reps


def detect_reps(exercise: str, times: Sequence[float], poses: Sequence[Pose | None]) -> Detection:
    """Find the repetitions of ``exercise`` in a pose sequence (see module docstring)."""
    spec = get_spec(exercise)
    times_a = np.asarray(times, dtype=float)
    if len(times_a) != len(poses):
        raise ValueError(f"{len(times_a)} times but {len(poses)} poses")
    if len(times_a) < 3:
        return Detection([], np.array([]), np.array([]), "both")
    order = np.argsort(times_a, kind="stable")
    times_a = times_a[order]
    arrays = PoseArrays.from_poses([poses[i] for i in order])
    track = extract(exercise, arrays)
    breaks = identity_breaks(times_a, arrays)
    chunk_ids = np.cumsum(breaks)
    all_t, all_ang, parts = [], [], []
    for c in range(int(chunk_ids[-1]) + 1):
        idx = np.flatnonzero(chunk_ids == c)
        if len(idx) < 3 or times_a[idx[-1]] - times_a[idx[0]] < spec.min_duration_s:
            continue
        tc = times_a[idx]
        grid = uniform_grid(tc)
        if len(grid) < 3:
            continue
        dt = float(grid[1] - grid[0])
        ang = resample(tc, track.angle[idx], grid, MAX_GAP_S)
        gate = resample(tc, track.gate[idx], grid, MAX_GAP_S)
        q_src = np.where(np.isfinite(track.angle[idx]), track.quality[idx], np.nan)
        qual = np.nan_to_num(resample(tc, q_src, grid, MAX_GAP_S), nan=0.0)
        valid_t = tc[np.isfinite(track.angle[idx])]
        if valid_t.size == 0:
            continue
        step = float(np.median(np.diff(tc))) if len(tc) > 1 else dt
        observed = _nearest_distance(valid_t, grid) <= 0.75 * max(dt, step)
        smooth = savgol_gaps(ang, dt, SMOOTH_S)
        x = smooth if spec.turn_high else -smooth
        parts.append((grid, smooth, ang, x, gate, qual, observed))
        all_t.append(grid)
        all_ang.append(smooth)
    typical = _typical_range(spec, parts)
    reps: list[RepSpan] = []
    for grid, smooth, raw, x, gate, qual, observed in parts:
        for a, b in segments(np.isfinite(x)):
            if b - a >= 3:
                reps.extend(_detect_run(spec, grid, smooth, raw, x, gate, qual, observed, a, b, typical))
    reps.sort(key=lambda r: r.start_s)
    t_all = np.concatenate(all_t) if all_t else np.array([])
    a_all = np.concatenate(all_ang) if all_ang else np.array([])
    return Detection(reps, t_all, a_all, track.side)


def _typical_range(spec: ExerciseSpec, parts: list) -> float:
    """The person's typical rep range: median prominence of the clear excursions of the whole set."""
    proms: list[float] = []
    for _grid, _smooth, _raw, x, *_ in parts:
        for a, b in segments(np.isfinite(x)):
            if b - a >= 3:
                _, props = find_peaks(x[a:b], prominence=spec.min_rom_deg)
                proms.extend(props["prominences"].tolist())
    if not proms:
        return spec.min_rom_deg
    proms_a = np.sort(np.asarray(proms))
    top = proms_a[proms_a >= 0.5 * proms_a[-1]]
    return float(np.median(top))
