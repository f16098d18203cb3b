"""Per-exercise motion signals from pose sequences.

Each exercise is followed by two channels: a joint angle (degrees), taken from the better-visible
body side or the mean of both, and a vertical displacement in per cent of the person's body scale
(e.g. the hips over the knees in a squat). Vertical displacements are the same from every level
camera and are well conditioned where 2D joint angles are not (a forearm pointing at the camera), and
they reject look-alike motion such as the knee swing of walking. Counting runs on whichever channel
is cleaner for the clip; the other one gates each rep; the angle gives the range of motion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from ..geometry import joint_angle
from ..landmarks import JOINTS, LEFT_LEG, RIGHT_LEG, L
from ..results import Pose

#: Landmarks below this visibility are treated as missing.
MIN_VISIBILITY = 0.5
#: Landmarks used for the motion signal may be less visible: an occluded limb's estimate still
#: follows the lift (the rep's confidence reports the low visibility); only near-zero ones are dropped.
SIGNAL_MIN_VIS = 0.1
#: Shoulders over hips (% of body scale) reach at least this in a standing/seated rep...
UPRIGHT_MIN = 35.0
#: ...and at most this in a lying one (bench press, incline included; push-up).
LYING_MAX = 80.0
#: Live, a lying lift's trunk must at least not be fully upright (filmed from the feet, a bench
#: presser's trunk looks steep in the image).
LYING_MAX_LIVE = 92.0
#: Seated with the thighs on a seat: hips over knees at most this at rest (% of body scale).
SEATED_MAX = 45.0
#: Joint angles are measured in the image plane: BlazePose's z is too noisy (on the ML Kit samples
#: 3D knee/elbow angles separate up from down poses in 80-96 % of rows, 2D angles in 98-99 %).
USE_Z = False


@dataclass(frozen=True)
class ExerciseSpec:
    """How to follow one exercise.

    Two channels follow a lift: a joint angle (degrees) and a vertical displacement (``vertical``:
    the offset of one landmark pair above another, in per cent of the body scale), which is the same
    from every level camera and rejects look-alike motion (the knee swing of walking does not lower
    the hips). ``turn_high``: the turning point of a rep is a maximum of both channels (the lockout of
    a shoulder press, which starts from the rack); otherwise a minimum (the bottom of a squat).
    ``min_rom_deg``/``min_range_v``: the smallest rep on each channel. With ``linearise`` the
    vertical channel is turned into its segment's tilt (degrees) before counting, see ``detect``.
    """

    joint: str  # "knee" | "elbow" | "hip"
    turn_high: bool
    min_rom_deg: float
    vertical: str
    min_range_v: float
    typical_rom_deg: float = 80.0
    typical_range_v: float = 70.0
    min_duration_s: float = 0.5
    max_duration_s: float = 15.0
    linearise: bool = False  # the vertical channel is a segment length x cos(tilt), see detect
    upright: bool = True  # trunk up (standing, seated) rather than lying or in a plank
    rest_min_v: float = -math.inf  # the vertical offset at a rep's rest position is at least this
    turn_min_v: float = -math.inf  # ... and at its turning point
    fallback_joint: str | None = None  # followed instead when ``joint`` is mostly unseen (feet cut off)
    min_shift_v: float = 0.0  # least change of the (un-linearised) vertical offset in a rep, % of scale
    seated: bool = False  # thighs level at rest (hips at knee height), not standing
    angle_veto: bool = True  # an unreliable 2D angle that does not move vetoes a rep
    planted: bool = False  # both feet stay on the floor: a foot far above the other is a misread leg
    chest_up: bool = False  # the trunk stays up: folded over with the hands below the hips is a reach
    from_floor: bool = False  # a set starts with the bar on the floor: hands below the knees, over the feet
    trunk_lowers: bool = False  # the shoulders drop towards the hands: the trunk never rises in the image
    forearms_up: bool = False  # the forearms stand upright under the load: see ``forearm_channel``
    side_min_rom_deg: float = 0.0  # seen from the side a rep bends the joint this much (live; batch: detect)

    def posture_ok(self, torso_up: Sequence[float], lying_check: bool = False) -> bool:
        """Whether the trunk's height (shoulders over hips, % of body scale) over a rep fits the exercise.

        ``torso_up``: at the rep's start, turn and end. Standing and seated lifts have the trunk up at
        some point of the rep (a deadlift's lockout), a squat at both ends; lying ones have it down at
        some point (the bottom of a push-up). Height is in the image, so perspective (filming along
        the body) blurs it: the bounds are loose.
        """
        vals = [v for v in torso_up if np.isfinite(v)]
        if not vals:
            return True
        if not self.upright:
            # filmed from above, a plank looks upright in the image: lying lifts are checked only on
            # request (live, where the camera is a webcam or a phone in front of the person)
            return not lying_check or min(vals) <= LYING_MAX_LIVE
        if self.chest_up:  # a squat starts and ends standing: bending down into a plank is no rep
            ends = [v for v in (torso_up[0], torso_up[-1]) if np.isfinite(v)]
            if ends and min(ends) < UPRIGHT_MIN:
                return False
        return max(vals) >= UPRIGHT_MIN


SPECS: dict[str, ExerciseSpec] = {
    "squat": ExerciseSpec("knee", False, 30.0, "hip_over_knee", 15.0, 85.0, 60.0, linearise=True,
                           fallback_joint="hip", min_shift_v=6.0, rest_min_v=40.0, planted=True,
                           chest_up=True, side_min_rom_deg=20.0),
    # from the front the 2D knee angle hardly moves (the shin swings at the camera), from the side it must
    "leg_extension": ExerciseSpec("knee", True, 30.0, "ankle_over_knee", 20.0, 75.0, 70.0, linearise=True,
                                  min_shift_v=5.0, seated=True, angle_veto=False, side_min_rom_deg=20.0),
    # the bar stays above the shoulders, and the chest above the hands (not arms swung overhead)
    "bench_press": ExerciseSpec("elbow", False, 30.0, "wrist_over_shoulder", 20.0, 80.0, 100.0,
                                upright=False, turn_min_v=-25.0, forearms_up=True),
    "push_up": ExerciseSpec("elbow", False, 30.0, "shoulder_over_wrist", 15.0, 75.0, 75.0, upright=False,
                            turn_min_v=-25.0, trunk_lowers=True),
    # a press starts from the rack: wrists by the shoulders, not hanging (arms raised in a stretch)
    "shoulder_press": ExerciseSpec("elbow", True, 35.0, "wrist_over_shoulder", 25.0, 85.0, 90.0,
                                   rest_min_v=-35.0),
    "deadlift": ExerciseSpec("hip", True, 35.0, "shoulder_over_ankle", 20.0, 80.0, 70.0, planted=True,
                             from_floor=True),
}

_SIDE_JOINTS = {"knee": ("left_knee", "right_knee"), "elbow": ("left_elbow", "right_elbow"),
                "hip": ("left_hip", "right_hip")}

#: Vertical channels: (upper landmark pair, lower landmark pair); value = (y_lower - y_upper) / scale.
_VERTICAL: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "hip_over_knee": ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE)),
    "hip_over_ankle": ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_ANKLE, L.RIGHT_ANKLE)),
    "ankle_over_knee": ((L.LEFT_ANKLE, L.RIGHT_ANKLE), (L.LEFT_KNEE, L.RIGHT_KNEE)),
    "wrist_over_shoulder": ((L.LEFT_WRIST, L.RIGHT_WRIST), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)),
    "shoulder_over_wrist": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_WRIST, L.RIGHT_WRIST)),
    "shoulder_over_hip": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)),
    "wrist_over_hip": ((L.LEFT_WRIST, L.RIGHT_WRIST), (L.LEFT_HIP, L.RIGHT_HIP)),
    "shoulder_over_ankle": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_ANKLE, L.RIGHT_ANKLE)),
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

    @cached_property
    def scale(self) -> np.ndarray:
        """:func:`body_scale` of each frame (computed once; :meth:`drop` keeps it in step)."""
        return body_scale(self.xyz, self.vis)

    def drop(self, frames: np.ndarray) -> None:
        """Make ``frames`` (a boolean mask or indices) unseen."""
        self.xyz[frames], self.vis[frames] = np.nan, 0.0
        if "scale" in self.__dict__:
            self.scale[frames] = np.nan


def _torso_2d(xyz: np.ndarray) -> np.ndarray:
    """Shoulder midpoint to hip midpoint in the image, for poses ``(..., 33, 3)``."""
    sh = (xyz[..., L.LEFT_SHOULDER, :2] + xyz[..., L.RIGHT_SHOULDER, :2]) / 2
    hp = (xyz[..., L.LEFT_HIP, :2] + xyz[..., L.RIGHT_HIP, :2]) / 2
    return np.linalg.norm(sh - hp, axis=-1)


def torso_length(xyz: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Per-frame torso length (shoulder midpoint to hip midpoint, 2D), NaN where not visible."""
    d = _torso_2d(xyz)
    ok = vis[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]].max(axis=1) >= SIGNAL_MIN_VIS
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
        ok = vis[:, [a, b, c]].min(axis=1) >= SIGNAL_MIN_VIS
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
                   scale1: float, dt: float, max_ratio: float = JUMP_RATIO) -> bool:
    """Whether two frames ``dt`` apart show different people (or a tracking swap).

    A real body moves continuously: between frames most landmarks move a small fraction of the body
    scale, and segment lengths barely change. A second person, a re-detection elsewhere or unrelated
    photos played in sequence break both.
    """
    if dt <= 0:
        return False
    disp, ratio = body_shift(xy0, vis0, scale0, xy1, vis1, scale1)
    return disp > JUMP_SCALES * max(1.0, dt * 30.0) or ratio > max_ratio


