"""Pure angle helpers on landmark coordinates (2D or 3D, vectorised over leading axes).

Conventions: image coordinates have y growing downwards, so the image "down" direction is (0, 1).
All angles are in degrees. NaN inputs give NaN outputs (no exceptions), so missing landmarks
propagate cleanly into features.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9

#: Unit vector pointing down in image coordinates (gravity when the phone is upright).
IMAGE_DOWN = np.array([0.0, 1.0])


def _as_float(a: np.ndarray | list | tuple) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length over the last axis."""
    return np.linalg.norm(_as_float(v), axis=-1)


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to unit length over the last axis (zero vectors become NaN)."""
    v = _as_float(v)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > _EPS, v / np.where(n > _EPS, n, 1.0), np.nan)


def angle_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors ``u`` and ``v`` in [0, 180] (NaN for zero-length vectors)."""
    cu, cv = unit(u), unit(v)
    cos = np.clip(np.sum(cu * cv, axis=-1), -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def joint_angle(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle at ``vertex`` between the segments to ``a`` and ``b``, in [0, 180].

    180 is a straight limb (e.g. a locked-out elbow), small values a tightly bent joint.
    """
    vertex = _as_float(vertex)
    return angle_between(_as_float(a) - vertex, _as_float(b) - vertex)


def signed_angle_2d(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed angle from ``u`` to ``v`` in (-180, 180], positive clockwise on screen (y down)."""
    u, v = _as_float(u)[..., :2], _as_float(v)[..., :2]
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    bad = (norm(u) < _EPS) | (norm(v) < _EPS)
    return np.where(bad, np.nan, np.degrees(np.arctan2(cross, dot)))


def segment_angle_vertical(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Unsigned angle of the 2D segment ``p → q`` against image down, in [0, 180].

    0: ``q`` straight below ``p``; 90: horizontal; 180: ``q`` straight above ``p``.
    """
    d = _as_float(q)[..., :2] - _as_float(p)[..., :2]
    return angle_between(d, np.broadcast_to(IMAGE_DOWN, d.shape))


def segment_tilt(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Angle of the line through ``p`` and ``q`` against the image vertical, in [0, 90].

    Direction-free: 0 for a vertical segment, 90 for a horizontal one.
    """
    a = segment_angle_vertical(p, q)
    return np.minimum(a, 180.0 - a)


def segment_angle_signed(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Signed angle of ``p → q`` from image down, in (-180, 180], positive towards +x."""
    d = _as_float(q)[..., :2] - _as_float(p)[..., :2]
    return -signed_angle_2d(np.broadcast_to(IMAGE_DOWN, d.shape), d)


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint of two points (any dimension)."""
    return (_as_float(a) + _as_float(b)) / 2.0


def rotate_2d(points: np.ndarray, angle_deg: float, centre: np.ndarray | None = None) -> np.ndarray:
    """Rotate 2D points (…, 2) by ``angle_deg`` clockwise on screen (y down) around ``centre``."""
    pts = _as_float(points)
    c = np.zeros(2) if centre is None else _as_float(centre)
    t = np.radians(angle_deg)
    # With y pointing down, the standard matrix turns clockwise as seen on screen.
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return (pts[..., :2] - c) @ rot.T + c


def rotation_matrix(axis: np.ndarray | str, angle_deg: float) -> np.ndarray:
    """3x3 right-handed rotation of ``angle_deg`` about ``axis`` ("x", "y", "z" or a 3-vector)."""
    if isinstance(axis, str):
        axis = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}[axis]
    k = unit(_as_float(axis))
    t = np.radians(angle_deg)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(t) * kx + (1.0 - np.cos(t)) * (kx @ kx)


def wrap_deg(angle: np.ndarray) -> np.ndarray:
    """Wrap angles to (-180, 180]."""
    a = np.mod(_as_float(angle) + 180.0, 360.0) - 180.0
    return np.where(a == -180.0, 180.0, a)


def point_line_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed 2D distance of ``p`` from the line ``a → b`` (positive on the right on screen)."""
    p, a, b = (_as_float(x)[..., :2] for x in (p, a, b))
    d = b - a
    r = p - a
    cross = d[..., 0] * r[..., 1] - d[..., 1] * r[..., 0]
    n = norm(d)
    return np.where(n > _EPS, cross / np.where(n > _EPS, n, 1.0), np.nan)
