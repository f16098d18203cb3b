"""View-normalised features from poses: per frame (posture) and per window (motion).

Per-frame features describe the posture in ways that survive the camera: joint angles in the image,
segment angles against the image vertical (gravity), positions of the limbs in the torso's own frame
(along the torso / towards the chest), which way the chest and face point (up, down, camera; the only
features that read the pose model's depth), and height relations in the image (wrists above
shoulders, ankles below hips…). Joint angles and limb positions are not taken in 3D: BlazePose's depth
on real footage bends them far outside any real posture (a real deadlift's set-up read as a 54° knee
beside a 124° one in the image), which made the recogniser call deadlifts squats. Lengths are divided by an
estimate of the person's stature in pixels. Left/right is replaced by the better-seen "near" side and
the "far" side, so a mirrored view gives the same features. Values that cannot be measured (hidden or
missing landmarks) are NaN; the gradient-boosted recogniser handles NaN natively.

Window features summarise how those signals move over a few seconds: which joints move and how far,
how fast, and whether the wrists move with the shoulders and hips (a squat with a bar) or alone
(a press).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from . import geometry as g
from .landmarks import L
from .results import Pose

#: Landmarks below this visibility count as unknown.
MIN_VISIBILITY = 0.08

_SIDE = {  # (left, right) landmark per limb point
    "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "elbow": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
    "wrist": (L.LEFT_WRIST, L.RIGHT_WRIST), "hip": (L.LEFT_HIP, L.RIGHT_HIP),
    "knee": (L.LEFT_KNEE, L.RIGHT_KNEE), "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
    "heel": (L.LEFT_HEEL, L.RIGHT_HEEL), "toe": (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
    "index": (L.LEFT_INDEX, L.RIGHT_INDEX),
}
_ANGLES = {"elbow": ("shoulder", "elbow", "wrist"), "shoulder": ("hip", "shoulder", "elbow"),
           "hip": ("shoulder", "hip", "knee"), "knee": ("hip", "knee", "ankle")}
_SEGMENTS = {"upperarm": ("shoulder", "elbow"), "forearm": ("elbow", "wrist"), "thigh": ("hip", "knee"),
             "shank": ("knee", "ankle"), "foot": ("heel", "toe")}
# Segment length as a fraction of stature (Drillis & Contini), for the scale estimate.
_RATIOS = (("shoulder", "hip", 0.29), ("hip", "knee", 0.245), ("knee", "ankle", 0.246),
           ("shoulder", "elbow", 0.186), ("elbow", "wrist", 0.146))
_BODY_POINTS = ("elbow", "wrist", "knee", "ankle")


def _names() -> tuple[str, ...]:
    n: list[str] = []
    for j in _ANGLES:
        n += [f"{j}_near", f"{j}_far"]
    n += ["torso_vs_vertical", "body_vs_vertical"]
    for s in _SEGMENTS:
        n += [f"{s}_near_vs_vertical", f"{s}_far_vs_vertical"]
    for p in _BODY_POINTS:
        n += [f"{p}_near_along", f"{p}_near_front", f"{p}_far_along", f"{p}_far_front"]
    n += ["nose_along", "nose_front_abs", "chest_up_2d"]
    n += ["thumb_near_front", "thumb_near_along", "knuckles_near_along", "hand_near_width", "foot_near_front",
          "foot_near_along"]
    n += ["wrist_near_above_shoulder", "wrist_far_above_shoulder", "wrist_above_hip", "wrist_above_nose",
          "elbow_above_shoulder", "hip_below_shoulder", "knee_below_hip", "ankle_below_hip",
          "ankle_below_knee", "nose_above_shoulder", "wrist_below_ankle"]
    n += ["bbox_aspect", "bbox_height", "bbox_width", "wrist_spread", "knee_spread", "ankle_spread",
          "shoulder_width"]
    n += ["torso_up_3d", "chest_up_3d", "chest_to_camera_3d", "face_up_3d", "face_to_camera_3d"]
    n += ["hand_gap_vs_shoulders", "hand_gap_vs_elbows", "wrist_to_nose"]
    return tuple(n)


#: Names of the per-frame features, in order.
FEATURE_NAMES: tuple[str, ...] = _names()
N_FEATURES = len(FEATURE_NAMES)


def _masked(xyz: np.ndarray, vis: np.ndarray, min_visibility: float) -> np.ndarray:
    out = xyz.astype(np.float64, copy=True)
    out[vis < min_visibility] = np.nan
    return out


def _scale(p: np.ndarray) -> np.ndarray:
    """Stature in pixels per frame: an upper quantile of 2D segment length / anthropometric ratio.

    Foreshortened segments underestimate it, so the upper quantile is the better guess.
    """
    est = []
    for a, b, r in _RATIOS:
        for side in (0, 1):
            ia, ib = _SIDE[a][side], _SIDE[b][side]
            est.append(np.linalg.norm(p[:, ia, :2] - p[:, ib, :2], axis=-1) / r)
    est.append(np.linalg.norm(p[:, L.LEFT_SHOULDER, :2] - p[:, L.RIGHT_SHOULDER, :2], axis=-1) / 0.21)
    e = np.stack(est, axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = np.nanpercentile(np.where(np.isfinite(e), e, np.nan), 80, axis=1) if e.size else np.nan
    return np.where(np.isfinite(s) & (s > 1e-6), s, np.nan)


def features_array(xyz: np.ndarray, visibility: np.ndarray, *,
                   min_visibility: float = MIN_VISIBILITY) -> np.ndarray:
    """Per-frame features (N, F) for landmarks ``xyz`` (N, 33, 3) and ``visibility`` (N, 33)."""
    xyz = np.asarray(xyz, np.float64).reshape(-1, 33, 3)
    vis = np.asarray(visibility, np.float64).reshape(-1, 33)
    n = xyz.shape[0]
    p = _masked(xyz, vis, min_visibility)
    s = _scale(p)
    # Near side: the better-visible one; on a tie, the one closer to the camera (smaller z).
    limb = [L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE]
    limb_r = [L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE]
    vl, vr = vis[:, limb].mean(axis=1), vis[:, limb_r].mean(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        zl, zr = np.nanmean(xyz[:, limb, 2], axis=1), np.nanmean(xyz[:, limb_r, 2], axis=1)
    left_near = np.where(np.abs(vl - vr) > 0.05, vl > vr, zl <= zr)

    def pick(names: tuple[str, ...]) -> np.ndarray:
        """Per frame: is the left side the better-seen one for these points (ties: nearer side)."""
        va = np.min([vis[:, _SIDE[k][0]] for k in names], axis=0)
        vb = np.min([vis[:, _SIDE[k][1]] for k in names], axis=0)
        return np.where(np.abs(va - vb) > 0.05, va > vb, left_near)

    def pt(name: str, near: bool, left: np.ndarray | None = None) -> np.ndarray:
        a, b = _SIDE[name]
        ln = (pick((name,)) if left is None else left)[:, None]
        return np.where(ln if near else ~ln, p[:, a], p[:, b])

    def mid(name: str) -> np.ndarray:
        a, b = _SIDE[name]
        return np.nanmean(np.stack([p[:, a], p[:, b]]), axis=0)

    cols: list[np.ndarray] = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a, v, b in _ANGLES.values():
            side = pick((a, v, b))
            for near in (True, False):
                cols.append(g.joint_angle(pt(a, near, side)[:, :2], pt(v, near, side)[:, :2],
                                          pt(b, near, side)[:, :2]))
        sh, hp, an = mid("shoulder"), mid("hip"), mid("ankle")
        cols.append(g.segment_angle_vertical(sh, hp))
        cols.append(g.segment_angle_vertical(sh, an))
        for a, b in _SEGMENTS.values():
            side = pick((a, b))
            for near in (True, False):
                cols.append(g.segment_angle_vertical(pt(a, near, side), pt(b, near, side)))
        # Torso frame in the image: "along" from hips to shoulders, "front" towards the nose side.
        axis = g.unit(sh[:, :2] - hp[:, :2])
        perp = np.stack([-axis[:, 1], axis[:, 0]], axis=1)
        nose = p[:, L.NOSE, :2]
        nose_front = np.sum((nose - sh[:, :2]) * perp, axis=1)
        sign = np.where(nose_front < 0, -1.0, 1.0)[:, None]
        front = perp * sign
        for name in _BODY_POINTS:
            for near in (True, False):
                d = pt(name, near)[:, :2] - sh[:, :2]
                cols += [np.sum(d * axis, axis=1) / s, np.sum(d * front, axis=1) / s]
        cols += [np.sum((nose - sh[:, :2]) * axis, axis=1) / s, np.abs(nose_front) / s, -front[:, 1]]
        # Hand orientation: a bar grip turns the knuckles forward, relaxed hands turn the thumbs forward.
        hand = pick(("wrist", "index"))
        wr2 = pt("wrist", True, hand)[:, :2]
        th = np.where(hand[:, None], p[:, L.LEFT_THUMB, :2], p[:, L.RIGHT_THUMB, :2]) - wr2
        ix = pt("index", True, hand)[:, :2]
        pk = np.where(hand[:, None], p[:, L.LEFT_PINKY, :2], p[:, L.RIGHT_PINKY, :2])
        kn = (ix + pk) / 2 - wr2
        cols += [np.sum(th * front, axis=1) / s, np.sum(th * axis, axis=1) / s, np.sum(kn * axis, axis=1) / s,
                 np.linalg.norm(ix - pk, axis=1) / s]
        # Feet point to the chest side when standing, squatting or in a plank (checks the nose's vote).
        foot = pick(("heel", "toe"))
        fd = pt("toe", True, foot)[:, :2] - pt("heel", True, foot)[:, :2]
        cols += [np.sum(fd * front, axis=1) / s, np.sum(fd * axis, axis=1) / s]
        # Height relations in the image (positive = first point higher up in the picture).
        y = lambda q: q[:, 1]  # noqa: E731
        wn, wf = pt("wrist", True), pt("wrist", False)
        wm = mid("wrist")
        cols += [(y(pt("shoulder", True)) - y(wn)) / s, (y(pt("shoulder", False)) - y(wf)) / s,
                 (y(hp) - y(wm)) / s, (y(p[:, L.NOSE]) - y(wm)) / s, (y(sh) - y(mid("elbow"))) / s,
                 (y(hp) - y(sh)) / s, (y(mid("knee")) - y(hp)) / s, (y(an) - y(hp)) / s,
                 (y(an) - y(mid("knee"))) / s, (y(sh) - y(p[:, L.NOSE])) / s, (y(wm) - y(an)) / s]
        # Extent of the body and spreads.
        lo, hi = np.nanmin(p[:, :, :2], axis=1), np.nanmax(p[:, :, :2], axis=1)
        ext = hi - lo
        cols += [ext[:, 0] / np.maximum(ext[:, 1], 1e-6), ext[:, 1] / s, ext[:, 0] / s]
        for name in ("wrist", "knee", "ankle", "shoulder"):
            a, b = _SIDE[name]
            cols.append(np.linalg.norm(p[:, a, :2] - p[:, b, :2], axis=-1) / s)
        # 3D torso frame from z (noisy, mis-scaled, but it tells face up from face down).
        up3 = g.unit(sh - hp)
        left3 = g.unit(p[:, L.LEFT_SHOULDER] - p[:, L.RIGHT_SHOULDER])
        chest3 = g.unit(np.cross(left3, up3))
        # The same from the nose, which survives a left/right swap of the pose model.
        nose3 = p[:, L.NOSE] - sh
        face3 = g.unit(nose3 - np.sum(nose3 * up3, axis=1, keepdims=True) * up3)
        cols += [-up3[:, 1], -chest3[:, 1], -chest3[:, 2], -face3[:, 1], -face3[:, 2]]
        # Hand gap against the shoulders and the elbows (hands at the head or laced behind it sit
        # inside the elbows; a press or a bar grip holds them above or outside), and how far the
        # hands are from the face. Ratios are left unmeasured when the shoulders are seen side on.
        gap = lambda k: np.linalg.norm(p[:, _SIDE[k][0], :2] - p[:, _SIDE[k][1], :2], axis=-1)  # noqa: E731
        wide = gap("shoulder") > 0.06 * s
        cols += [np.where(wide, gap("wrist") / gap("shoulder"), np.nan),
                 np.where(wide, gap("wrist") / np.maximum(gap("elbow"), 1e-6), np.nan)]
        wn = [np.linalg.norm(p[:, _SIDE["wrist"][k], :2] - nose, axis=-1) for k in (0, 1)]
        cols.append(np.mean(wn, axis=0) / s)
    out = np.stack([np.broadcast_to(c, (n,)) for c in cols], axis=1).astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    assert out.shape[1] == N_FEATURES, (out.shape, N_FEATURES)
    return out


def pose_features(pose: Pose, *, min_visibility: float = MIN_VISIBILITY) -> np.ndarray:
    """Feature vector (F,) of one pose; NaN where a value cannot be measured."""
    return features_array(pose.xyz[None], pose.visibility[None], min_visibility=min_visibility)[0]


def poses_features(poses: Sequence[Pose | None], *, min_visibility: float = MIN_VISIBILITY) -> np.ndarray:
    """Features (T, F) of a pose track; rows of missing poses are all NaN."""
    out = np.full((len(poses), N_FEATURES), np.nan, np.float32)
    idx = [i for i, p in enumerate(poses) if p is not None]
    if idx:
        xyz = np.stack([poses[i].xyz for i in idx])  # type: ignore[union-attr]
        vis = np.stack([poses[i].visibility for i in idx])  # type: ignore[union-attr]
        out[idx] = features_array(xyz, vis, min_visibility=min_visibility)
    return out


# ---------------------------------------------------------------------------------------- windows
#: Per-frame signals whose motion over a window is summarised.
MOTION_SIGNALS: tuple[str, ...] = (
    "elbow_near", "elbow_far", "shoulder_near", "shoulder_far", "hip_near", "hip_far", "knee_near",
    "knee_far", "torso_vs_vertical", "thigh_near_vs_vertical", "shank_near_vs_vertical",
    "upperarm_near_vs_vertical", "forearm_near_vs_vertical", "wrist_near_along", "wrist_near_front",
    "ankle_near_along", "ankle_near_front", "knee_near_along", "knee_near_front",
    "wrist_near_above_shoulder", "hip_below_shoulder", "ankle_below_hip",
)
_TRACKS = ("shoulder_y", "hip_y", "wrist_y", "knee_y", "ankle_y", "nose_y", "wrist_x", "hip_x", "ankle_x")
_CORR = (("wrist_y", "shoulder_y"), ("shoulder_y", "hip_y"), ("wrist_y", "hip_y"),
         ("knee_near", "elbow_near"), ("knee_near", "hip_near"), ("ankle_y", "hip_y"), ("ankle_x", "hip_x"),
         ("elbow_near", "wrist_y"))


def _window_names() -> tuple[str, ...]:
    n: list[str] = []
    for s in MOTION_SIGNALS:
        n += [f"{s}_p10", f"{s}_p50", f"{s}_p90", f"{s}_range", f"{s}_speed"]
    for t in _TRACKS:
        n += [f"{t}_range", f"{t}_speed"]
    n += [f"corr_{a}_{b}" for a, b in _CORR]
    n += ["seen_fraction", "dominant_range"]
    return tuple(n)


WINDOW_FEATURE_NAMES: tuple[str, ...] = _window_names()


def _tracks(poses: Sequence[Pose | None], scale: float) -> dict[str, np.ndarray]:
    """Image positions of body points (T,) in stature units, relative to the window's median hip."""
    out = {k: np.full(len(poses), np.nan) for k in _TRACKS}
    pts = {"shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "hip": (L.LEFT_HIP, L.RIGHT_HIP),
           "wrist": (L.LEFT_WRIST, L.RIGHT_WRIST), "knee": (L.LEFT_KNEE, L.RIGHT_KNEE),
           "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE), "nose": (L.NOSE, L.NOSE)}
    for i, p in enumerate(poses):
        if p is None:
            continue
        for name, (a, b) in pts.items():
            m = (p.xyz[a, :2] + p.xyz[b, :2]) / 2
            if f"{name}_y" in out:
                out[f"{name}_y"][i] = m[1] / scale
            if f"{name}_x" in out:
                out[f"{name}_x"][i] = m[0] / scale
    return out


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    m = np.isfinite(a) & np.isfinite(b)
    if m.sum() < 5:
        return np.nan
    a, b = a[m], b[m]
    sa, sb = a.std(), b.std()
    if sa < 1e-6 or sb < 1e-6:
        return 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def window_features(poses: Sequence[Pose | None], times: Sequence[float],
                    frame_feats: np.ndarray | None = None) -> np.ndarray:
    """Motion features (W,) of a pose track: percentiles, range and speed of posture signals,
    ranges of body-point tracks and correlations between them (which joints move together)."""
    times = np.asarray(times, np.float64)
    f = poses_features(poses) if frame_feats is None else frame_feats
    idx = {n: i for i, n in enumerate(FEATURE_NAMES)}
    seen = np.array([p is not None for p in poses])
    dur = max(float(times[-1] - times[0]), 1e-3) if len(times) > 1 else 1.0
    vals: list[float] = []
    sig: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in MOTION_SIGNALS:
            x = f[:, idx[name]].astype(np.float64)
            sig[name] = x
            ok = np.isfinite(x)
            if ok.sum() < 3:
                vals += [np.nan] * 5
                continue
            p10, p50, p90 = np.percentile(x[ok], [10, 50, 90])
            speed = np.nansum(np.abs(np.diff(x[ok]))) / dur
            vals += [p10, p50, p90, p90 - p10, speed]
        got = [p for p in poses if p is not None]
        scale = 1.0
        if got:
            xyz = np.stack([q.xyz for q in got])
            vis = np.stack([q.visibility for q in got])
            med = np.nanmedian(_scale(_masked(xyz, vis, MIN_VISIBILITY)))
            scale = float(med) if np.isfinite(med) else 1.0
        tr = _tracks(poses, scale)
        for name in _TRACKS:
            x = tr[name]
            ok = np.isfinite(x)
            if ok.sum() < 3:
                vals += [np.nan, np.nan]
                continue
            p10, p90 = np.percentile(x[ok], [10, 90])
            vals += [p90 - p10, np.nansum(np.abs(np.diff(x[ok]))) / dur]
        allsig = {**sig, **tr}
        vals += [_corr(allsig[a], allsig[b]) for a, b in _CORR]
        ranges = [vals[5 * i + 3] for i in range(len(MOTION_SIGNALS)) if i < 8]
        vals += [float(seen.mean()) if len(seen) else 0.0, float(np.nanmax(ranges)) if ranges else np.nan]
    out = np.asarray(vals, np.float32)
    out[~np.isfinite(out)] = np.nan
    return out

