"""Per-exercise motion signals from pose sequences.

Each exercise is followed by one joint angle (degrees), taken from the better-visible body side or
the mean of both, plus one "gate" channel: a vertical displacement in units of the person's torso
length that must change with the lift (e.g. the hips must drop in a squat). Vertical displacements
are view-independent for a roughly level camera, so they reject look-alike motion such as the knee
swing of walking or the arm swing of a stride.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geometry import joint_angle
from ..landmarks import JOINTS, L
from ..results import Pose

#: Landmarks below this visibility are treated as missing.
MIN_VISIBILITY = 0.5
#: Joint angles are measured in the image plane: BlazePose's z is too noisy (on the ML Kit samples
#: 3D knee/elbow angles separate up from down poses in 80-96 % of rows, 2D angles in 98-99 %).
USE_Z = False


@dataclass(frozen=True)
class ExerciseSpec:
    """How to follow one exercise.

    ``turn_high``: the turning point of a rep is a maximum of the angle (e.g. the lockout of a
    shoulder press, which starts from the rack); otherwise a minimum (the bottom of a squat).
    ``gate``: name of the vertical channel and ``gate_min`` the change it must show between the
    rest and the turning point of a rep, in torso lengths, signed in the direction of the lift.
    """

    joint: str  # "knee" | "elbow" | "hip"
    turn_high: bool
    min_rom_deg: float
    gate: str
    gate_min: float
    min_duration_s: float = 0.5
    max_duration_s: float = 15.0
    typical_rom_deg: float = 80.0


SPECS: dict[str, ExerciseSpec] = {
    "squat": ExerciseSpec("knee", False, 35.0, "hip_over_knee", -0.2, typical_rom_deg=85.0),
    "leg_extension": ExerciseSpec("knee", True, 30.0, "ankle_over_knee", 0.15, typical_rom_deg=75.0),
    "bench_press": ExerciseSpec("elbow", False, 30.0, "wrist_over_shoulder", -0.15, typical_rom_deg=80.0),
    "push_up": ExerciseSpec("elbow", False, 30.0, "shoulder_over_wrist", -0.15, typical_rom_deg=75.0),
    "shoulder_press": ExerciseSpec("elbow", True, 35.0, "wrist_over_shoulder", 0.25, typical_rom_deg=85.0),
    "deadlift": ExerciseSpec("hip", True, 35.0, "shoulder_over_hip", 0.2, typical_rom_deg=80.0),
}

_SIDE_JOINTS = {"knee": ("left_knee", "right_knee"), "elbow": ("left_elbow", "right_elbow"),
                "hip": ("left_hip", "right_hip")}

#: Gate channels: (upper landmark pair, lower landmark pair); value = (y_lower - y_upper) / torso.
_GATES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "hip_over_knee": ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE)),
    "ankle_over_knee": ((L.LEFT_ANKLE, L.RIGHT_ANKLE), (L.LEFT_KNEE, L.RIGHT_KNEE)),
    "wrist_over_shoulder": ((L.LEFT_WRIST, L.RIGHT_WRIST), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)),
    "shoulder_over_wrist": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_WRIST, L.RIGHT_WRIST)),
    "shoulder_over_hip": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)),
}


def get_spec(exercise: str) -> ExerciseSpec:
    """The spec of ``exercise``; raises ValueError for names without one (e.g. "unknown")."""
    try:
        return SPECS[exercise]
    except KeyError:
        raise ValueError(f"no rep counter for exercise {exercise!r}; expected one of {', '.join(SPECS)}") \
            from None


@dataclass
class PoseArrays:
    """A pose sequence as arrays: ``xyz`` (T, 33, 3) with NaN rows for missing frames, ``vis`` (T, 33)."""

    xyz: np.ndarray
    vis: np.ndarray

    @classmethod
    def from_poses(cls, poses: Sequence[Pose | None]) -> PoseArrays:
        n = len(poses)
        xyz = np.full((n, 33, 3), np.nan)
        vis = np.zeros((n, 33))
        for i, p in enumerate(poses):
            if p is not None:
                xyz[i] = p.xyz
                vis[i] = p.visibility
        return cls(xyz, vis)


def torso_length(xyz: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Per-frame torso length (shoulder midpoint to hip midpoint, 2D), NaN where not visible."""
    sh = (xyz[:, L.LEFT_SHOULDER, :2] + xyz[:, L.RIGHT_SHOULDER, :2]) / 2
    hp = (xyz[:, L.LEFT_HIP, :2] + xyz[:, L.RIGHT_HIP, :2]) / 2
    d = np.linalg.norm(sh - hp, axis=-1)
    ok = vis[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]].max(axis=1) >= MIN_VISIBILITY
    return np.where(ok, d, np.nan)


