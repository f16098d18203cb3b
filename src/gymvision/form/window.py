"""The frames of one rep as arrays, with the measurements the form rules are written in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geometry import joint_angle
from ..landmarks import L
from ..results import Pose, RepEvent
from .view import View, estimate_view

#: Generic landmark names → (left, right) BlazePose indices.
PARTS: dict[str, tuple[int, int]] = {
    "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "elbow": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
    "wrist": (L.LEFT_WRIST, L.RIGHT_WRIST), "hip": (L.LEFT_HIP, L.RIGHT_HIP),
    "knee": (L.LEFT_KNEE, L.RIGHT_KNEE), "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
    "heel": (L.LEFT_HEEL, L.RIGHT_HEEL), "foot": (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
    "ear": (L.LEFT_EAR, L.RIGHT_EAR),
}


@dataclass
class RepWindow:
    """One rep: times ``t`` (n,), landmarks ``xyz`` (n, 33, 3) with NaN for missing frames, ``vis``."""

    t: np.ndarray
    xyz: np.ndarray
    vis: np.ndarray
    event: RepEvent
    view: View
    image_size: tuple[int, int] = (0, 0)

    @classmethod
    def build(cls, times: Sequence[float], poses: Sequence[Pose | None], event: RepEvent,
              pad_s: float = 0.1, lying: bool = False) -> RepWindow | None:
        """Frames within the rep (plus ``pad_s``); None when no frame there has a pose.

        ``lying``: a lying exercise (see :func:`estimate_view`)."""
        sel = [i for i, tt in enumerate(times)
               if event.start_s - pad_s <= tt <= event.end_s + pad_s and poses[i] is not None]
        if len(sel) < 3:
            return None
        t = np.asarray([times[i] for i in sel], dtype=float)
        xyz = np.stack([poses[i].xyz for i in sel]).astype(float)  # type: ignore[union-attr]
        vis = np.stack([poses[i].visibility for i in sel]).astype(float)  # type: ignore[union-attr]
        size = poses[sel[0]].image_size  # type: ignore[union-attr]
        return cls(t, xyz, vis, event, estimate_view(xyz, vis, lying=lying), size)

    @property
    def has_z(self) -> bool:
        return bool(np.nanmax(np.abs(self.xyz[..., 2])) > 1e-6)

    def index(self, time: float) -> int:
        return int(np.argmin(np.abs(self.t - time)))

    def max_gap(self, seen_until: float | None = None) -> float:
        """Longest stretch without a pose inside the rep (seconds, edges included). ``seen_until``: the
        last moment a frame could have arrived (live: now, while the rep's end is still predicted)."""
        end = self.event.end_s if seen_until is None else min(self.event.end_s, seen_until)
        inside = self.t[(self.t > self.event.start_s) & (self.t < end)]
        t = np.concatenate([[self.event.start_s], inside, [end]])
        return float(np.max(np.diff(t))) if len(t) > 1 else 0.0

    @property
    def i_turn(self) -> int:
        return self.index(self.event.turn_s)

    def visibility(self, part: str, side: str) -> float:
        """Median visibility of one landmark over the rep."""
        idx = PARTS[part][0 if side == "left" else 1]
        return float(np.median(self.vis[:, idx]))

    def in_frame(self, part: str, side: str) -> bool:
        """Whether the landmark stays inside the image (median position)."""
        idx = PARTS[part][0 if side == "left" else 1]
        x, y = np.nanmedian(self.xyz[:, idx, 0]), np.nanmedian(self.xyz[:, idx, 1])
        w, h = self.image_size
        inside = np.isfinite(x) and np.isfinite(y) and x >= 0 and y >= 0
        return bool(inside and (w <= 0 or x < w) and (h <= 0 or y < h))

    def best_side(self, parts: Sequence[str]) -> str:
        """The body side whose ``parts`` are better visible (the near side in a side view)."""
        vl = float(np.mean([self.visibility(p, "left") for p in parts]))
        vr = float(np.mean([self.visibility(p, "right") for p in parts]))
        if abs(vl - vr) < 0.05 and self.view.near_side:
            return self.view.near_side
        return "left" if vl >= vr else "right"

    def point(self, part: str, side: str) -> np.ndarray:
        """(n, 3) positions of a landmark; ``side`` "mid" averages left and right."""
        a, b = PARTS[part]
        if side == "mid":
            return (self.xyz[:, a] + self.xyz[:, b]) / 2
        return self.xyz[:, a if side == "left" else b]

    def angle(self, a: str, v: str, b: str, side: str, planar: bool = False) -> np.ndarray:
        """(n,) joint angle at ``v`` (3D when the pose has depth, else 2D; ``planar``: always 2D).

        BlazePose's z is noisy enough to straighten a 130° knee to 80° now and then; for a joint
        that moves in the image plane (side views) the 2D angle is the exact one.
        """
        d = 3 if self.has_z and not planar else 2
        return joint_angle(self.point(a, side)[:, :d], self.point(v, side)[:, :d], self.point(b, side)[:, :d])

    def tilt(self, lower: str, upper: str, side: str) -> np.ndarray:
        """(n,) signed 2D angle of the segment lower → upper from image-up, degrees.

        Positive when the upper point lies towards +x of the lower one.
        """
        d = self.point(upper, side)[:, :2] - self.point(lower, side)[:, :2]
        return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))

    def forward_sign(self, side: str) -> float:
        """+1 if the person faces +x in the image (from heel → toe, else ear vs shoulder), else -1."""
        toe, heel = self.point("foot", side)[:, 0], self.point("heel", side)[:, 0]
        d = np.nanmedian(toe - heel)
        if not np.isfinite(d) or abs(d) < 1e-6:
            d = np.nanmedian(self.point("ear", side)[:, 0] - self.point("shoulder", side)[:, 0])
        return 1.0 if not np.isfinite(d) or d >= 0 else -1.0

    def around(self, values: np.ndarray, i: int, half: int = 1) -> float:
        """Median of ``values`` around frame ``i`` (robust to single-frame noise)."""
        w = values[max(0, i - half): i + half + 1]
        w = w[np.isfinite(w)]
        return float(np.median(w)) if w.size else float("nan")

    def scale(self) -> float:
        """Median torso length (2D, pixels) over the rep."""
        sh = self.point("shoulder", "mid")[:, :2]
        hp = self.point("hip", "mid")[:, :2]
        d = np.linalg.norm(sh - hp, axis=1)
        return float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan")
