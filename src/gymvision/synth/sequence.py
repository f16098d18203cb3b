"""Synthetic pose sequences with ground truth: the public API of :mod:`gymvision.synth`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exercises import EXERCISES, UNKNOWN
from ..landmarks import MIRROR, N_LANDMARKS, L
from ..results import Pose
from .body import Body, landmarks_from_rig, sample_body
from .camera import (
    VIEWS,
    Camera,
    body_spheres,
    occluded_by_box,
    occluded_by_head,
    occluded_by_spheres,
    sample_camera,
)
from .exercises import MOTIONS, smooth01
from .idle import IDLE_KINDS, IDLE_MOTIONS
from .rigging import Scene

log = logging.getLogger(__name__)

#: Views that make sense per exercise (all are allowed; these are the ones people use).
LYING = {"bench_press", "push_up"}


@dataclass(frozen=True)
class RepTruth:
    """Ground truth of one repetition: times in seconds and the faults injected into it.

    ``start_s`` is when the motion leaves the start position, ``turn_s`` the middle of the turn
    (bottom of a squat, lockout of a deadlift), ``end_s`` when the start position is reached again.
    ``depth`` is the fraction of the person's full range reached (1 = full).
    """

    start_s: float
    turn_s: float
    end_s: float
    faults: frozenset[str] = frozenset()
    depth: float = 1.0


@dataclass
class SynthSequence:
    """A generated clip: projected, noisy poses plus the 3D truth they came from."""

    exercise: str
    fps: float
    times: np.ndarray
    poses: list[Pose | None]
    reps: list[RepTruth]
    view: str
    camera: dict[str, Any]
    joints3d: np.ndarray
    kind: str = ""
    occluded: np.ndarray | None = None  # (T, 33) bool, hidden by the body or equipment
    params: dict[str, Any] = field(default_factory=dict)
    phase: np.ndarray | None = None  # (T,) 0 at the start position, 1 at the turn

    @property
    def duration_s(self) -> float:
        return float(self.times[-1] - self.times[0]) if len(self.times) else 0.0


# -------------------------------------------------------------------------------------------- timing
def _frame_times(duration: float, fps: float, rng: np.random.Generator, noise: float) -> np.ndarray:
    n = max(round(duration * fps), 1)
    t = np.arange(n) / fps
    jitter = rng.uniform(-0.2, 0.2, n) * noise / fps  # variable frame timing of phone video
    jitter[0] = 0.0
    return t + jitter


def _timeline(ex: str, n_reps: int, rng: np.random.Generator, tempo_s: float | None, pause_bottom_s: float,
              idle_before_s: float, idle_after_s: float, rep_faults: list[frozenset[str]]
              ) -> tuple[list[tuple[float, float, float, float, float]], float]:
    """Per rep (start, first phase, pause, second phase, depth) and the total duration."""
    m = MOTIONS[ex]
    reps = []
    t = idle_before_s
    base = tempo_s if tempo_s is not None else rng.uniform(*m.rep_s)
    rest = rng.uniform(0.1, 0.8)
    for i in range(n_reps):
        dur = base * float(np.clip(rng.normal(1.0, 0.07), 0.8, 1.25))
        first = dur * rng.uniform(*m.first_frac)
        second = dur - first
        if "fast_eccentric" in rep_faults[i]:
            second *= 0.35
        pause = pause_bottom_s + rng.uniform(0.0, 0.12)
        depth = float(rng.uniform(0.92, 1.0))
        reps.append((t, first, pause, second, depth))
        t += first + pause + second
        if i < n_reps - 1:
            t += rest * float(rng.uniform(0.6, 1.4))
    return reps, t + idle_after_s


def _phase(times: np.ndarray, reps: list[tuple[float, float, float, float, float]]) -> np.ndarray:
    p = np.zeros_like(times)
    for start, first, pause, second, depth in reps:
        up = smooth01((times - start) / first)
        down = smooth01((times - start - first - pause) / second)
        p = p + depth * (up - down)
    return np.clip(p, 0.0, 1.0)


# ---------------------------------------------------------------------------------------- rendering
def _sway(rng: np.random.Generator, times: np.ndarray, pts: np.ndarray, amp: float) -> np.ndarray:
    """Small smooth whole-body and per-joint motion (breathing, balance), metres."""
    t = times[:, None]
    out = np.zeros_like(pts)
    for _ in range(3):
        f = rng.uniform(0.1, 0.6, 3)
        ph = rng.uniform(0, 2 * np.pi, 3)
        out += amp * np.sin(2 * np.pi * f[None, :] * t + ph)[:, None, :] / 3
    out += rng.normal(0, amp * 0.15, pts.shape[1:])[None] * np.sin(2 * np.pi * 0.3 * t)[:, :, None]
    return pts + out


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> np.ndarray:
    """Unit-variance AR(1) noise along the first axis."""
    e = rng.normal(size=shape)
    out = np.empty(shape)
    out[0] = e[0]
    k = np.sqrt(1 - rho**2)
    for i in range(1, shape[0]):
        out[i] = rho * out[i - 1] + k * e[i]
    return out


def _render(rng: np.random.Generator, body: Body, pts: np.ndarray, scene: Scene, times: np.ndarray,
            view: str | None, image_size: tuple[int, int], noise: float, occlusion: float, exercise: str
            ) -> tuple[list[Pose | None], np.ndarray, Camera, np.ndarray]:
    pts = _sway(rng, times, pts, 0.006 * body.scale)
    if view is None:
        view = _random_view(rng, exercise, scene)
    cam = sample_camera(view, rng, pts, scene, image_size, occlusion)
    uv, depth = cam.project(pts)
    t_n = len(times)
    # Occlusion by the body and the equipment.
    occ_body = np.zeros((t_n, N_LANDMARKS), bool)
    occ_eq = np.zeros((t_n, N_LANDMARKS), bool)
    if occlusion > 0:
        centres, radii = body_spheres(pts, body)
        occ_body = occluded_by_spheres(pts, cam.position, centres, radii)
        head_c = (pts[:, L.LEFT_EAR] + pts[:, L.RIGHT_EAR]) / 2
        face_dir = pts[:, L.NOSE] - head_c
        face_dir /= np.linalg.norm(face_dir, axis=-1, keepdims=True)
        occ_body[:, :11] = occluded_by_head(pts[:, :11], cam.position, head_c, face_dir, 0.075 * body.scale)
        for box in scene.boxes:
            occ_eq |= occluded_by_box(pts, cam.position, box)
    w, h = image_size
    outside = np.maximum.reduce([-uv[..., 0], uv[..., 0] - w, -uv[..., 1], uv[..., 1] - h,
                                 np.zeros(uv.shape[:2])])
    # Visibility scores like BlazePose's: high when seen, middling when self-occluded, low when hidden
    # by equipment or out of the frame.
    vis = rng.uniform(0.85, 0.995, (t_n, N_LANDMARKS))
    shape = (t_n, N_LANDMARKS)
    vis = np.where(occ_body, rng.uniform(0.2, 0.75, (1, N_LANDMARKS)) + 0.1 * _ar1(rng, shape, 0.9), vis)
    vis = np.where(occ_eq, rng.uniform(0.05, 0.45, (1, N_LANDMARKS)) + 0.08 * _ar1(rng, shape, 0.9), vis)
    scale_px = float(np.median(np.linalg.norm(uv.max(axis=1) - uv.min(axis=1), axis=-1)))
    vis = np.where(outside > 0, 0.15 * np.exp(-outside / (0.05 * scale_px + 1)), vis)
    vis = np.clip(vis * occlusion + (1 - occlusion), 0.0, 1.0)
    # Landmark noise: white + correlated, larger for hidden points; z much noisier and mis-scaled.
    sig = noise * scale_px * rng.uniform(0.003, 0.01)
    xy = uv + sig * (0.6 * rng.normal(size=uv.shape) + 0.8 * _ar1(rng, uv.shape, 0.85))
    hidden = (occ_body | occ_eq) & (occlusion > 0)
    xy += (hidden[..., None] * noise * scale_px * 0.025) * _ar1(rng, uv.shape, 0.95)
    # BlazePose often draws a hidden far-side limb on top of the visible near one.
    for a in (L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX):
        for i in (a, MIRROR[a]):
            if rng.uniform() < 0.3 * occlusion * noise:
                k = rng.uniform(0.2, 0.7)
                j = MIRROR[i]
                m = (hidden[:, i] & ~hidden[:, j])[:, None]
                xy[:, i] = np.where(m, xy[:, i] + k * (xy[:, j] - xy[:, i]), xy[:, i])
    box_jit = noise * scale_px * 0.004 * _ar1(rng, (t_n, 1, 2), 0.7)
    xy += box_jit
    hip_d = (depth[:, L.LEFT_HIP] + depth[:, L.RIGHT_HIP]) / 2
    z = (depth - hip_d[:, None]) * cam.f / hip_d[:, None] * rng.uniform(0.5, 1.5)
    z += noise * scale_px * rng.uniform(0.03, 0.1) * _ar1(rng, z.shape, 0.8)
    xyz = np.concatenate([xy, z[..., None]], axis=-1).astype(np.float32)
    # BlazePose now and then swaps the person's left and right (mostly in back views).
    p_swap = noise * (0.15 if view in ("back", "back_diag", "foot_end") else 0.04)
    if rng.uniform() < p_swap:
        a = 0 if rng.uniform() < 0.2 else int(rng.integers(0, t_n))
        b = t_n if a == 0 else min(t_n, a + int(rng.integers(5, 45)))
        mirror = list(MIRROR)
        xyz[a:b] = xyz[a:b][:, mirror]
        vis[a:b] = vis[a:b][:, mirror]
    # Frames where the detector finds nobody.
    drop = rng.uniform(size=t_n) < noise * rng.uniform(0.0, 0.03)
    if noise > 0 and rng.uniform() < 0.3 * noise and t_n > 20:
        s0 = int(rng.integers(0, t_n - 10))
        drop[s0: s0 + int(rng.integers(2, 10))] = True
    most_out = (outside > 0).mean(axis=1) > 0.6
    drop |= most_out
    poses: list[Pose | None] = []
    for i in range(t_n):
        if drop[i]:
            poses.append(None)
            continue
        poses.append(Pose(xyz[i], vis[i], image_size, score=float(np.clip(vis[i].mean() + 0.1, 0, 1))))
    return poses, pts, cam, occ_body | occ_eq


def _random_view(rng: np.random.Generator, exercise: str, scene: Scene) -> str:
    if scene.lying or exercise in LYING:
        views = ["side_left", "side_right", "front_diag", "back_diag", "head_end", "foot_end", "high",
                 "front"]
        p = [0.2, 0.2, 0.15, 0.1, 0.1, 0.08, 0.07, 0.1]
    else:
        views = ["side_left", "side_right", "front", "front_diag", "back", "back_diag", "high"]
        p = [0.2, 0.2, 0.18, 0.2, 0.06, 0.1, 0.06]
    return str(rng.choice(views, p=np.array(p) / np.sum(p)))


#: Non-exercise sections that can lead into or out of a set.
LEAD_KINDS: tuple[str, ...] = ("standing", "walking", "setup", "stretching")


def _hip_xy(pts: np.ndarray) -> np.ndarray:
    return ((pts[:, L.LEFT_HIP] + pts[:, L.RIGHT_HIP]) / 2)[:, :2]


def _add_leads(exercise: str, body: Body, seed: int, times: np.ndarray, pts: np.ndarray, p: np.ndarray,
               scene: Scene, fps: float, noise: float, lead_in: str | None, lead_in_s: float,
               lead_out: str | None, lead_out_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Prepend/append non-exercise motion, cross-faded into the set's first/last pose."""
    for k in (lead_in, lead_out):
        if k is not None and k not in LEAD_KINDS:
            raise ValueError(f"unknown lead kind {k!r}; expected one of {', '.join(LEAD_KINDS)}")
    rng = np.random.default_rng([seed, 7])
    blend = 0.6 if exercise in ("squat", "deadlift", "shoulder_press") else 1.5
    dt = 1.0 / fps
    parts_t, parts_p, parts_ph = [], [], []
    d_in = lead_in_s if lead_in else 0.0
    if lead_in:
        t_in = _frame_times(lead_in_s, fps, rng, noise)
        rig, _ = IDLE_MOTIONS[lead_in](body, rng, t_in)
        q = landmarks_from_rig(rig, body)
        q[..., :2] += _hip_xy(pts)[0] - _hip_xy(q)[-1]
        w = smooth01((t_in - (lead_in_s - blend)) / blend)[:, None, None]
        parts_t.append(t_in)
        parts_p.append((1 - w) * q + w * pts[:1])
        parts_ph.append(np.zeros(len(t_in)))
    parts_t.append(times + d_in)
    parts_p.append(pts)
    parts_ph.append(p)
    if lead_out:
        t_out = _frame_times(lead_out_s, fps, rng, noise)
        rig, _ = IDLE_MOTIONS[lead_out](body, rng, t_out)
        q = landmarks_from_rig(rig, body)
        q[..., :2] += _hip_xy(pts)[-1] - _hip_xy(q)[0]
        w = 1 - smooth01(t_out / blend)[:, None, None]
        parts_t.append(t_out + times[-1] + d_in + dt)
        parts_p.append((1 - w) * q + w * pts[-1:])
        parts_ph.append(np.zeros(len(t_out)))
    n_before = len(parts_t[0]) if lead_in else 0
    n_after = len(parts_t[-1]) if lead_out else 0
    for box in scene.boxes:  # equipment that moves with the set stays where it was outside it
        if box.centre.ndim == 2:
            box.centre = np.pad(box.centre, ((n_before, n_after), (0, 0)), mode="edge")
    return np.concatenate(parts_t), np.concatenate(parts_p), np.concatenate(parts_ph), d_in