_CHAINS = ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
           (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST))


def body_scale(xyz: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Per-frame body scale in pixels: the longest of torso, thigh+shin/2 and upper+lower arm/2 (2D).

    Taking the longest segment chain keeps the scale sane when the torso is foreshortened (a lying
    person filmed from the head end).
    """
    torso = torso_length(xyz, vis)
    chains = [torso]
    for a, b, c in _CHAINS:
        seg = (np.linalg.norm(xyz[:, a, :2] - xyz[:, b, :2], axis=-1)
               + np.linalg.norm(xyz[:, b, :2] - xyz[:, c, :2], axis=-1)) / 2
        ok = vis[:, [a, b, c]].min(axis=1) >= MIN_VISIBILITY
        chains.append(np.where(ok, seg, np.nan))
    stack = np.vstack(chains)
    with np.errstate(all="ignore"):
        out = np.nanmax(np.where(np.isfinite(stack), stack, -np.inf), axis=0)
    return np.where(np.isfinite(out) & (out > 0), out, np.nan)


#: Median landmark displacement (body scales per 1/30 s) above which the person is taken to have changed.
JUMP_SCALES = 0.35
#: Body-scale ratio between consecutive frames above which the person is taken to have changed.
JUMP_RATIO = 1.4


def person_changed(xy0: np.ndarray, vis0: np.ndarray, scale0: float, xy1: np.ndarray, vis1: np.ndarray,
                   scale1: float, dt: float) -> bool:
    """Whether two frames ``dt`` apart show different people (or a tracking swap).

    A real body moves continuously: between frames most landmarks move a small fraction of the body
    scale, and segment lengths barely change. A second person, a re-detection elsewhere or unrelated
    photos played in sequence break both.
    """
    if not (np.isfinite(scale0) and np.isfinite(scale1)) or dt <= 0:
        return False
    ok = (vis0 >= MIN_VISIBILITY) & (vis1 >= MIN_VISIBILITY)
    if ok.sum() < 6:
        return False
    s = max(scale0, scale1)
    disp = float(np.median(np.linalg.norm(xy1[ok] - xy0[ok], axis=1))) / s
    ratio = s / max(min(scale0, scale1), 1e-6)
    return disp > JUMP_SCALES * max(1.0, dt * 30.0) or ratio > JUMP_RATIO


@dataclass
class SignalTrack:
    """Per-frame raw channels of one exercise: angle (deg), gate (torso lengths), quality (0..1)."""

    angle: np.ndarray
    gate: np.ndarray
    quality: np.ndarray
    side: str  # "left" | "right" | "both"


def side_angles(xyz: np.ndarray, vis: np.ndarray, joint: str, use_z: bool) -> tuple[np.ndarray, ...]:
    """Left and right joint angles with their per-frame visibility (min over the three landmarks)."""
    out = []
    pts = xyz if use_z else xyz[..., :2]
    for name in _SIDE_JOINTS[joint]:
        a, v, b = JOINTS[name]
        ang = joint_angle(pts[:, a], pts[:, v], pts[:, b])
        q = vis[:, [a, v, b]].min(axis=1)
        out.extend([ang, q])
    return tuple(out)


def choose_side(q_left: np.ndarray, q_right: np.ndarray) -> str:
    """Pick "both" when both sides are usually visible, else the better side."""
    ml = float(np.mean(q_left >= MIN_VISIBILITY)) if q_left.size else 0.0
    mr = float(np.mean(q_right >= MIN_VISIBILITY)) if q_right.size else 0.0
    if ml >= 0.8 and mr >= 0.8 and abs(float(np.mean(q_left)) - float(np.mean(q_right))) < 0.15:
        return "both"
    return "left" if ml >= mr else "right"


def combine_sides(al: np.ndarray, ql: np.ndarray, ar: np.ndarray, qr: np.ndarray,
                  side: str) -> tuple[np.ndarray, np.ndarray]:
    """Angle and quality of the chosen side(s); a missing side falls back to the other one."""
    okl = (ql >= MIN_VISIBILITY) & np.isfinite(al)
    okr = (qr >= MIN_VISIBILITY) & np.isfinite(ar)
    if side == "left":
        ang = np.where(okl, al, np.nan)
        q = np.where(okl, ql, 0.0)
    elif side == "right":
        ang = np.where(okr, ar, np.nan)
        q = np.where(okr, qr, 0.0)
    else:
        both = okl & okr
        ang = np.where(both, (al + ar) / 2, np.where(okl, al, np.where(okr, ar, np.nan)))
        q = np.where(both, (ql + qr) / 2, np.where(okl, ql * 0.8, np.where(okr, qr * 0.8, 0.0)))
    return ang, q


def gate_channel(xyz: np.ndarray, vis: np.ndarray, gate: str, scale: np.ndarray) -> np.ndarray:
    """Vertical offset of the gate's upper landmarks above its lower ones, in body-scale units."""
    (ua, ub), (la, lb) = _GATES[gate]
    vals = []
    for u, lo in ((ua, la), (ub, lb)):
        ok = (vis[:, u] >= MIN_VISIBILITY) & (vis[:, lo] >= MIN_VISIBILITY)
        vals.append(np.where(ok, xyz[:, lo, 1] - xyz[:, u, 1], np.nan))
    stack = np.vstack(vals)
    finite = np.isfinite(stack)
    count = finite.sum(axis=0)
    with np.errstate(all="ignore"):
        mean = np.where(count > 0, np.where(finite, stack, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan)
        return mean / scale


def extract(exercise: str, arrays: PoseArrays, side: str | None = None) -> SignalTrack:
    """Raw per-frame channels of ``exercise`` for a whole sequence (batch)."""
    spec = get_spec(exercise)
    xyz, vis = arrays.xyz, arrays.vis
    al, ql, ar, qr = side_angles(xyz, vis, spec.joint, USE_Z)
    side = side or choose_side(ql, qr)
    ang, q = combine_sides(al, ql, ar, qr, side)
    scale = body_scale(xyz, vis)
    finite = scale[np.isfinite(scale)]
    ref = float(np.median(finite)) if finite.size else np.nan
    with np.errstate(all="ignore"):
        gate = gate_channel(xyz, vis, spec.gate, np.full(len(xyz), ref))
    return SignalTrack(ang, gate, q, side)


def _angle2d(p: np.ndarray, a: int, v: int, b: int) -> float:
    ux, uy = p[a][0] - p[v][0], p[a][1] - p[v][1]
    wx, wy = p[b][0] - p[v][0], p[b][1] - p[v][1]
    nu, nw = math.hypot(ux, uy), math.hypot(wx, wy)
    if nu < 1e-9 or nw < 1e-9:
        return float("nan")
    c = max(-1.0, min(1.0, (ux * wx + uy * wy) / (nu * nw)))
    return math.degrees(math.acos(c))


def _dist(p: np.ndarray, a: int, b: int) -> float:
    return math.hypot(p[a][0] - p[b][0], p[a][1] - p[b][1])


def frame_channels(exercise: str, pose: Pose, scale: float | None) -> tuple[float, float, float, float,
                                                                             float, float]:
    """One frame's (left angle, left quality, right angle, right quality, gate, body scale), for live use.

    A scalar re-implementation of :func:`extract` for one pose (about ten times faster than the
    vectorised path on a single frame); tests check that both agree.
    """
    spec = get_spec(exercise)
    p = pose.xyz.tolist()
    vis = pose.visibility.tolist()
    out: list[float] = []
    for name in _SIDE_JOINTS[spec.joint]:
        a, v, b = JOINTS[name]
        out += [_angle2d(p, a, v, b), min(vis[a], vis[v], vis[b])]
    chains = []
    if max(vis[L.LEFT_SHOULDER], vis[L.RIGHT_SHOULDER], vis[L.LEFT_HIP], vis[L.RIGHT_HIP]) >= MIN_VISIBILITY:
        sx = (p[L.LEFT_SHOULDER][0] + p[L.RIGHT_SHOULDER][0] - p[L.LEFT_HIP][0] - p[L.RIGHT_HIP][0]) / 2
        sy = (p[L.LEFT_SHOULDER][1] + p[L.RIGHT_SHOULDER][1] - p[L.LEFT_HIP][1] - p[L.RIGHT_HIP][1]) / 2
        chains.append(math.hypot(sx, sy))
    for a, v, b in _CHAINS:
        if min(vis[a], vis[v], vis[b]) >= MIN_VISIBILITY:
            chains.append((_dist(p, a, v) + _dist(p, v, b)) / 2)
    s = max(chains) if chains else float("nan")
    ref = scale if scale else s
    (ua, ub), (la, lb) = _GATES[spec.gate]
    vals = [p[lo][1] - p[u][1] for u, lo in ((ua, la), (ub, lb))
            if vis[u] >= MIN_VISIBILITY and vis[lo] >= MIN_VISIBILITY]
    g = sum(vals) / len(vals) / ref if vals and ref == ref and ref > 0 else float("nan")
    return out[0], out[1], out[2], out[3], g, s
