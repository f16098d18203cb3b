"""Camera view estimated from the pose: which body plane the camera sees.

Two angles decide it: how far the person's left–right axis (shoulders and hips) points towards the
camera (90°: a pure side view) and how far the long body axis (hips → shoulders) does (90°: filmed
from the head or foot end). z is used when the pose carries depth; otherwise the out-of-plane angle
comes from how short the 2D shoulder/hip width is compared with the torso.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import L

#: Pure side views (angles measured in the image need the camera square to the body).
SIDE = frozenset({"side"})
#: Views in which the sagittal plane (depth, lean, lockout angles) can be measured.
SAGITTAL = frozenset({"side", "diag"})
#: Filmed along a lying body, from beyond its feet or its head.
END = frozenset({"foot_end", "head_end", "end"})
#: From beyond the feet: a lying lift's bar path runs up the image, and the chest hides no arm.
FOOT_END = frozenset({"foot_end"})
#: Lying, the chest towards the camera: from beyond the head or the feet, or from above.
CHEST_ON = END | frozenset({"front"})
#: Views in which the frontal plane (knees in, left/right symmetry) can be measured.
FRONTAL = frozenset({"front", "back", "diag"}) | END
#: Facing the camera: back views swap left and right too often for left/right distances.
FRONT = frozenset({"front"})
ANY = frozenset({"side", "diag", "front", "back"}) | END

#: Mean of the shoulder and hip widths over the trunk length (BlazePose points), about 0.73 and 0.37.
_UPRIGHT_WIDTH = 0.55
#: Typical shoulder width / torso length (used only when the pose carries no z).
_WIDTH_RATIO = 0.75
#: Smallest out-of-plane angle of the left–right axis taken as a side view. Upright, the width-based
#: estimate reads 62–85° for side views (yaw 75–105°) and up to ~62° for 45° views (yaw 25–65°): 64°
#: keeps oblique views out of the side-only rules at the cost of ~4 % of side views (they get advice).
_SIDE_MIN_UPRIGHT = 64.0
_SIDE_MIN = 58.0
#: Lying, a side view also needs the long body axis within this angle of the image plane. Real
#: push-ups filmed square from the side read 1–26°; from 45° towards the head or the feet up to 77°
#: with the shoulders still edge-on, where the 2D hip and depth readings are foreshortened (of 109
#: judged real push-up clips labelled clean, 16 were cued, 11 of them from such views). 35° was the
#: best of 30/35/40/45° on those clips (benchmarks/bench_real_form.py).
_SIDE_MAX_LONG_LYING = 35.0
#: A trunk whose height over the hips is at least this share of its length stands upright.
_UPRIGHT_RISE = 0.8
#: Bent over for most of a window (a deadlift, a Romanian deadlift), a standing lift is judged on its
#: upright frames (the lockouts) when it has this many: BlazePose's depth, the other way to tell the
#: yaw, read real 45° and rear-3/4 pulls as side views (72–78° out of plane).
_MIN_STANDING_FRAMES = 5
#: Smallest out-of-plane angle of the long body axis taken as an end view. Lying sets filmed from 45°
#: towards the feet read 50–65°; above 65° nearly all are truly end on (synthetic bench presses).
_END_MIN = 65.0


@dataclass(frozen=True)
class View:
    """``name``: side | diag | front | back | foot_end | head_end | end (along a lying body, from an
    end that cannot be told) | unknown; angles in degrees."""

    name: str
    axis_out_deg: float
    long_out_deg: float
    facing: float  # +1 facing the camera, -1 back to it, 0 side on
    near_side: str | None  # body side nearer the camera in side views


def _out_of_plane(v: np.ndarray, expected_len: float | None) -> np.ndarray:
    """Angle (deg) of 3D vectors ``v`` (n, 3) out of the image plane."""
    xy = np.linalg.norm(v[:, :2], axis=1)
    z = np.abs(v[:, 2])
    if expected_len is None:
        return np.degrees(np.arctan2(z, xy))
    return np.degrees(np.arccos(np.clip(xy / max(expected_len, 1e-6), 0.0, 1.0)))


def _end_name(p: np.ndarray, spine: np.ndarray) -> str:
    """Which end of a lying body the camera is beyond: foot_end, head_end or end (cannot tell).

    ``p``: the frames' landmarks, ``spine``: their hips → shoulders vectors.

    From beyond the feet the face reads the right way up (mouth below the eyes) and, with the phone
    above the bench, the trunk points up the image; from beyond the head both are reversed. Both must
    agree. BlazePose's depth cannot tell: it reads a trunk pointing up the image as one leaning towards
    the camera (rendered bench presses filmed from the feet: shoulders nearer than the hips in 88 % of
    frames).
    """
    eyes = (p[:, L.LEFT_EYE, 1] + p[:, L.RIGHT_EYE, 1]) / 2
    mouth = (p[:, L.MOUTH_LEFT, 1] + p[:, L.MOUTH_RIGHT, 1]) / 2
    face = float(np.nanmedian(mouth - eyes)) if np.isfinite(mouth - eyes).any() else 0.0
    trunk = -float(np.nanmedian(spine[:, 1]))  # > 0: shoulders above the hips in the image
    if face > 0 and trunk > 0:
        return "foot_end"
    if face < 0 and trunk < 0:
        return "head_end"
    return "end"


def estimate_view(xyz: np.ndarray, vis: np.ndarray, min_visibility: float = 0.1, lying: bool = False) -> View:
    """The camera view over a window of frames (``xyz`` (n, 33, 3), ``vis`` (n, 33)).

    ``lying``: the exercise is done lying (bench press, push-up). Filmed from beyond the feet, a lying
    trunk points up the image like a standing one; it is then judged from depth instead.
    """
    idx = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
    ok = np.isfinite(xyz[:, idx, :2]).all(axis=(1, 2)) & (vis[:, idx].min(axis=1) >= min_visibility)
    if not ok.any():
        return View("unknown", float("nan"), float("nan"), 0.0, None)
    p = xyz[ok].astype(float)
    has_z = bool(np.nanmax(np.abs(p[:, :, 2])) > 1e-6)
    axis = ((p[:, L.LEFT_SHOULDER] - p[:, L.RIGHT_SHOULDER]) + (p[:, L.LEFT_HIP] - p[:, L.RIGHT_HIP])) / 2
    spine = (p[:, L.LEFT_SHOULDER] + p[:, L.RIGHT_SHOULDER] - p[:, L.LEFT_HIP] - p[:, L.RIGHT_HIP]) / 2
    rise = -spine[:, 1] / np.maximum(np.linalg.norm(spine[:, :2], axis=1), 1e-6)
    upright = not lying and float(np.median(rise)) > _UPRIGHT_RISE
    standing = rise > _UPRIGHT_RISE
    if not lying and not upright and standing.sum() >= _MIN_STANDING_FRAMES:
        p, axis, spine = p[standing], axis[standing], spine[standing]
        ok[np.flatnonzero(ok)[~standing]] = False
        upright = True
    if has_z and not upright:
        axis_out = _out_of_plane(axis, None)
        long_out = _out_of_plane(spine, None)
        axis_len = np.linalg.norm(axis, axis=1)
        spine_len = np.linalg.norm(spine, axis=1)
    elif upright:
        # standing or seated: the 2D trunk is seen at full length from any level camera, so the
        # width of shoulders + hips against it tells the yaw (BlazePose z is too noisy for that)
        torso2d = np.linalg.norm(spine[:, :2], axis=1)
        width_ref = _UPRIGHT_WIDTH * float(np.median(torso2d))
        axis_out = _out_of_plane(axis, width_ref)
        long_out = np.zeros(len(p))
        axis_len = np.full(len(p), width_ref)
        spine_len = np.maximum(torso2d, 1e-6)
    else:
        torso2d = np.linalg.norm(spine[:, :2], axis=1)
        torso_ref = float(np.percentile(torso2d, 90))
        width_ref = max(float(np.percentile(np.linalg.norm(axis[:, :2], axis=1), 95)),
                        _WIDTH_RATIO * 0.8 * torso_ref)
        axis_out = _out_of_plane(axis, width_ref)
        long_out = _out_of_plane(spine, max(torso_ref, 1e-6))
        axis_len = np.full(len(p), width_ref)
        spine_len = np.maximum(torso2d, 1e-6)
    # facing: z of the chest normal (axis × spine) from the 2D cross product; image y points down,
    # so a person facing the camera (left shoulder on image right, spine up) gives a negative cross.
    cross = axis[:, 0] * spine[:, 1] - axis[:, 1] * spine[:, 0]
    facing = float(np.median(-cross / np.maximum(axis_len * spine_len, 1e-6)))
    a_out, l_out = float(np.median(axis_out)), float(np.median(long_out))
    edge_on = a_out >= (_SIDE_MIN_UPRIGHT if upright else _SIDE_MIN)
    if l_out >= _END_MIN and a_out < 40:
        name = _end_name(p, spine)
    elif edge_on and (not lying or l_out < _SIDE_MAX_LONG_LYING):
        name = "side"
    elif a_out <= 30:
        name = "front" if facing >= 0 else "back"
    else:
        name = "diag"
    near = None
    if name in ("side", "diag"):
        if has_z:
            near = "left" if float(np.median(axis[:, 2])) < 0 else "right"
        else:
            vl = vis[ok][:, [L.LEFT_SHOULDER, L.LEFT_HIP]].mean()
            vr = vis[ok][:, [L.RIGHT_SHOULDER, L.RIGHT_HIP]].mean()
            near = "left" if vl >= vr else "right"
    return View(name, a_out, l_out, float(np.clip(facing, -1, 1)), near)