# ------------------------------------------------------------------------------------------ public
def generate_sequence(exercise: str, *, n_reps: int = 8, fps: float = 30.0, seed: int = 0,
                      view: str | None = None, tempo_s: float | None = None, pause_bottom_s: float = 0.0,
                      idle_before_s: float = 1.0, idle_after_s: float = 1.0, faults: Iterable[str] = (),
                      image_size: tuple[int, int] = (1280, 720), noise: float = 1.0, occlusion: float = 1.0,
                      fault_reps: Sequence[int] | None = None, body: Body | None = None,
                      lead_in: str | None = None, lead_in_s: float = 3.0, lead_out: str | None = None,
                      lead_out_s: float = 3.0) -> SynthSequence:
    """A clip of ``n_reps`` repetitions of ``exercise`` seen from ``view`` (random when None).

    ``lead_in``/``lead_out`` add a non-exercise section (one of :data:`LEAD_KINDS`: walking in,
    standing around, setting up, stretching) before the idle lead-in and after the idle tail; rep
    times stay correct. No reps happen in them.

    ``tempo_s`` is the duration of one rep (start→end, pauses excluded); ``faults`` are injected
    into the reps listed in ``fault_reps`` (all reps when None); ``noise``/``occlusion`` scale the
    landmark noise/dropout and the hidden-landmark effects (0 gives clean, fully visible poses).
    """
    if exercise not in MOTIONS:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    m = MOTIONS[exercise]
    faults = frozenset(faults)
    bad = faults - set(m.faults)
    if bad:
        raise ValueError(f"faults {sorted(bad)} do not apply to {exercise}; use {', '.join(m.faults)}")
    rng = np.random.default_rng(seed)
    body = body or sample_body(rng)
    prm = m.params(rng, body)
    chosen = set(range(n_reps)) if fault_reps is None else set(fault_reps)
    rep_faults = [faults if i in chosen else frozenset() for i in range(n_reps)]
    plan, total = _timeline(exercise, n_reps, rng, tempo_s, pause_bottom_s, idle_before_s, idle_after_s,
                            rep_faults)
    times = _frame_times(total, fps, rng, noise)
    p = _phase(times, plan)
    fault_tracks: dict[str, np.ndarray] = {}
    for name in faults:
        tr = np.zeros_like(times)
        for i, ((start, first, pause, second, _), rf) in enumerate(zip(plan, rep_faults, strict=True)):
            if name in rf:
                end = start + first + pause + second
                if name in m.setup_faults:  # taken up at the floor, from the end of the rep before
                    start = (min(sum(plan[i - 1][:4]) + 0.1, start - 0.3) if i > 0
                             else float(times[0]) - 1.0)
                if name in m.held_faults:  # kept through the rest, until the next rep sets off
                    end = max(end, plan[i + 1][0] - 0.15) if i + 1 < len(plan) else end + 0.5
                tr = np.maximum(tr, smooth01((times - start + 0.15) / 0.15) - smooth01((times - end) / 0.15))
        fault_tracks[name] = tr
    rig, scene = m.motion(body, prm, p, fault_tracks)
    pts = landmarks_from_rig(rig, body)
    shift = 0.0
    if lead_in or lead_out:
        times, pts, p, shift = _add_leads(exercise, body, seed, times, pts, p, scene, fps, noise, lead_in,
                                          lead_in_s, lead_out, lead_out_s)
    poses, pts, cam, occ = _render(rng, body, pts, scene, times, view, image_size, noise, occlusion, exercise)
    reps = [RepTruth(start_s=float(s + shift), turn_s=float(s + f + pa / 2 + shift),
                     end_s=float(s + f + pa + se + shift), faults=rf, depth=d)
            for (s, f, pa, se, d), rf in zip(plan, rep_faults, strict=True)]
    return SynthSequence(exercise=exercise, fps=fps, times=times, poses=poses, reps=reps, view=cam.view,
                         camera=cam.to_dict(), joints3d=pts.astype(np.float32), kind=exercise, occluded=occ,
                         params={k: v for k, v in prm.items() if np.isscalar(v)}, phase=p)


def generate_idle(kind: str, *, duration_s: float = 8.0, fps: float = 30.0, seed: int = 0,
                  view: str | None = None, image_size: tuple[int, int] = (1280, 720), noise: float = 1.0,
                  occlusion: float = 1.0, body: Body | None = None) -> SynthSequence:
    """A clip of a non-exercise activity (``IDLE_KINDS``); its exercise is ``"unknown"``, no reps."""
    if kind not in IDLE_MOTIONS:
        raise ValueError(f"unknown idle kind {kind!r}; expected one of {', '.join(IDLE_KINDS)}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    rng = np.random.default_rng(seed)
    body = body or sample_body(rng)
    times = _frame_times(duration_s, fps, rng, noise)
    rig, scene = IDLE_MOTIONS[kind](body, rng, times)
    pts = landmarks_from_rig(rig, body)
    poses, pts, cam, occ = _render(rng, body, pts, scene, times, view, image_size, noise, occlusion, kind)
    return SynthSequence(exercise=UNKNOWN, fps=fps, times=times, poses=poses, reps=[], view=cam.view,
                         camera=cam.to_dict(), joints3d=pts.astype(np.float32), kind=kind, occluded=occ)
