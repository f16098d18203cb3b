"""Per-person anthropometry and forward kinematics to the 33 BlazePose landmarks.

Segment lengths follow the classic ratios of stature (Drillis & Contini / Winter), with per-person
variation. Motion code produces a handful of key joints plus orientation vectors (a :class:`Rig`);
:func:`landmarks_from_rig` adds the face, hand and foot points in metres, world frame z-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import N_LANDMARKS, L

UP = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class Body:
    """Segment lengths of one person, metres."""

    height: float
    shoulder_width: float  # between shoulder joint centres
    hip_width: float  # between BlazePose hip points
    torso: float  # hip centre to shoulder centre
    neck: float  # shoulder centre to ear level
    upper_arm: float
    forearm: float
    thigh: float
    shank: float
    ankle_height: float
    foot: float  # heel to toe
    head: float  # head size factor (1 = average)
    chest_depth: float  # back to front of the chest
    girth: float  # radius factor for occluders (1 = average build)

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm

    @property
    def leg(self) -> float:
        return self.thigh + self.shank

    @property
    def scale(self) -> float:
        return self.height / 1.75


def sample_body(rng: np.random.Generator) -> Body:
    """A random adult: stature 1.50–1.98 m, proportions varying a few per cent per segment."""
    h = float(np.clip(rng.normal(1.72, 0.09), 1.50, 1.98))
    male = float(rng.uniform())

    def j(sd: float = 0.035) -> float:
        return float(np.clip(rng.normal(1.0, sd), 1 - 3 * sd, 1 + 3 * sd))

    return Body(
        height=h,
        shoulder_width=h * (0.200 + 0.025 * male) * j(0.05),
        hip_width=h * (0.100 + 0.015 * (1 - male)) * j(0.06),
        torso=h * 0.290 * j(0.04),
        neck=h * 0.105 * j(0.05),
        upper_arm=h * 0.186 * j(),
        forearm=h * 0.146 * j(),
        thigh=h * 0.245 * j(),
        shank=h * 0.246 * j(),
        ankle_height=h * 0.039 * j(0.08),
        foot=h * 0.152 * j(0.04),
        head=j(0.05),
        chest_depth=h * (0.115 + 0.01 * male) * j(0.1),
        girth=j(0.12),
    )


def unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-9)


def ortho(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """``v`` with its component along the unit vector ``axis`` removed, normalised."""
    return unit(v - np.sum(v * axis, axis=-1, keepdims=True) * axis)


def rotate(v: np.ndarray, axis: np.ndarray, angle_deg: np.ndarray | float) -> np.ndarray:
    """Rodrigues rotation of vectors ``v`` (…, 3) about unit ``axis`` (…, 3) by ``angle_deg``."""
    t = np.radians(np.asarray(angle_deg, dtype=float))[..., None]
    k = unit(np.broadcast_to(axis, v.shape))
    return (v * np.cos(t) + np.cross(k, v) * np.sin(t)
            + k * np.sum(k * v, axis=-1, keepdims=True) * (1 - np.cos(t)))


def two_bone_ik(root: np.ndarray, target: np.ndarray, l1: float, l2: float,
                pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Middle joint of a two-segment limb from ``root`` reaching ``target``, bending towards ``pole``.

    Returns (middle, end); ``end`` is ``target`` pulled in when out of reach.
    """
    d = target - root
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    u = d / np.maximum(dist, 1e-9)
    dist_c = np.clip(dist, abs(l1 - l2) + 1e-3, (l1 + l2) * 0.9995)
    end = root + u * dist_c
    a = (l1**2 - l2**2 + dist_c**2) / (2 * dist_c)
    h = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    b = np.broadcast_to(pole, d.shape)
    b = b - np.sum(b * u, axis=-1, keepdims=True) * u
    bad = np.linalg.norm(b, axis=-1, keepdims=True) < 1e-6
    fallback = np.cross(u, np.array([0.0, 1.0, 0.0]))
    b = unit(np.where(bad, fallback, b))
    return root + a * u + h * b, end