def body_shift(xy0: np.ndarray, vis0: np.ndarray, scale0: float, xy1: np.ndarray, vis1: np.ndarray,
               scale1: float) -> tuple[float, float]:
    """(median displacement of the landmarks seen in both frames, in body scales; ratio of the two body
    scales), NaN where the frames share fewer than six seen landmarks or a scale is unknown."""
    if not (np.isfinite(scale0) and np.isfinite(scale1)):
        return float("nan"), float("nan")
    ok = (vis0 >= MIN_VISIBILITY) & (vis1 >= MIN_VISIBILITY)
    if ok.sum() < 6:
        return float("nan"), float("nan")
    s = max(scale0, scale1)
    disp = float(np.median(np.linalg.norm(xy1[ok] - xy0[ok], axis=1))) / s
    return disp, s / max(min(scale0, scale1), 1e-6)


@dataclass
class SignalTrack:
    """Per-frame raw channels of one exercise: angle (deg), vertical (% body scale), quality (0..1)."""

    angle: np.ndarray
    vertical: np.ndarray
    quality: np.ndarray
    torso_up: np.ndarray
    thigh_up: np.ndarray
    side: str  # "left" | "right" | "both"
    #: lifts with ``forearms_up``: the vertical channel followed on the forearms (see ``forearm_channel``)
    forearm: np.ndarray | None = None


