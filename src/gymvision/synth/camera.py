"""Phone-like pinhole cameras around a scene, projection and occlusion tests.

Views are named relative to the person (see :data:`VIEWS`); each draws yaw, height, distance,
focal length and roll from the ranges people actually film with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..landmarks import L
from .body import Body
from .rigging import Box, Scene

VIEWS: tuple[str, ...] = ("side_left", "side_right", "front", "front_diag", "back", "back_diag",
                          "head_end", "foot_end", "high")

#: Base yaw (degrees from the scene's front direction towards its left) and jitter per view.
_YAW = {"front": (0.0, 15.0), "front_diag": (45.0, 20.0), "side_left": (90.0, 15.0),
        "side_right": (-90.0, 15.0), "back_diag": (135.0, 20.0), "back": (180.0, 15.0),
        "head_end": (0.0, 20.0), "foot_end": (180.0, 20.0), "high": (0.0, 180.0)}


@dataclass
class Camera:
    """Pinhole camera: world→camera rotation rows (x right, y down, z forward), position, intrinsics."""

    position: np.ndarray
    rot: np.ndarray
    f: float
    cx: float
    cy: float
    image_size: tuple[int, int]
    view: str
    yaw: float
    height: float
    roll: float
    fov: float
    target: np.ndarray | None = None  # the point it looks at (the middle of the moving body)

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        return (pts - self.position) @ self.rot.T

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel (u, v) and depth for world points (…, 3)."""
        c = self.to_camera(pts)
        z = np.maximum(c[..., 2], 1e-3)
        uv = np.stack([self.f * c[..., 0] / z + self.cx, self.f * c[..., 1] / z + self.cy], axis=-1)
        return uv, c[..., 2]

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "yaw_deg": round(self.yaw, 1), "height_m": round(self.height, 3),
                "roll_deg": round(self.roll, 1), "fov_deg": round(self.fov, 1), "f_px": round(self.f, 1),
                "position": [round(float(v), 3) for v in self.position],
                "distance_m": round(float(np.linalg.norm(self.position - (
                    self.target if self.target is not None else np.zeros(3)))), 3),
                "image_size": list(self.image_size)}


def look_at(position: np.ndarray, target: np.ndarray, roll_deg: float) -> np.ndarray:
    z = target - position
    z = z / np.linalg.norm(z)
    x = np.cross(z, [0.0, 0.0, 1.0])
    if np.linalg.norm(x) < 1e-6:
        x = np.array([1.0, 0.0, 0.0])
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    r = np.radians(roll_deg)
    x, y = np.cos(r) * x + np.sin(r) * y, -np.sin(r) * x + np.cos(r) * y
    return np.stack([x, y, z])


