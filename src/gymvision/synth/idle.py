"""Non-exercise motion: standing, walking, sitting, lying, stretching, setup and rerack.

Each function maps times (T,) to a :class:`Rig` and :class:`Scene`. They give the recogniser its
"other" class and the rep counter its "no reps here" cases (setup and rerack include bends and bar
moves that look like the start of a rep on purpose).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .body import UP, Body, Rig, rotate, unit
from .exercises import MOTIONS
from .rigging import (
    Box,
    Parts,
    Scene,
    Trunk,
    X,
    Y,
    arm,
    build_rig,
    col,
    const,
    feet_flat,
    leg,
    smooth01,
    transform_rig,
    upright_trunk,
)

IDLE_KINDS: tuple[str, ...] = ("standing", "walking", "sitting", "lying", "stretching", "setup", "rerack")


def _noise(rng: np.random.Generator, times: np.ndarray, amp: float, period: float = 3.0) -> np.ndarray:
    """Slow smooth random wobble (sum of a few sines)."""
    out = np.zeros_like(times)
    for _ in range(3):
        f = rng.uniform(0.5, 2.0) / period
        out += np.sin(2 * np.pi * f * times + rng.uniform(0, 2 * np.pi))
    return amp * out / 3


def _pulses(rng: np.random.Generator, times: np.ndarray, n: int, dur: tuple[float, float],
            hold: tuple[float, float] = (0.5, 2.0)) -> np.ndarray:
    """A 0..1 track with ``n`` smooth in-hold-out pulses at random moments."""
    out = np.zeros_like(times)
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    for _ in range(n):
        d, h = rng.uniform(*dur), rng.uniform(*hold)
        t0 = times[0] + rng.uniform(0, max(span - 2 * d - h, 0.1))
        up = smooth01((times - t0) / d)
        down = smooth01((times - t0 - d - h) / d)
        out = np.maximum(out, up - down)
    return out


def _stand(body: Body, rng: np.random.Generator, times: np.ndarray, lean: np.ndarray | float = 0.0,
           knee: np.ndarray | float = 0.0, side: np.ndarray | float = 0.0,
           twist: np.ndarray | float = 0.0) -> tuple[Parts, tuple, tuple, np.ndarray]:
    """Standing legs with optional hip hinge (``lean``) and knee bend: parts, knees, ankles, toe-out."""
    t = len(times)
    stance = body.hip_width + rng.uniform(-0.02, 0.2)
    to = rng.uniform(5, 25)
    knee = np.asarray(knee) * np.ones(t)
    kr = np.radians(knee)
    lat = max(stance / 2 - body.hip_width / 2, 0)
    vert = np.sqrt(body.leg**2 - lat**2) * 0.99
    # Knee bend lowers the hips (thigh and shank at equal angles from vertical).
    hz = body.ankle_height + vert * np.cos(kr / 2)
    shift = _noise(rng, times, 0.015 * body.scale)
    hx = -0.5 * body.thigh * np.sin(kr / 2) - 0.03 * np.sin(np.radians(np.asarray(lean) * np.ones(t)))
    pelvis = np.stack([hx, shift, hz], axis=1)
    trunk = upright_trunk(pelvis, lean, side, twist)
    parts = Parts(trunk, body)
    hip_l, hip_r = parts.hips()
    kn_l, an_l = leg(hip_l, const([0.02, stance / 2, body.ankle_height], t), body,
                     rotate(const(X, t), const(UP, t), to))
    kn_r, an_r = leg(hip_r, const([0.02, -stance / 2, body.ankle_height], t), body,
                     rotate(const(X, t), const(UP, t), -to))
    return parts, (kn_l, kn_r), (an_l, an_r), np.array([to])


def _arms_hang(parts: Parts, rng: np.random.Generator, times: np.ndarray) -> tuple[tuple, tuple]:
    b, tr = parts.body, parts.trunk
    _, sh_l, sh_r = parts.shoulders()
    drop = b.arm * rng.uniform(0.975, 0.998)  # relaxed arms hang almost straight
    sw = col(_noise(rng, times, 0.04))
    down = -const(UP, len(times))
    el_l, wr_l = arm(sh_l, sh_l + down * drop + tr.left * 0.06 + tr.fwd * (0.03 + sw), b, -tr.fwd)
    el_r, wr_r = arm(sh_r, sh_r + down * drop - tr.left * 0.06 + tr.fwd * (0.03 - sw), b, -tr.fwd)
    return (el_l, el_r), (wr_l, wr_r)


def _arms_to(parts: Parts, tl: np.ndarray, tr_: np.ndarray, pole_l: np.ndarray,
             pole_r: np.ndarray) -> tuple[tuple, tuple]:
    _, sh_l, sh_r = parts.shoulders()
    el_l, wr_l = arm(sh_l, tl, parts.body, pole_l)
    el_r, wr_r = arm(sh_r, tr_, parts.body, pole_r)
    return (el_l, el_r), (wr_l, wr_r)


def _blend(a: tuple, b: tuple, w: np.ndarray) -> tuple:
    w = col(w)
    return tuple(x + (y - x) * w for x, y in zip(a, b, strict=True))


def standing(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    t = len(times)
    parts, kn, an, to = _stand(body, rng, times, lean=_noise(rng, times, 3.0), twist=_noise(rng, times, 10))
    el, wr = _arms_hang(parts, rng, times)
    tr = parts.trunk
    mid, _, _ = parts.shoulders()
    s = body.scale
    style = rng.choice(["hang", "phone", "hips", "crossed", "rack"], p=[0.5, 0.15, 0.12, 0.13, 0.1])
    if style != "hang":
        if style == "phone":
            c = mid + tr.fwd * 0.3 * s - tr.up * 0.25 * s
            tgt = (c + tr.left * 0.04, c - tr.left * 0.04)
        elif style == "hips":
            hl, hr = parts.hips()
            tgt = (hl + tr.left * 0.08 * s + tr.up * 0.05, hr - tr.left * 0.08 * s + tr.up * 0.05)
        elif style == "crossed":
            c = mid + tr.fwd * 0.17 * s - tr.up * 0.18 * s
            tgt = (c - tr.left * 0.12 * s, c + tr.left * 0.12 * s)
        else:  # resting hands on a racked bar at shoulder height
            c = mid + tr.fwd * 0.35 * s + tr.up * 0.02
            tgt = (c + tr.left * 0.35 * s, c - tr.left * 0.35 * s)
        el2, wr2 = _arms_to(parts, tgt[0], tgt[1], -tr.up + tr.left, -tr.up - tr.left)
        w = _pulses(rng, times, 1, (0.5, 1.0), (2.0, 8.0))
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    head = parts.head(pitch_deg=_noise(rng, times, 12), yaw_deg=_noise(rng, times, 30))
    feet = (feet_flat(t, X, float(to[0]), 1.0), feet_flat(t, X, float(to[0]), -1.0))
    return build_rig(parts, el, wr, kn, an, head, None, feet), Scene(front=X, left=Y)


def walking(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    t = len(times)
    cadence = rng.uniform(0.8, 1.0)  # strides per second
    speed = cadence * body.leg * rng.uniform(1.2, 1.5)
    ph = 2 * np.pi * cadence * times + rng.uniform(0, 2 * np.pi)
    amp_h = rng.uniform(18, 26)
    span = speed * (times[-1] - times[0])
    x0 = -span / 2
    pelvis = np.stack([x0 + speed * (times - times[0]), np.zeros(t),
                       body.ankle_height + body.leg * 0.97 + 0.015 * np.cos(2 * ph)], axis=1)
    trunk = upright_trunk(pelvis, rng.uniform(0, 6) + 2 * np.sin(2 * ph), twist_deg=4 * np.sin(ph))
    parts = Parts(trunk, body)
    hip_l, hip_r = parts.hips()
    down = -const(UP, t)
    leg_pts = []
    for sign, phase in ((1.0, ph), (-1.0, ph + np.pi)):
        hip = hip_l if sign > 0 else hip_r
        flex = amp_h * np.sin(phase) + 5  # + forward
        knee = 5 + 55 * np.clip(np.sin(phase + 1.2), 0, 1) ** 2
        thigh = rotate(down, const(Y, t), -flex)
        shank = rotate(thigh, const(Y, t), knee)
        kn = hip + thigh * body.thigh
        an = kn + shank * body.shank
        leg_pts.append((kn, an, thigh, shank))
    (kn_l, an_l, _, sh_l_dir), (kn_r, an_r, _, sh_r_dir) = leg_pts
    # Keep the lower ankle on the floor.
    floor = np.minimum(an_l[:, 2], an_r[:, 2]) - body.ankle_height
    for a in (kn_l, an_l, kn_r, an_r, hip_l, hip_r):
        a[:, 2] -= floor
    pelvis[:, 2] -= floor
    parts = Parts(Trunk(pelvis, trunk.up, trunk.fwd, trunk.left), body)
    _, s_l, s_r = parts.shoulders()
    swing = rng.uniform(12, 25)
    reach = body.arm * rng.uniform(0.96, 0.99)
    el_l, wr_l = arm(s_l, s_l + rotate(down, const(Y, t), swing * np.sin(ph + np.pi)) * reach + Y * 0.05,
                     body, -X)
    el_r, wr_r = arm(s_r, s_r + rotate(down, const(Y, t), swing * np.sin(ph)) * reach - Y * 0.05, body, -X)
    head = parts.head(pitch_deg=_noise(rng, times, 8) + 5, yaw_deg=_noise(rng, times, 15))
    ff = []
    for sd in (sh_l_dir, sh_r_dir):
        f = unit(np.cross(sd, const(Y, t)))
        ff.append((f, -sd))
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head, None, tuple(ff))
    return rig, Scene(front=X, left=Y)


def sitting(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    t = len(times)
    s = body.scale
    seat = rng.uniform(0.4, 0.5)
    lean = rng.uniform(-5, 35) + _noise(rng, times, 5)
    pelvis = const([0.0, 0.0, seat + 0.09 * s], t)
    trunk = upright_trunk(pelvis, lean, twist_deg=_noise(rng, times, 8))
    parts = Parts(trunk, body)
    hip_l, hip_r = parts.hips()
    spread = rng.uniform(0.0, 0.2)
    fx = body.thigh * rng.uniform(0.7, 1.1)
    a_l = const([fx, body.hip_width / 2 + spread, body.ankle_height], t)
    a_r = const([fx + rng.uniform(-0.15, 0.15), -body.hip_width / 2 - spread, body.ankle_height], t)
    kn_l, an_l = leg(hip_l, a_l, body, const(X + UP, t))
    kn_r, an_r = leg(hip_r, a_r, body, const(X + UP, t))
    tr = parts.trunk
    style = rng.choice(["thighs", "knees", "phone", "drink"])
    if style == "thighs":
        tl, trr = (hip_l + kn_l) / 2 + UP * 0.08, (hip_r + kn_r) / 2 + UP * 0.08
    elif style == "knees":
        tl, trr = kn_l + UP * 0.05 - X * 0.05, kn_r + UP * 0.05 - X * 0.05
    else:
        mid = parts.shoulders()[0]
        c = mid + tr.fwd * 0.3 * s - tr.up * 0.22 * s
        tl, trr = c + tr.left * 0.04, c - tr.left * 0.04
    el, wr = _arms_to(parts, tl, trr, -tr.up + tr.left * 0.5, -tr.up - tr.left * 0.5)
    if style == "drink":  # one hand to the mouth now and then
        mid = parts.shoulders()[0]
        mouth = mid + tr.up * body.neck * 0.8 + tr.fwd * 0.12
        el2, wr2 = _arms_to(parts, mouth, wr[1], -tr.up + tr.left, -tr.up - tr.left)
        w = _pulses(rng, times, 2, (0.5, 0.9), (0.5, 1.5))
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    head = parts.head(pitch_deg=_noise(rng, times, 10) + 10, yaw_deg=_noise(rng, times, 25))
    feet = (feet_flat(t, X, 15, 1.0), feet_flat(t, X, 15, -1.0))
    boxes = [Box(np.array([0.0, 0.0, seat / 2]), np.eye(3), np.array([0.2, 0.35, seat / 2]), "bench")]
    return build_rig(parts, el, wr, (kn_l, kn_r), (an_l, an_r), head, None, feet), Scene(X, Y, boxes=boxes)


def lying(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    t = len(times)
    s = body.scale
    on_bench = rng.uniform() < 0.5
    prone = rng.uniform() < 0.2 and not on_bench
    base = (rng.uniform(0.42, 0.47) + 0.06) if on_bench else 0.0
    breathe = 0.005 * np.sin(2 * np.pi * times / rng.uniform(3, 5))
    pelvis = const([0.0, 0.0, base + 0.09 * s], t) + col(breathe) * UP
    trunk = Trunk.make(pelvis, const(X, t), const(-UP if prone else UP, t))
    parts = Parts(trunk, body)
    hip_l, hip_r = parts.hips()
    tr = parts.trunk
    mid, sh_l, sh_r = parts.shoulders()
    if on_bench or rng.uniform() < 0.4:  # knees bent, feet flat
        fx = rng.uniform(0.3, 0.6) * s if on_bench else body.leg * rng.uniform(0.55, 0.8)
        fz = body.ankle_height
        fy = rng.uniform(0.2, 0.4) * s if on_bench else body.hip_width / 2 + 0.05
        kn_l, an_l = leg(hip_l, const([-fx, 0, fz], t) + tr.left * fy, body, const(UP, t))
        kn_r, an_r = leg(hip_r, const([-fx, 0, fz], t) - tr.left * fy, body, const(UP, t))
        feet = (feet_flat(t, -X, 15, -1.0), feet_flat(t, -X, 15, 1.0))
    else:
        h = 0.09 * s + base
        kn_l, an_l = leg(hip_l, hip_l - X * body.leg * 0.99 + tr.left * 0.05 - UP * (h - body.ankle_height),
                         body, const(UP, t))
        kn_r, an_r = leg(hip_r, hip_r - X * body.leg * 0.99 - tr.left * 0.05 - UP * (h - body.ankle_height),
                         body, const(UP, t))
        feet = ((const(UP if not prone else -X, t), const(-X, t)),) * 2
    style = rng.choice(["sides", "belly", "head"])
    if style == "sides":
        tl = sh_l - X * body.arm * 0.98 + tr.left * 0.08 - UP * 0.04
        trr = sh_r - X * body.arm * 0.98 - tr.left * 0.08 - UP * 0.04
        pole = (const(-UP, t) + tr.left, const(-UP, t) - tr.left)
    elif style == "belly":
        c = pelvis + X * 0.12 + tr.fwd * 0.14
        tl, trr = c + tr.left * 0.06, c - tr.left * 0.06
        pole = (tr.left - tr.fwd * 0.3, -tr.left - tr.fwd * 0.3)
    else:
        c = mid + X * (body.neck + 0.1) - tr.fwd * 0.03
        tl, trr = c + tr.left * 0.05, c - tr.left * 0.05
        pole = (tr.left, -tr.left)
    el, wr = _arms_to(parts, tl, trr, *pole)
    head = parts.head(pitch_deg=rng.uniform(-10, 20), yaw_deg=_noise(rng, times, 10))
    boxes = []
    if on_bench:
        bh = base - 0.06
        boxes.append(Box(np.array([0.2, 0.0, bh / 2]), np.eye(3), np.array([0.6, 0.14, bh / 2]), "bench"))
    left = -Y if not prone else Y
    return build_rig(parts, el, wr, (kn_l, kn_r), (an_l, an_r), head, None, feet), Scene(X, left, True, boxes)


def stretching(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    t = len(times)
    s = body.scale
    kind = rng.choice(["overhead", "fold", "side", "quad", "cross", "lunge", "circles"])
    w = _pulses(rng, times, 2, (0.8, 1.8), (1.5, 4.0))
    if kind == "fold":
        parts, kn, an, to = _stand(body, rng, times, lean=w * rng.uniform(70, 110),
                                   knee=w * rng.uniform(0, 20))
    elif kind == "side":
        parts, kn, an, to = _stand(body, rng, times, side=w * rng.choice([-1, 1]) * rng.uniform(15, 35))
    elif kind == "lunge":
        parts, kn, an, to = _stand(body, rng, times, knee=w * 20)
    else:
        parts, kn, an, to = _stand(body, rng, times, lean=_noise(rng, times, 3))
    el, wr = _arms_hang(parts, rng, times)
    tr = parts.trunk
    mid, sh_l, sh_r = parts.shoulders()
    if kind in ("overhead", "side"):
        top = mid + tr.up * body.arm * 0.95 + tr.fwd * 0.03
        el2, wr2 = _arms_to(parts, top + tr.left * 0.03, top - tr.left * 0.03, tr.left, -tr.left)
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    elif kind == "cross":
        tgt = sh_r + tr.fwd * 0.12 - tr.left * 0.15
        el2, wr2 = _arms_to(parts, tgt, sh_r + tr.fwd * 0.15 - tr.up * 0.05, tr.fwd - tr.up, -tr.up)
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    elif kind == "quad":  # one heel to the buttock, hand holding the ankle
        hip_l, _ = parts.hips()
        heel = hip_l - tr.fwd * 0.12 - UP * 0.1
        kn2, an2 = leg(hip_l, heel, body, const(-UP + X * 0.2, t))
        kn = (kn[0] + (kn2 - kn[0]) * col(w), kn[1])
        an = (an[0] + (an2 - an[0]) * col(w), an[1])
        el2, wr2 = _arms_to(parts, an[0] + tr.left * 0.04, wr[1], -tr.fwd, -tr.fwd)
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    elif kind == "circles":
        ang = 2 * np.pi * times / rng.uniform(1.2, 2.5)
        c_l = sh_l + tr.left * body.arm * 0.9 * col(0.3 + 0.7 * w)
        ring = (np.cos(ang)[:, None] * tr.up + np.sin(ang)[:, None] * tr.fwd) * 0.25
        el2, wr2 = _arms_to(parts, c_l + ring * col(w), sh_r - tr.left * body.arm * 0.9 * col(0.3 + 0.7 * w)
                            + ring * col(w), -tr.up, -tr.up)
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    elif kind == "lunge":
        hip_l, hip_r = parts.hips()
        a_f = const([0.0, 0, 0], t) + hip_l * [1, 1, 0] + X * 0.6 * s * col(w)
        a_f[:, 2] = body.ankle_height
        a_b = hip_r * [1, 1, 0] - X * 0.6 * s * col(w)
        a_b[:, 2] = body.ankle_height
        kn_f, an_f = leg(hip_l, a_f, body, const(X, t))
        kn_b, an_b = leg(hip_r, a_b, body, const(X, t))
        kn, an = (kn_f, kn_b), (an_f, an_b)
        el2, wr2 = _arms_to(parts, kn_f + UP * 0.05, kn_f + UP * 0.05 - tr.left * 0.1, -tr.fwd, -tr.fwd)
        el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    head = parts.head(pitch_deg=_noise(rng, times, 10), yaw_deg=_noise(rng, times, 15))
    feet = (feet_flat(t, X, float(to[0]), 1.0), feet_flat(t, X, float(to[0]), -1.0))
    return build_rig(parts, el, wr, kn, an, head, None, feet), Scene(front=X, left=Y)


def setup(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    """Walk in, bend to load or pick something up once or twice, stand and fidget."""
    t = len(times)
    w = _pulses(rng, times, int(rng.integers(1, 3)), (0.7, 1.3), (0.6, 2.0))
    lean = w * rng.uniform(40, 80)
    knee = w * rng.uniform(20, 90)
    parts, kn, an, to = _stand(body, rng, times, lean=lean, knee=knee, twist=_noise(rng, times, 20))
    el, wr = _arms_hang(parts, rng, times)
    tr = parts.trunk
    _, sh_l, sh_r = parts.shoulders()
    reach_l = sh_l - UP * body.arm * 0.97 + tr.fwd * 0.1 + tr.left * 0.1
    reach_r = sh_r - UP * body.arm * 0.97 + tr.fwd * 0.1 - tr.left * 0.1
    el2, wr2 = _arms_to(parts, reach_l, reach_r, -tr.fwd, -tr.fwd)
    el, wr = _blend(el, el2, w), _blend(wr, wr2, w)
    head = parts.head(pitch_deg=20 * w + _noise(rng, times, 8), yaw_deg=_noise(rng, times, 20))
    feet = (feet_flat(t, X, float(to[0]), 1.0), feet_flat(t, X, float(to[0]), -1.0))
    rig = build_rig(parts, el, wr, kn, an, head, None, feet)
    drift = col(_noise(rng, times, 0.3, 6.0)) * X
    rig = transform_rig(rig, np.eye(3), 0.0)
    for name in ("sh_l", "sh_r", "el_l", "el_r", "wr_l", "wr_r", "hip_l", "hip_r", "kn_l", "kn_r",
                 "an_l", "an_r", "head_c"):
        setattr(rig, name, getattr(rig, name) + drift)
    return rig, Scene(front=X, left=Y)


def rerack(body: Body, rng: np.random.Generator, times: np.ndarray) -> tuple[Rig, Scene]:
    """The end of a set: the bar goes back to the rack and the lifter lets go."""
    t = len(times)
    ex = rng.choice(["bench_press", "squat", "shoulder_press"])
    m = MOTIONS[str(ex)]
    prm = m.params(rng, body)
    w = _pulses(rng, times, 1, (0.8, 1.5), (1.0, 3.0))
    p = 0.15 * _pulses(rng, times, 1, (0.5, 1.0), (0.2, 0.6))  # a small dip, not a rep
    if ex == "shoulder_press":
        p = p * 0
    rig, scene = m.motion(body, prm, p, {})
    if ex == "bench_press":
        # Bar pushed towards the rack (head end), then the arms drop to the sides.
        for name in ("wr_l", "wr_r", "el_l", "el_r"):
            setattr(rig, name, getattr(rig, name) + X * 0.12 * col(np.clip(w * 2, 0, 1)))
        rel = np.clip(w * 2 - 1, 0, 1)
        for sh, el_n, wr_n, sgn in ((rig.sh_l, "el_l", "wr_l", -1.0), (rig.sh_r, "el_r", "wr_r", 1.0)):
            tgt = sh - X * body.arm * 0.9 + sgn * Y * 0.1 - UP * 0.05
            el2, wr2 = arm(sh, tgt, body, const(-UP + sgn * Y, t))
            setattr(rig, el_n, getattr(rig, el_n) + (el2 - getattr(rig, el_n)) * col(rel))
            setattr(rig, wr_n, getattr(rig, wr_n) + (wr2 - getattr(rig, wr_n)) * col(rel))
    else:
        # Walk the bar forward into the rack, then step back with the hands down.
        step = col(0.4 * smooth01(w * 1.5)) * X
        for name in ("sh_l", "sh_r", "el_l", "el_r", "wr_l", "wr_r", "hip_l", "hip_r", "kn_l", "kn_r",
                     "an_l", "an_r", "head_c"):
            setattr(rig, name, getattr(rig, name) + step)
        rel = col(np.clip(w * 3 - 2, 0, 1))
        for sh, el_n, wr_n, sgn in ((rig.sh_l, "el_l", "wr_l", 1.0), (rig.sh_r, "el_r", "wr_r", -1.0)):
            el2, wr2 = arm(sh, sh - UP * body.arm * 0.95 + sgn * Y * 0.06, body, const(-X, t))
            setattr(rig, el_n, getattr(rig, el_n) + (el2 - getattr(rig, el_n)) * rel)
            setattr(rig, wr_n, getattr(rig, wr_n) + (wr2 - getattr(rig, wr_n)) * rel)
    scene.boxes = [b for b in scene.boxes if b.name != "plate"] if ex == "shoulder_press" else scene.boxes
    return rig, scene


IDLE_MOTIONS: dict[str, Callable[[Body, np.random.Generator, np.ndarray], tuple[Rig, Scene]]] = {
    "standing": standing, "walking": walking, "sitting": sitting, "lying": lying,
    "stretching": stretching, "setup": setup, "rerack": rerack,
}
