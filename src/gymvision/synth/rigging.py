"""Shared building blocks for motion code: torso placement, limbs, hands, feet, equipment boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .body import UP, Body, Rig, ortho, rotate, two_bone_ik, unit

X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])


def const(v: np.ndarray | tuple | list, t: int) -> np.ndarray:
    """A constant (T, 3) track."""
    return np.broadcast_to(np.asarray(v, dtype=float), (t, 3)).copy()


def col(a: np.ndarray | float, t: int | None = None) -> np.ndarray:
    """Scalar or (T,) to a (T, 1) column for broadcasting against (T, 3)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0 and t is not None:
        a = np.full(t, float(a))
    return a.reshape(-1, 1)


def smooth01(x: np.ndarray) -> np.ndarray:
    """Minimum-jerk easing of x in [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x**3 * (10 - 15 * x + 6 * x**2)


@dataclass
class Box:
    """An oriented box occluder (equipment). ``centre`` is (3,) or (T, 3); ``axes`` rows are unit axes."""

    centre: np.ndarray
    axes: np.ndarray
    half: np.ndarray
    name: str = "equipment"


@dataclass
class Scene:
    """Where the person faces and what surrounds them (for camera placement and occlusion)."""

    front: np.ndarray  # horizontal unit vector: where a "front" camera stands, seen from the body
    left: np.ndarray  # horizontal unit vector towards the person's left side (for side views)
    lying: bool = False
    boxes: list[Box] = field(default_factory=list)


@dataclass
class Trunk:
    """Pelvis centre and torso frame (unit vectors), each (T, 3)."""

    pelvis: np.ndarray
    up: np.ndarray  # pelvis -> shoulders
    fwd: np.ndarray  # chest normal
    left: np.ndarray

    @staticmethod
    def make(pelvis: np.ndarray, up: np.ndarray, fwd_hint: np.ndarray) -> Trunk:
        u = unit(up)
        f = ortho(np.broadcast_to(fwd_hint, u.shape).copy(), u)
        return Trunk(pelvis, u, f, np.cross(u, f))


def upright_trunk(pelvis: np.ndarray, lean_deg: np.ndarray, side_deg: np.ndarray | float = 0.0,
                  twist_deg: np.ndarray | float = 0.0, heading: np.ndarray = X) -> Trunk:
    """Standing/seated torso facing ``heading``, leaning forward by ``lean_deg`` (negative = back)."""
    t = pelvis.shape[0]
    h = np.broadcast_to(unit(np.asarray(heading, float)), (t, 3)).copy()
    left = np.cross(np.broadcast_to(UP, (t, 3)), h)
    up = rotate(np.broadcast_to(UP, (t, 3)).copy(), left, np.asarray(lean_deg) * np.ones(t))
    fwd = rotate(h, left, np.asarray(lean_deg) * np.ones(t))
    up = rotate(up, fwd, np.asarray(side_deg) * np.ones(t))
    fwd = rotate(fwd, up, np.asarray(twist_deg) * np.ones(t))
    return Trunk.make(pelvis, up, fwd)


@dataclass
class Parts:
    """Joint tracks being assembled into a :class:`Rig`."""

    trunk: Trunk
    body: Body
    torso_scale: np.ndarray | float = 1.0  # < 1 shortens the torso (rounded back)

    def shoulders(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        b, tr = self.body, self.trunk
        mid = tr.pelvis + tr.up * b.torso * col(self.torso_scale, len(tr.up))
        half = tr.left * b.shoulder_width / 2
        return mid, mid + half, mid - half

    def hips(self) -> tuple[np.ndarray, np.ndarray]:
        half = self.trunk.left * self.body.hip_width / 2
        return self.trunk.pelvis + half, self.trunk.pelvis - half

    def head(self, pitch_deg: np.ndarray | float = 0.0, yaw_deg: np.ndarray | float = 0.0,
             roll_deg: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Head centre, face and crown directions; pitch > 0 looks down (chin to chest)."""
        tr = self.trunk
        n = len(tr.up)
        ones = np.ones(n)
        f = rotate(tr.fwd, tr.left, np.asarray(pitch_deg) * ones)
        u = rotate(tr.up, tr.left, np.asarray(pitch_deg) * ones)
        f = rotate(f, tr.up, np.asarray(yaw_deg) * ones)
        u = rotate(u, f, np.asarray(roll_deg) * ones)
        mid = self.shoulders()[0]
        c = mid + unit(0.65 * tr.up + 0.35 * u) * self.body.neck + tr.fwd * 0.015 * self.body.scale
        return c, f, u