def sample_camera(view: str, rng: np.random.Generator, pts: np.ndarray, scene: Scene,
                  image_size: tuple[int, int], occlusion: float = 1.0) -> Camera:
    """A camera for ``view`` that frames the moving points ``pts`` (T, N, 3)."""
    if view not in _YAW:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    base, jit = _YAW[view]
    if view == "front_diag" or view == "back_diag":
        base *= rng.choice([-1.0, 1.0]) if view == "front_diag" else 1.0
        if view == "back_diag":
            base = rng.choice([135.0, -135.0])
    yaw = base + rng.uniform(-jit, jit)
    if view in ("head_end", "foot_end"):
        height = rng.uniform(0.9, 2.0) if scene.lying else rng.uniform(1.6, 2.4)
    elif view == "high":
        height = rng.uniform(2.0, 3.2)
    else:
        if scene.lying:  # phones on the floor are common for push-ups and bench
            height = rng.uniform(0.08, 0.5) if rng.uniform() < 0.35 else rng.uniform(0.3, 1.6)
        else:
            height = rng.uniform(0.35, 1.7)
    w, h = image_size
    fov = rng.uniform(55.0, 80.0)  # along the long side
    f = (max(w, h) / 2) / np.tan(np.radians(fov) / 2)
    lo, hi = pts.reshape(-1, 3).min(axis=0), pts.reshape(-1, 3).max(axis=0)
    centre = (lo + hi) / 2
    horiz = np.cos(np.radians(yaw)) * scene.front + np.sin(np.radians(yaw)) * scene.left
    horiz = horiz / np.linalg.norm(horiz)
    roll = float(np.clip(rng.normal(0, 4.0), -10, 10))
    fill = rng.uniform(0.45, 0.9)
    if rng.uniform() < 0.08 * occlusion:
        fill = rng.uniform(0.95, 1.35)  # partly out of frame
    target = centre + rng.normal(0, 0.05, 3)
    dist = 3.0
    cam = None
    sub = pts[:: max(len(pts) // 20, 1)]
    for _ in range(4):
        pos = centre + horiz * dist
        pos[2] = height
        rot = look_at(pos, target, roll)
        cam = Camera(pos, rot, f, w / 2, h / 2, image_size, view, float(yaw), float(height), roll, float(fov))
        uv, depth = cam.project(sub)
        if depth.min() < 0.3:
            dist *= 1.5
            continue
        ext = uv.reshape(-1, 2).max(axis=0) - uv.reshape(-1, 2).min(axis=0)
        k = max(ext[0] / (fill * w), ext[1] / (fill * h))
        dist = max(dist * k, float(np.linalg.norm((hi - lo)[:2])) / 2 + 0.6)
    assert cam is not None
    pos = centre + horiz * dist
    pos[2] = height
    cam = Camera(pos, look_at(pos, target, roll), f, w / 2, h / 2, image_size, view, float(yaw),
                 float(height), roll, float(fov), target)
    # Place the person somewhere in the frame (principal-point shift = off-centre framing).
    uv, _ = cam.project(sub)
    umin, umax = uv.reshape(-1, 2).min(axis=0), uv.reshape(-1, 2).max(axis=0)
    shift = np.zeros(2)
    for i, size in enumerate((w, h)):
        free = size - (umax[i] - umin[i])
        want = rng.uniform(0, free) if free > 0 else rng.uniform(free, 0)
        shift[i] = want - umin[i]
    cam.cx += float(shift[0])
    cam.cy += float(shift[1])
    return cam


# ----------------------------------------------------------------------------------------- occlusion
_SEGMENTS = (  # (a, b, radius m, samples)
    (L.LEFT_SHOULDER, L.LEFT_ELBOW, 0.05, 4), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, 0.05, 4),
    (L.LEFT_ELBOW, L.LEFT_WRIST, 0.04, 4), (L.RIGHT_ELBOW, L.RIGHT_WRIST, 0.04, 4),
    (L.LEFT_HIP, L.LEFT_KNEE, 0.075, 5), (L.RIGHT_HIP, L.RIGHT_KNEE, 0.075, 5),
    (L.LEFT_KNEE, L.LEFT_ANKLE, 0.05, 5), (L.RIGHT_KNEE, L.RIGHT_ANKLE, 0.05, 5),
)
FACE = np.arange(0, 11)


def body_spheres(pts: np.ndarray, body: Body) -> tuple[np.ndarray, np.ndarray]:
    """Sphere centres (T, S, 3) and radii (S,) approximating the body for occlusion tests."""
    cs, rs = [], []
    g = body.girth * body.scale
    for a, b, r, n in _SEGMENTS:
        for k in np.linspace(0.15, 0.85, n):
            cs.append(pts[:, a] + (pts[:, b] - pts[:, a]) * k)
            rs.append(r * g)
    sl, sr = pts[:, L.LEFT_SHOULDER], pts[:, L.RIGHT_SHOULDER]
    hl, hr = pts[:, L.LEFT_HIP], pts[:, L.RIGHT_HIP]
    for v in (0.12, 0.37, 0.63, 0.88):
        for u in (0.2, 0.5, 0.8):
            top = sl + (sr - sl) * u
            bot = hl + (hr - hl) * u
            cs.append(top + (bot - top) * v)
            rs.append(0.095 * g)
    return np.stack(cs, axis=1), np.array(rs)


def occluded_by_spheres(pts: np.ndarray, cam_pos: np.ndarray, centres: np.ndarray,
                        radii: np.ndarray) -> np.ndarray:
    """(T, N) bool: the ray from each point to the camera passes through a sphere in front of it."""
    d = cam_pos - pts  # (T, N, 3)
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    rel = centres[:, None, :, :] - pts[:, :, None, :]  # (T, N, S, 3)
    ts = np.einsum("tnsk,tnk->tns", rel, d)
    d2 = np.einsum("tnsk,tnsk->tns", rel, rel)
    perp2 = d2 - ts**2
    own = d2 < (radii * 1.4 + 0.03) ** 2
    hit = (ts > 0.02) & (perp2 < radii**2) & ~own
    return hit.any(axis=-1)


def occluded_by_head(pts: np.ndarray, cam_pos: np.ndarray, head_c: np.ndarray, face_dir: np.ndarray,
                     radius: float) -> np.ndarray:
    """(T, N) bool for face points hidden behind the head (back and far side of the face)."""
    c = head_c + face_dir * 0.02
    d = cam_pos - pts
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    rel = c[:, None, :] - pts
    ts = np.einsum("tnk,tnk->tn", rel, d)
    perp = np.linalg.norm(rel - ts[..., None] * d, axis=-1)
    return (ts > 0.01) & (perp < radius)


def occluded_by_box(pts: np.ndarray, cam_pos: np.ndarray, box: Box) -> np.ndarray:
    """(T, N) bool: the segment point→camera crosses the oriented box (slab test)."""
    centre = box.centre if box.centre.ndim == 2 else box.centre[None, :]
    p = np.einsum("ij,tnj->tni", box.axes, pts - centre[:, None, :])
    q = np.einsum("ij,tnj->tni", box.axes, cam_pos - centre[:, None, :])
    d = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (-box.half - p) / d
        t2 = (box.half - p) / d
    tmin = np.nanmax(np.where(np.abs(d) < 1e-12, -np.inf, np.minimum(t1, t2)), axis=-1)
    tmax = np.nanmin(np.where(np.abs(d) < 1e-12, np.inf, np.maximum(t1, t2)), axis=-1)
    parallel_out = np.any((np.abs(d) < 1e-12) & (np.abs(p) > box.half), axis=-1)
    hit = (tmin <= tmax) & (tmax > 0) & (tmin > 1e-3) & (tmin < 1) & ~parallel_out
    return hit