#: A foot more than this many torso lengths above the other one is not where a planted foot can be.
LIFTED_FOOT = 0.5


def hide_lifted_leg(xyz: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Visibility with the leg whose ankle sits far above the other one hidden (frames ``(..., 33)``).

    For lifts done with both feet on the floor. In profile BlazePose sometimes reads an arm held forward
    at hip height as the near leg, folded up, with high visibility; its knee angle then looks like the
    bottom of a squat while the lifter stands. The other leg keeps the signal.
    """
    xyz = np.asarray(xyz, np.float32)
    out = np.array(vis, np.float32, copy=True)
    torso = _torso_2d(xyz)
    dy = xyz[..., L.LEFT_ANKLE, 1] - xyz[..., L.RIGHT_ANKLE, 1]  # image y grows downwards
    with np.errstate(invalid="ignore"):
        left_up = dy < -LIFTED_FOOT * torso
        right_up = dy > LIFTED_FOOT * torso
    left, right = list(LEFT_LEG), list(RIGHT_LEG)
    out[..., left] = np.where(left_up[..., None], 0.0, out[..., left])
    out[..., right] = np.where(right_up[..., None], 0.0, out[..., right])
    return out


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
    ml = float(np.median(q_left)) if q_left.size else 0.0
    mr = float(np.median(q_right)) if q_right.size else 0.0
    if ml >= 0.6 and mr >= 0.6 and abs(ml - mr) < 0.15:
        return "both"
    return "left" if ml >= mr else "right"


def combine_sides(al: np.ndarray, ql: np.ndarray, ar: np.ndarray, qr: np.ndarray,
                  side: str) -> tuple[np.ndarray, np.ndarray]:
    """Angle and quality of the chosen side(s); a missing side falls back to the other one."""
    okl = (ql >= SIGNAL_MIN_VIS) & np.isfinite(al)
    okr = (qr >= SIGNAL_MIN_VIS) & np.isfinite(ar)
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


def vertical_channel(xyz: np.ndarray, vis: np.ndarray, name: str, scale: np.ndarray) -> np.ndarray:
    """Vertical offset of the channel's upper landmarks above its lower ones, in % of the body scale."""
    (ua, ub), (la, lb) = _VERTICAL[name]
    vals = []
    for u, lo in ((ua, la), (ub, lb)):
        ok = (vis[:, u] >= SIGNAL_MIN_VIS) & (vis[:, lo] >= SIGNAL_MIN_VIS)
        vals.append(np.where(ok, xyz[:, lo, 1] - xyz[:, u, 1], np.nan))
    return 100.0 * _mean_seen(vals) / scale


def _mean_seen(vals: list[np.ndarray]) -> np.ndarray:
    """Per frame, the mean of the body sides' values that are finite (NaN where none is)."""
    stack = np.vstack(vals)
    finite = np.isfinite(stack)
    count = finite.sum(axis=0)
    with np.errstate(all="ignore"):
        return np.where(count > 0, np.where(finite, stack, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan)


ARMS = (JOINTS["left_elbow"], JOINTS["right_elbow"])  # (shoulder, elbow, wrist) per side
LEGS = (JOINTS["left_knee"], JOINTS["right_knee"])  # (hip, knee, ankle) per side


def forearm_channel(xyz: np.ndarray, vis: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Wrists over shoulders (% of ``scale``) read on the whole forearm, for lifts with ``forearms_up``.

    A bar pressed over the body rests on vertical forearms (the load pulls straight down), so from a
    level camera each wrist stays one forearm's rise above its elbow and both move with the bar.
    Where its elbow is seen, a side's wrist height is taken half-way between the drawn wrist and the
    elbow plus the side's median rise over the clip: the wrist channel's levels (posture gates) are
    kept, and a misdrawn wrist moves the channel half as much. The hand is where the pose model
    fails: BlazePose, losing straight arms that point at a 45° camera, draws the wrist beside the
    elbow at lockout, a dip of 30-40 % of the range there, as deep as a half rep. From above, the
    forearm is foreshortened and wrist and elbow no longer move together: ``detect`` counts on
    whichever of this and the wrist channel is cleaner.
    """
    vals = []
    for s_, e, w in ARMS:
        wrist = np.where(vis[:, [s_, w]].min(axis=1) >= SIGNAL_MIN_VIS, xyz[:, s_, 1] - xyz[:, w, 1], np.nan)
        rise = np.where(vis[:, e] >= SIGNAL_MIN_VIS, xyz[:, e, 1] - xyz[:, w, 1], np.nan)  # y grows down
        seen = np.isfinite(wrist) & np.isfinite(rise)
        usual = float(np.median(rise[seen])) if seen.any() else 0.0
        vals.append(np.where(seen, wrist - (rise - usual) / 2, wrist))
    with np.errstate(all="ignore"):
        return 100.0 * _mean_seen(vals) / scale


def extract(exercise: str, arrays: PoseArrays, side: str | None = None) -> SignalTrack:
    """Raw per-frame channels of ``exercise`` for a whole sequence (batch)."""
    spec = get_spec(exercise)
    xyz, vis = arrays.xyz, arrays.vis
    if spec.planted:
        vis = hide_lifted_leg(xyz, vis)
    al, ql, ar, qr = side_angles(xyz, vis, spec.joint, USE_Z)
    if spec.fallback_joint and max(np.mean(ql >= SIGNAL_MIN_VIS), np.mean(qr >= SIGNAL_MIN_VIS)) < 0.5:
        al, ql, ar, qr = side_angles(xyz, vis, spec.fallback_joint, USE_Z)
    side = side or choose_side(ql, qr)
    ang, q = combine_sides(al, ql, ar, qr, side)
    scale = body_scale(xyz, vis)
    finite = scale[np.isfinite(scale)]
    ref = float(np.median(finite)) if finite.size else np.nan
    with np.errstate(all="ignore"):
        vert = vertical_channel(xyz, vis, spec.vertical, np.full(len(xyz), ref))
        up = vertical_channel(xyz, vis, "shoulder_over_hip", np.full(len(xyz), ref))
        thigh = vertical_channel(xyz, vis, "hip_over_knee", np.full(len(xyz), ref))
        forearm = forearm_channel(xyz, vis, np.full(len(xyz), ref)) if spec.forearms_up else None
    return SignalTrack(ang, vert, q, up, thigh, side, forearm)


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


class Frame(NamedTuple):
    """One pose as the per-frame functions read it: positions and visibility as lists (a lifted leg
    hidden for lifts done with both feet down, :func:`hide_lifted_leg`) and its body scale."""

    p: list
    vis: list
    scale: float


def frame_of(exercise: str, pose: Pose) -> Frame:
    """``pose`` read for ``exercise`` (:class:`Frame`); its body scale is :func:`body_scale`'s."""
    p = pose.xyz.tolist()
    planted = get_spec(exercise).planted
    vis = (hide_lifted_leg(pose.xyz, pose.visibility) if planted else pose.visibility).tolist()
    return Frame(p, vis, _scale_scalar(p, vis))


def frame_channels(exercise: str, pose: Pose, scale: float | None) -> tuple[float, ...]:
    """One frame's (left angle, left quality, right angle, right quality, vertical, body scale, torso up).

    A scalar re-implementation of :func:`extract` for one pose (about ten times faster than the
    vectorised path on a single frame); tests check that both agree.
    """
    return channels_of(exercise, frame_of(exercise, pose), scale)


def channels_of(exercise: str, frame: Frame, scale: float | None) -> tuple[float, ...]:
    """:func:`frame_channels` of a frame already read (:func:`frame_of`), in body scale ``scale``
    (None: its own)."""
    spec = get_spec(exercise)
    p, vis, s = frame
    out: list[float] = []
    for name in _SIDE_JOINTS[spec.joint]:
        a, v, b = JOINTS[name]
        out += [_angle2d(p, a, v, b), min(vis[a], vis[v], vis[b])]
    ref = scale if scale else s
    ok = ref == ref and ref > 0
    g = vertical_scalar(p, vis, spec.vertical, ref) if ok else float("nan")
    up = vertical_scalar(p, vis, "shoulder_over_hip", ref) if ok else float("nan")
    return out[0], out[1], out[2], out[3], g, s, up


def _scale_scalar(p: list, vis: list) -> float:
    """:func:`body_scale` of one frame (``p``/``vis`` as lists)."""
    chains = []
    if max(vis[L.LEFT_SHOULDER], vis[L.RIGHT_SHOULDER], vis[L.LEFT_HIP], vis[L.RIGHT_HIP]) >= SIGNAL_MIN_VIS:
        sx = (p[L.LEFT_SHOULDER][0] + p[L.RIGHT_SHOULDER][0] - p[L.LEFT_HIP][0] - p[L.RIGHT_HIP][0]) / 2
        sy = (p[L.LEFT_SHOULDER][1] + p[L.RIGHT_SHOULDER][1] - p[L.LEFT_HIP][1] - p[L.RIGHT_HIP][1]) / 2
        chains.append(math.hypot(sx, sy))
    for a, v, b in _CHAINS:
        if min(vis[a], vis[v], vis[b]) >= SIGNAL_MIN_VIS:
            chains.append((_dist(p, a, v) + _dist(p, v, b)) / 2)
    return max(chains) if chains else float("nan")


def vertical_scalar(p: list, vis: list, name: str, ref: float) -> float:
    """One frame's :func:`vertical_channel` (``p``/``vis`` as lists, ``ref`` the body scale > 0)."""
    (ua, ub), (la, lb) = _VERTICAL[name]
    vals = [p[lo][1] - p[u][1] for u, lo in ((ua, la), (ub, lb))
            if vis[u] >= SIGNAL_MIN_VIS and vis[lo] >= SIGNAL_MIN_VIS]
    return 100.0 * sum(vals) / len(vals) / ref if vals else float("nan")