def arm(shoulder: np.ndarray, wrist_target: np.ndarray, body: Body,
        pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Elbow and wrist for a wrist target (clamped to reach)."""
    return two_bone_ik(shoulder, wrist_target, body.upper_arm, body.forearm, pole)


def leg(hip: np.ndarray, ankle_target: np.ndarray, body: Body,
        pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knee and ankle for an ankle target (clamped to reach)."""
    return two_bone_ik(hip, ankle_target, body.thigh, body.shank, pole)


def hands_default(el: np.ndarray, wr: np.ndarray, medial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fingers continue the forearm; the thumb points ``medial``."""
    f = unit(wr - el)
    return f, ortho(np.broadcast_to(medial, f.shape).copy(), f)


def _relaxed_hand(el: np.ndarray, wr: np.ndarray, fwd: np.ndarray,
                  up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f = unit(wr - el)
    along = np.abs(np.sum(f * fwd, axis=-1, keepdims=True)) > 0.9
    return f, ortho(np.where(along, up, fwd), f)


def feet_flat(t: int, heading: np.ndarray, toe_out_deg: float, side: float) -> tuple[np.ndarray, np.ndarray]:
    """Feet flat on the floor pointing along ``heading`` turned out by ``toe_out_deg`` (side=+1 left)."""
    f = rotate(const(heading, t), const(UP, t), side * toe_out_deg)
    return f, const(UP, t)


def feet_from_shank(kn: np.ndarray, an: np.ndarray, left: np.ndarray,
                    plantar_deg: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Feet at a neutral ankle (90° to the shank), optionally plantar-flexed."""
    shank = unit(an - kn)
    f = unit(np.cross(shank, left))
    f = rotate(f, left, np.asarray(plantar_deg) * np.ones(len(f)))
    return f, -shank


def build_rig(parts: Parts, el: tuple[np.ndarray, np.ndarray], wr: tuple[np.ndarray, np.ndarray],
              kn: tuple[np.ndarray, np.ndarray], an: tuple[np.ndarray, np.ndarray],
              head: tuple[np.ndarray, np.ndarray, np.ndarray],
              hands: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
              feet: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None) -> Rig:
    """Assemble a :class:`Rig`; hands default to the forearm direction, feet to a neutral ankle."""
    _, sh_l, sh_r = parts.shoulders()
    hip_l, hip_r = parts.hips()
    left = parts.trunk.left
    if hands is None:  # relaxed forearms: palms face the body, thumbs point forward (or up)
        fw = parts.trunk.fwd
        hands = tuple(_relaxed_hand(e, w, fw, parts.trunk.up) for e, w in zip(el, wr, strict=True))
    if feet is None:
        feet = (feet_from_shank(kn[0], an[0], left), feet_from_shank(kn[1], an[1], left))
    return Rig(sh_l=sh_l, sh_r=sh_r, el_l=el[0], el_r=el[1], wr_l=wr[0], wr_r=wr[1], hip_l=hip_l,
               hip_r=hip_r, kn_l=kn[0], kn_r=kn[1], an_l=an[0], an_r=an[1], head_c=head[0],
               head_f=head[1], head_u=head[2], hf_l=hands[0][0], ht_l=hands[0][1], hf_r=hands[1][0],
               ht_r=hands[1][1], ff_l=feet[0][0], fu_l=feet[0][1], ff_r=feet[1][0], fu_r=feet[1][1])


def plates(bar_centre: np.ndarray, bar_axis: np.ndarray, offset: float, radius: float = 0.225,
           thickness: float = 0.08) -> list[Box]:
    """Two weight plates on a bar (boxes approximating discs)."""
    a = unit(np.asarray(bar_axis, float))
    b = unit(np.cross(a, X if abs(a[0]) < 0.9 else Y))
    c = np.cross(a, b)
    axes = np.stack([a, b, c])
    half = np.array([thickness / 2, radius * 0.89, radius * 0.89])  # box of the disc's area
    return [Box(bar_centre + s * offset * a, axes, half, "plate") for s in (1.0, -1.0)]


def transform_rig(rig: Rig, rot: np.ndarray, shift: np.ndarray) -> Rig:
    """Rotate (3x3) and shift a whole rig; direction fields are only rotated."""
    out = {}
    for name, v in rig.__dict__.items():
        is_dir = name in {"head_f", "head_u", "hf_l", "hf_r", "ht_l", "ht_r", "ff_l", "ff_r", "fu_l", "fu_r"}
        out[name] = v @ rot.T + (0.0 if is_dir else shift)
    return Rig(**out)