@dataclass
class Rig:
    """Key joints (T, 3) and orientation vectors (T, 3) of a moving body; metres, z-up.

    ``*_l`` / ``*_r`` are the person's anatomical left / right. Hands: ``hf`` points along the
    fingers, ``ht`` towards the thumb side. Feet: ``ff`` heel→toe, ``fu`` out of the instep.
    Head: ``head_f`` the face direction, ``head_u`` the crown direction, ``head_c`` ear level centre.
    """

    sh_l: np.ndarray
    sh_r: np.ndarray
    el_l: np.ndarray
    el_r: np.ndarray
    wr_l: np.ndarray
    wr_r: np.ndarray
    hip_l: np.ndarray
    hip_r: np.ndarray
    kn_l: np.ndarray
    kn_r: np.ndarray
    an_l: np.ndarray
    an_r: np.ndarray
    head_c: np.ndarray
    head_f: np.ndarray
    head_u: np.ndarray
    hf_l: np.ndarray
    hf_r: np.ndarray
    ht_l: np.ndarray
    ht_r: np.ndarray
    ff_l: np.ndarray
    ff_r: np.ndarray
    fu_l: np.ndarray
    fu_r: np.ndarray


# Face points in the head frame (forward, left, up), metres for an average head.
_FACE = {
    L.NOSE: (0.105, 0.0, -0.02),
    L.LEFT_EYE_INNER: (0.09, 0.016, 0.012), L.LEFT_EYE: (0.086, 0.031, 0.013),
    L.LEFT_EYE_OUTER: (0.077, 0.045, 0.012), L.LEFT_EAR: (0.0, 0.074, 0.0),
    L.MOUTH_LEFT: (0.088, 0.024, -0.05),
}


def landmarks_from_rig(rig: Rig, body: Body) -> np.ndarray:
    """All 33 BlazePose landmarks (T, 33, 3) from a rig."""
    t = rig.sh_l.shape[0]
    out = np.zeros((t, N_LANDMARKS, 3))
    s = body.scale
    hf = unit(rig.head_f)
    hu = ortho(rig.head_u, hf)
    hl = np.cross(hu, hf)
    for idx, (f, lft, u) in _FACE.items():
        for side, sign in ((idx, 1.0), (_mirror_face(idx), -1.0)):
            out[:, side] = rig.head_c + s * body.head * (f * hf + sign * lft * hl + u * hu)
    for side, names in (("l", (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_PINKY, L.LEFT_INDEX,
                                L.LEFT_THUMB, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL,
                                L.LEFT_FOOT_INDEX)),
                        ("r", (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST, L.RIGHT_PINKY,
                               L.RIGHT_INDEX, L.RIGHT_THUMB, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE,
                               L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX))):
        g = lambda n, side=side: getattr(rig, f"{n}_{side}")  # noqa: E731
        sh, el, wr, pk, ix, th, hp, kn, an, he, ft = names
        out[:, sh], out[:, el], out[:, wr] = g("sh"), g("el"), g("wr")
        out[:, hp], out[:, kn], out[:, an] = g("hip"), g("kn"), g("an")
        f = unit(g("hf"))
        tt = ortho(g("ht"), f)
        palm = np.cross(f, tt)
        out[:, ix] = g("wr") + s * (0.085 * f + 0.022 * tt)
        out[:, pk] = g("wr") + s * (0.072 * f - 0.028 * tt)
        out[:, th] = g("wr") + s * (0.045 * f + 0.045 * tt + 0.012 * palm)
        ff = unit(g("ff"))
        fu = ortho(g("fu"), ff)
        k = body.foot / (0.152 * 1.75)
        out[:, he] = g("an") + s * k * (-0.055 * ff - 0.05 * fu)
        out[:, ft] = g("an") + s * k * (0.17 * ff - 0.055 * fu)
    return out


def _mirror_face(idx: int) -> int:
    from ..landmarks import MIRROR

    return MIRROR[idx]
