"""Smoothing: gap-aware resampling + Savitzky–Golay (batch) and the One-Euro filter (live)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import savgol_filter


def uniform_grid(times: np.ndarray, max_fps: float = 60.0, min_fps: float = 5.0) -> np.ndarray:
    """A uniform time grid covering ``times`` at their median frame rate (clipped to a sane range)."""
    t = np.asarray(times, dtype=float)
    if t.size < 2:
        return t.copy()
    dt = float(np.median(np.diff(t)))
    dt = min(max(dt, 1.0 / max_fps), 1.0 / min_fps)
    n = math.floor((t[-1] - t[0]) / dt + 1e-9) + 1
    return t[0] + dt * np.arange(n)


def resample(times: np.ndarray, values: np.ndarray, grid: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linear interpolation of the finite samples onto ``grid``; NaN inside gaps longer than ``max_gap_s``."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v) & np.isfinite(t)
    out = np.full(grid.shape, np.nan)
    if ok.sum() < 2:
        return out
    tk, vk = t[ok], v[ok]
    out = np.interp(grid, tk, vk, left=np.nan, right=np.nan)
    idx = np.searchsorted(tk, grid, side="right")
    lo = np.clip(idx - 1, 0, len(tk) - 1)
    hi = np.clip(idx, 0, len(tk) - 1)
    gap = tk[hi] - tk[lo]
    exact = np.isclose(tk[lo], grid)
    out[(gap > max_gap_s) & ~exact] = np.nan
    out[(grid < tk[0]) | (grid > tk[-1])] = np.nan
    return out


def segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in ``mask`` as (start, stop) index pairs (stop exclusive)."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def savgol_gaps(values: np.ndarray, dt: float, window_s: float = 0.3, order: int = 2) -> np.ndarray:
    """Savitzky–Golay smoothing of each finite run separately (NaN gaps are kept)."""
    out = np.full_like(values, np.nan, dtype=float)
    for a, b in segments(np.isfinite(values)):
        n = b - a
        win = round(window_s / dt) | 1
        win = min(win, n if n % 2 else n - 1)
        if win <= order + 1:
            out[a:b] = values[a:b]
            continue
        out[a:b] = savgol_filter(values[a:b], win, order, mode="interp")
    return out


def median_gaps(values: np.ndarray, dt: float, window_s: float = 0.2) -> np.ndarray:
    """Running median over each finite run (removes single-frame spikes such as limb swaps)."""
    out = np.asarray(values, dtype=float).copy()
    k = max(round(window_s / dt) | 1, 3)
    for a, b in segments(np.isfinite(out)):
        if b - a >= k:
            out[a:b] = median_filter(out[a:b], size=k, mode="nearest")
    return out


def _alpha(cutoff: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuro:
    """One-Euro filter (Casiez et al. 2012): adaptive low-pass, little lag on fast moves, calm at rest."""

    min_cutoff: float = 1.5
    beta: float = 0.02
    d_cutoff: float = 1.0
    _x: float | None = field(default=None, init=False)
    _dx: float = field(default=0.0, init=False)
    _t: float | None = field(default=None, init=False)

    def reset(self) -> None:
        self._x, self._dx, self._t = None, 0.0, None

    def __call__(self, t: float, x: float) -> float:
        if self._x is None or self._t is None or t <= self._t:
            if self._x is None or self._t is None:
                self._x, self._t = x, t
            return self._x
        dt = t - self._t
        dx = (x - self._x) / dt
        self._dx += _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        self._x += _alpha(cutoff, dt) * (x - self._x)
        self._t = t
        return self._x
