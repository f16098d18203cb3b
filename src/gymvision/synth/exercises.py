"""Joint-angle / end-effector trajectories of the six exercises.

Each motion function maps a phase track ``p`` (T,) — 0 at the rep's start position, 1 at its turn
point — and per-frame fault intensities (T,) in [0, 1] to a :class:`Rig` plus a :class:`Scene`.
Per-sequence style (stance, grip, depth, equipment variant) is drawn by the matching ``params``
function. Start/turn: squat, bench press, push-up start at the top and turn at the bottom; deadlift
starts on the floor and turns at lockout; shoulder press starts racked and turns overhead; leg
extension starts bent and turns extended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .body import UP, Body, Rig, rotate, unit
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
    feet_from_shank,
    hands_default,
    leg,
    plates,
    smooth01,
    upright_trunk,
)

Faults = dict[str, np.ndarray]
Params = dict[str, Any]


def _f(faults: Faults, name: str, t: int) -> np.ndarray:
    return faults.get(name, np.zeros(t))


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


# --------------------------------------------------------------------------------------------- squat
def squat_params(rng: np.random.Generator, body: Body) -> Params:
    # "hang": dumbbells (or relaxed arms) hanging at the sides; "arms_raise": bodyweight squats
    # whose arms hang at the top and swing forward on the way down.
    arms = rng.choice(["back_bar", "front_bar", "arms_forward", "arms_raise", "goblet", "prayer",
                       "hands_hips", "prisoner", "overhead", "hang", "cross"],
                      p=[0.25, 0.06, 0.06, 0.19, 0.07, 0.05, 0.05, 0.07, 0.09, 0.08, 0.03])
    return _with_arm_style(rng, body, {
            "stance": body.shoulder_width * _u(rng, 0.95, 1.6), "toe_out": _u(rng, 5, 30),
            "depth": _u(rng, 95, 140), "shallow_depth": _u(rng, 45, 75), "shank_ratio": _u(rng, 0.25, 0.4),
            "lean_bias": _u(rng, -4, 8) if rng.uniform() < 0.7 else _u(rng, 8, 18),
            "bar": bool(rng.uniform() < 0.6), "arms": str(arms), "grip": _u(rng, 1.5, 2.2),
            "head_pitch": _u(rng, -15, 20), "lean_fault": _u(rng, 15, 28), "valgus": _u(rng, 10, 22),
            "plate_offset": _u(rng, 0.8, 0.95), "gaze": _u(rng, 0.3, 1.0)})


def _with_arm_style(rng: np.random.Generator, body: Body, prm: Params) -> Params:
    """``prm`` plus per-sequence posture variation (drawn after it): a narrow stance (bodyweight and
    dumbbell squats are often done with the feet under the hips), bar elbow height, prisoner elbow
    flare, overhead grip width (a wide bar to hands together), where hanging hands sit."""
    s = body.scale
    bodyweight = prm["arms"] not in ("back_bar", "front_bar", "overhead", "goblet")
    if rng.uniform() < (0.6 if bodyweight else 0.2):
        prm = prm | {"stance": body.shoulder_width * _u(rng, 0.6, 0.95)}
    return prm | {"elbow_drop": _u(rng, 0.25, 1.0), "prisoner_fwd": _u(rng, -0.3, 0.8),
            "prisoner_up": _u(rng, -0.06, 0.02) * s, "oh_grip": _u(rng, 0.3, 1.3),
            "hang_fwd": _u(rng, -0.02, 0.08) * s, "hang_out": _u(rng, 0.02, 0.09) * s,
            "hang_bend": _u(rng, 0.93, 0.99), "cross": _u(rng, -0.1, 0.9), "relax": bool(rng.uniform() < 0.5),
            "prisoner_gap": _u(rng, 0.03, 0.11)}


#: Squat arm styles whose arms may hang relaxed at the top (no bar or dumbbell held up).
_RELAXABLE = ("arms_forward", "prayer", "hands_hips", "cross")


def _hanging_arms(body: Body, prm: Params, sh_l: np.ndarray, sh_r: np.ndarray,
                  lft: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(elbow, wrist) left and right of arms hanging straight down beside the body."""
    drop = body.arm * prm["hang_bend"]
    off = X * prm["hang_fwd"]
    left = arm(sh_l, sh_l - UP * drop + lft * prm["hang_out"] + off, body, -X + lft * 0.2)
    right = arm(sh_r, sh_r - UP * drop - lft * prm["hang_out"] + off, body, -X - lft * 0.2)
    return left, right


def _sagittal_legs(body: Body, knee_flex: np.ndarray, shank_ratio: float,
                   lateral: float) -> tuple[np.ndarray, np.ndarray]:
    """Hip (x, z) relative to the ankle on the floor for a given knee flexion (planar squat model)."""
    a_s = np.radians(np.minimum(shank_ratio * knee_flex, 38.0))
    th = np.radians(knee_flex) - a_s
    k = np.sqrt(max(1 - (lateral / body.leg) ** 2, 0.5))
    kx = body.shank * np.sin(a_s)
    kz = body.shank * np.cos(a_s)
    hx = kx - body.thigh * np.sin(th)
    hz = (kz + body.thigh * np.cos(th)) * k * 0.995
    return hx, hz + body.ankle_height


def squat(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    shallow = _f(faults, "shallow", t)
    kmax = prm["depth"] * (1 - shallow) + prm["shallow_depth"] * shallow
    k = kmax * p
    lateral = (prm["stance"] - body.hip_width) / 2
    hx, hz = _sagittal_legs(body, k, prm["shank_ratio"], lateral)
    midfoot = 0.05 * body.scale
    arms_fwd = prm["arms"] in ("arms_forward", "arms_raise", "goblet", "front_bar", "prayer")
    lean = np.degrees(np.arcsin(np.clip((midfoot - hx) / body.torso, -0.3, 0.95)))
    lean = lean + prm["lean_bias"] * (1 - 0.5 * p) - (6.0 * p if arms_fwd else 0.0)
    lean = lean + _f(faults, "forward_lean", t) * prm["lean_fault"] * np.sin(np.pi * np.clip(p, 0, 1)) ** 0.5
    pelvis = np.stack([hx, np.zeros(t), hz], axis=1)
    trunk = upright_trunk(pelvis, lean)
    parts = Parts(trunk, body)
    mid, sh_l, sh_r = parts.shoulders()
    hip_l, hip_r = parts.hips()
    an_l = const([0.0, prm["stance"] / 2, body.ankle_height], t)
    an_r = const([0.0, -prm["stance"] / 2, body.ankle_height], t)
    # Knees caving in: the knees end up pointing 5-11° inside straight ahead, not merely less far out
    # than the toes (which a coach would not call a cave).
    valgus = _f(faults, "knees_in", t) * (prm["toe_out"] + 0.5 * prm["valgus"]) * np.clip(p * 1.5, 0, 1)
    to = prm["toe_out"]
    pole_l = rotate(const(X, t), const(UP, t), to - valgus)
    pole_r = rotate(const(X, t), const(UP, t), -to + valgus)
    kn_l, an_l = leg(hip_l, an_l, body, pole_l)
    kn_r, an_r = leg(hip_r, an_r, body, pole_r)
    feet = (feet_flat(t, X, to, 1.0), feet_flat(t, X, to, -1.0))
    boxes: list[Box] = []
    f, u, lft = trunk.fwd, trunk.up, trunk.left
    s = body.scale
    hands = None
    if prm["arms"] == "back_bar":
        bar = mid - f * 0.07 * s + u * 0.04 * s
        g = body.shoulder_width * prm["grip"] / 2
        pole = -u * prm.get("elbow_drop", 0.7) - f * 0.6
        el_l, wr_l = arm(sh_l, bar + lft * g, body, pole + lft * 0.3)
        el_r, wr_r = arm(sh_r, bar - lft * g, body, pole - lft * 0.3)
        hands = ((unit(u - f), -lft), (unit(u - f), lft))
        boxes = plates(bar, Y, prm["plate_offset"])
    elif prm["arms"] == "front_bar":
        bar = mid + f * 0.1 * s + u * 0.03 * s
        g = body.shoulder_width * 0.6
        el_l, wr_l = arm(sh_l, bar + lft * g, body, f - u * 0.3)
        el_r, wr_r = arm(sh_r, bar - lft * g, body, f - u * 0.3)
        hands = ((unit(u - f), -lft), (unit(u - f), lft))
        boxes = plates(bar, Y, prm["plate_offset"])
    elif prm["arms"] == "arms_forward":
        reach = body.arm * 0.985
        el_l, wr_l = arm(sh_l, sh_l + X * reach, body, -UP + lft * 0.2)
        el_r, wr_r = arm(sh_r, sh_r + X * reach, body, -UP - lft * 0.2)
    elif prm["arms"] == "arms_raise":  # arms hang at the top and swing forward on the way down
        reach = body.arm * 0.985
        w = col(smooth01(p * 1.4))
        hang_l = sh_l - UP * reach + f * 0.05 + lft * 0.05
        hang_r = sh_r - UP * reach + f * 0.05 - lft * 0.05
        el_l, wr_l = arm(sh_l, hang_l + (sh_l + X * reach - hang_l) * w, body, -UP - X * 0.5 + lft * 0.2)
        el_r, wr_r = arm(sh_r, hang_r + (sh_r + X * reach - hang_r) * w, body, -UP - X * 0.5 - lft * 0.2)
    elif prm["arms"] in ("goblet", "prayer"):
        c = mid + f * 0.22 * s - u * 0.12 * s
        el_l, wr_l = arm(sh_l, c + lft * 0.05 * s, body, -u + lft * 0.4)
        el_r, wr_r = arm(sh_r, c - lft * 0.05 * s, body, -u - lft * 0.4)
        hands = ((u, -f), (u, -f))
    elif prm["arms"] == "prisoner":  # fingers laced behind the head (or hands at the ears), elbows out
        c = mid + u * (body.neck + 0.02 + prm.get("prisoner_up", 0.0)) - f * 0.1 * s
        ef = f * prm.get("prisoner_fwd", 0.0)
        gap = prm.get("prisoner_gap", 0.05) * s
        el_l, wr_l = arm(sh_l, c + lft * gap, body, lft + u * 0.3 + ef)
        el_r, wr_r = arm(sh_r, c - lft * gap, body, -lft + u * 0.3 + ef)
        hands = ((lft * -1.0, u), (lft, u))
    elif prm["arms"] == "overhead":  # arms locked out above the head: a wide-grip bar to hands together
        g = body.shoulder_width * prm.get("oh_grip", 1.25)
        lat = abs(g - body.shoulder_width / 2)
        h = np.sqrt(max((body.arm * 0.99) ** 2 - lat**2, 0.01))
        bar = mid + UP * h - f * 0.05 * s
        el_l, wr_l = arm(sh_l, bar + lft * g, body, -f + lft * 0.2)
        el_r, wr_r = arm(sh_r, bar - lft * g, body, -f - lft * 0.2)
        hands = ((UP, -lft), (UP, lft))
        if prm["bar"]:
            boxes = plates(bar, Y, prm["plate_offset"])
    elif prm["arms"] == "cross":  # arms crossed on the chest, hands on the shoulders (or their own side)
        k = prm["cross"]
        lift = f * 0.06 * s + u * 0.02 * s
        el_l, wr_l = arm(sh_l, sh_r * k + sh_l * (1 - k) + lift, body, f - u * 0.3 + lft * 0.2)
        el_r, wr_r = arm(sh_r, sh_l * k + sh_r * (1 - k) + lift, body, f - u * 0.3 - lft * 0.2)
    elif prm["arms"] == "hang":  # dumbbells hanging at the sides (or relaxed arms): vertical arms
        (el_l, wr_l), (el_r, wr_r) = _hanging_arms(body, prm, sh_l, sh_r, lft)
    else:  # hands on hips
        el_l, wr_l = arm(sh_l, hip_l + lft * 0.07 * s + u * 0.05 * s, body, -f + lft)
        el_r, wr_r = arm(sh_r, hip_r - lft * 0.07 * s + u * 0.05 * s, body, -f - lft)
    if prm.get("relax") and prm["arms"] in _RELAXABLE:
        # Bodyweight squats: the arms drop to the sides while standing between reps and come back
        # up in the first quarter of the descent.
        (hel_l, hwr_l), (hel_r, hwr_r) = _hanging_arms(body, prm, sh_l, sh_r, lft)
        w = col(1.0 - smooth01(p * 4.0))
        el_l, wr_l = el_l + (hel_l - el_l) * w, wr_l + (hwr_l - wr_l) * w
        el_r, wr_r = el_r + (hel_r - el_r) * w, wr_r + (hwr_r - wr_r) * w
        hands = None
    head = parts.head(pitch_deg=prm["head_pitch"] - prm["gaze"] * lean)  # gaze kept level, more or less
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head, hands, feet)
    return rig, Scene(front=X, left=Y, boxes=boxes)


# ------------------------------------------------------------------------------------------ deadlift
#: How much further forward the shins slope (share of the knee flexion) when the pull is squatted.
_SQUAT_PULL_SHANK = 0.12


def _lean_to_reach(body: Body, shoulder_z: float, hip_z: float) -> float:
    """The trunk's lean from upright (degrees) that puts the shoulders at ``shoulder_z`` over hips at
    ``hip_z`` (upright if they cannot reach that high, level if it is below the hips)."""
    return float(np.degrees(np.arccos(np.clip((shoulder_z - hip_z) / body.torso, -1, 1))))


def deadlift_params(rng: np.random.Generator, body: Body) -> Params:
    prm = {"stance": body.hip_width + _u(rng, 0.0, 0.12), "toe_out": _u(rng, 3, 20),
           "grip": body.shoulder_width * _u(rng, 1.05, 1.35), "shank_ratio": _u(rng, 0.15, 0.3),
           "ahead": _u(rng, 0.06, 0.16),
           "bar_h": _u(rng, 0.2, 0.235), "lean_back": _u(rng, 0, 6), "head_pitch": _u(rng, -10, 25),
           "round": _u(rng, 10, 20), "lockout_miss": _u(rng, 16, 26), "plate_offset": _u(rng, 0.85, 0.95),
           "gaze": _u(rng, 0.2, 0.9)}
    # Start position: the hands reach the bar over mid-foot with the shoulders a little ahead of it.
    # Bisection on knee flexion; the torso angle follows from the shoulder height.
    s = body.scale
    sz = prm["bar_h"] + 0.07 * s + body.arm * 0.985
    sx = 0.05 * s + prm["ahead"]
    lat = (prm["stance"] - body.hip_width) / 2
    lo, hi = 55.0, _u(rng, 90, 105)
    lean = 45.0
    for _ in range(40):
        k = (lo + hi) / 2
        hx, hz = _sagittal_legs(body, np.array([k]), prm["shank_ratio"], lat)
        lean = _lean_to_reach(body, sz, hz[0])
        x = hx[0] + body.torso * np.sin(np.radians(lean))
        if x > sx:  # shoulders too far ahead: sit lower
            lo = k
        else:
            hi = k
    prm["k0"] = (lo + hi) / 2
    prm["lean0"] = lean
    # "Hips low" (squatting the pull, see ``deadlift``): the trunk 12-22° from upright, and the knees
    # bent as far as it takes for the hands to reach the bar on the floor (a deep squat; up to 140°,
    # then the trunk leans further). From draws the clip already has, so no clip's draws change.
    shank = prm["shank_ratio"] + _SQUAT_PULL_SHANK
    lean_low = prm["lockout_miss"] - 4.0
    lo, hi = 60.0, 140.0
    for _ in range(40):
        k = (lo + hi) / 2
        _, hz = _sagittal_legs(body, np.array([k]), shank, lat)
        if hz[0] + body.torso * np.cos(np.radians(lean_low)) > sz:  # shoulders too high: sit lower
            lo = k
        else:
            hi = k
    _, hz = _sagittal_legs(body, np.array([hi]), shank, lat)
    prm["k_low"] = hi
    prm["lean_low"] = max(lean_low, _lean_to_reach(body, sz, hz[0]))
    prm["bar_thigh"] = _u(rng, 0.08, 0.12)  # at lockout the bar rests on the thighs, ahead of the hips
    return prm


def deadlift(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    early = _f(faults, "hips_rise_early", t)
    miss = _f(faults, "no_lockout", t)
    rnd = _f(faults, "rounded_back", t)
    low = _f(faults, "hips_low", t)
    # A clean pull: the knees straighten over most of the lift while the chest rises from just off the
    # floor, as filmed lifters do. "Hips rise early" (the stripper pull): the knees snap straight
    # first and the hips rise faster than the shoulders, so the back tilts further over (12-20° more,
    # drawn with the rounding so that no clip's random draws change) before the chest comes up. The
    # back never passes 85° from upright: a lifter set up that bent over starts the faulty pull with the
    # chest higher.
    # "Hips low" (squatting the pull): the lifter sits down to the bar in a deep squat, knees pushed
    # forward over the toes and the trunk within 12-22° of upright, and stands it up like a squat.
    k0 = prm["k0"] + low * (prm["k_low"] - prm["k0"])
    shank = prm["shank_ratio"] + _SQUAT_PULL_SHANK * low
    k_norm = (1 - early) * (1 - smooth01(p / 0.75)) + early * (1 - smooth01(p / 0.35))
    l_norm = (1 - early) * (1 - smooth01((p - 0.1) / 0.9)) + early * (1 - smooth01((p - 0.35) / 0.65))
    shoot = 0.8 * prm["round"] + 4.0
    lean_start = prm["lean0"] + 6.0 * rnd
    lean_start = lean_start - early * np.maximum(0.0, lean_start + shoot - 85.0)
    lean_start = lean_start + low * (prm["lean_low"] - lean_start)
    k_end = 12.0 * miss
    k = k_end + (k0 - k_end) * k_norm
    lean_end = -prm["lean_back"] * (1 - miss) + prm["lockout_miss"] * miss
    lean = (lean_end + (lean_start - lean_end) * l_norm
            + early * shoot * smooth01(p / 0.3) * (1 - smooth01((p - 0.3) / 0.4)))
    hx, hz = _sagittal_legs(body, k, shank, (prm["stance"] - body.hip_width) / 2)
    pelvis = np.stack([hx, np.zeros(t), hz], axis=1)
    trunk = upright_trunk(pelvis, lean)
    tscale = 1 - 0.08 * rnd * (1 - 0.5 * p)
    parts = Parts(trunk, body, torso_scale=tscale)
    mid, sh_l, sh_r = parts.shoulders()
    # Rounded back: shoulders roll forward and down.
    shift = trunk.fwd * col(0.07 * body.scale * rnd * (1 - 0.5 * p))
    sh_l, sh_r, mid = sh_l + shift, sh_r + shift, mid + shift
    hip_l, hip_r = parts.hips()
    to = prm["toe_out"]
    an_l = const([0.0, prm["stance"] / 2, body.ankle_height], t)
    an_r = const([0.0, -prm["stance"] / 2, body.ankle_height], t)
    kn_l, an_l = leg(hip_l, an_l, body, rotate(const(X, t), const(UP, t), to))
    kn_r, an_r = leg(hip_r, an_r, body, rotate(const(X, t), const(UP, t), -to))
    drop = body.arm * 0.985
    lock = hx - mid[:, 0] + prm.get("bar_thigh", 0.05) * body.scale
    fwd_off = col(-prm["ahead"] * (1 - p) + lock * p)
    g = prm["grip"] / 2
    el_l, wr_l = arm(sh_l, mid + Y * g - UP * drop + X * fwd_off, body, -X + 0.2 * Y)
    el_r, wr_r = arm(sh_r, mid - Y * g - UP * drop + X * fwd_off, body, -X - 0.2 * Y)
    head = parts.head(pitch_deg=prm["head_pitch"] - prm["gaze"] * lean + 15 * rnd)
    _, hand_l = hands_default(el_l, wr_l, -Y)
    hands = ((unit(wr_l - el_l), hand_l), (unit(wr_r - el_r), hands_default(el_r, wr_r, Y)[1]))
    feet = (feet_flat(t, X, to, 1.0), feet_flat(t, X, to, -1.0))
    bar = (wr_l + wr_r) / 2 + X * 0.02
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head, hands, feet)
    rig.sh_l, rig.sh_r = sh_l, sh_r
    return rig, Scene(front=X, left=Y, boxes=plates(bar, Y, prm["plate_offset"]))


# ------------------------------------------------------------------------------------- bench press
def bench_params(rng: np.random.Generator, body: Body) -> Params:
    incline = _u(rng, 15, 35) if rng.uniform() < 0.2 else 0.0
    return {"bench_h": _u(rng, 0.40, 0.47), "incline": incline, "grip": _u(rng, 1.6, 2.3),
            "flare": _u(rng, 35, 75), "touch": _u(rng, 0.08, 0.18), "shallow": _u(rng, 0.10, 0.18),
            "feet_x": _u(rng, 0.3, 0.6), "feet_y": _u(rng, 0.2, 0.42), "lockout": _u(rng, 0.991, 0.9985),
            "miss": _u(rng, 0.925, 0.97), "uneven": _u(rng, 0.04, 0.08), "head_pitch": _u(rng, -5, 20),
            "dumbbells": bool(rng.uniform() < 0.15), "plate_offset": _u(rng, 0.85, 1.0)}


def bench_press(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    s = body.scale
    inc = np.radians(prm["incline"])
    top = prm["bench_h"] + 0.06
    pelvis = const([0.0, 0.0, top + 0.085 * s], t)
    up = np.array([np.cos(inc), 0.0, np.sin(inc)])
    trunk = Trunk.make(pelvis + const([0, 0, 0], t), const(up, t), const(UP, t))
    parts = Parts(trunk, body)
    mid, sh_l, sh_r = parts.shoulders()
    f, u, lft = trunk.fwd, trunk.up, trunk.left
    g = body.shoulder_width * prm["grip"] / 2
    # Dumbbells come 15 % closer together at the top; the reach is taken for the hands' spacing there
    # (and the bar's 1 cm above the shoulders), so that ``lockout`` is the arm's straightness at the top:
    # 0.991–0.9985 of its length is a 165–178° elbow, a missed lockout (0.925–0.97) 135–155°.
    lat = max(g * (0.85 if prm["dumbbells"] else 1.0) - body.shoulder_width / 2, 0.0)
    reach = np.sqrt(max(body.arm**2 - lat**2 - 0.01**2, 0.01))
    miss = _f(faults, "no_lockout", t)
    shallow = _f(faults, "shallow", t)
    uneven = _f(faults, "uneven", t)
    top_h = reach * (prm["lockout"] * (1 - miss) + prm["miss"] * miss)
    chest = 0.5 * body.chest_depth + shallow * prm["shallow"]
    bar_top = mid + f * col(top_h) + u * 0.01
    bar_bot = mid + f * col(chest) - u * prm["touch"] * s
    pb = smooth01(p)
    bar = bar_top + (bar_bot - bar_top) * col(pb)
    bar = bar - u * col(0.03 * np.sin(np.pi * pb))  # J-shaped bar path
    tilt = col(uneven * prm["uneven"] * np.sin(np.pi * pb))
    if prm["dumbbells"]:
        g_l = g * (1.0 - 0.15 * (1 - p))[:, None]
        wl_t, wr_t = bar + lft * g_l, bar - lft * g_l - f * tilt  # the right dumbbell lags
    else:
        wl_t, wr_t = bar + lft * g, bar - lft * g - f * tilt
    fl = np.radians(prm["flare"])
    pole_l = -f * 0.7 + lft * np.sin(fl) - u * np.cos(fl)
    pole_r = -f * 0.7 - lft * np.sin(fl) - u * np.cos(fl)
    el_l, wr_l = arm(sh_l, wl_t, body, pole_l)
    el_r, wr_r = arm(sh_r, wr_t, body, pole_r)
    hip_l, hip_r = parts.hips()
    ah = body.ankle_height
    an_l = pelvis + const([-prm["feet_x"] * s, 0, 0], t) + lft * prm["feet_y"] * s
    an_r = pelvis + const([-prm["feet_x"] * s, 0, 0], t) - lft * prm["feet_y"] * s
    an_l[:, 2] = ah
    an_r[:, 2] = ah
    kn_l, an_l = leg(hip_l, an_l, body, const(UP, t) + lft * 0.5)
    kn_r, an_r = leg(hip_r, an_r, body, const(UP, t) - lft * 0.5)
    head = parts.head(pitch_deg=prm["head_pitch"])
    feet = (feet_flat(t, -X, 25, -1.0), feet_flat(t, -X, 25, 1.0))
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head,
                    ((f, -lft), (f, lft)), feet)
    bh = prm["bench_h"]
    x0, x1 = -0.35 * s, float(mid[0, 0]) + 0.25
    boxes = [Box(np.array([(x0 + x1) / 2, 0.0, bh / 2]), np.eye(3),
                 np.array([(x1 - x0) / 2, 0.14, bh / 2]), "bench")]
    if prm["incline"] > 0:
        c = pelvis[0] + up * body.torso * 0.6 - UP * 0.1
        axes = np.stack([up, Y, np.cross(up, Y)])
        boxes.append(Box(c, axes, np.array([body.torso * 0.6, 0.14, 0.06]), "bench"))
    if not prm["dumbbells"]:
        boxes += plates((wl_t + wr_t) / 2, Y, prm["plate_offset"])
    # Lying face up, head towards +x: the person's left is -y.
    return rig, Scene(front=X, left=-Y, lying=True, boxes=boxes)


# ------------------------------------------------------------------------------------------ push-up
def pushup_params(rng: np.random.Generator, body: Body) -> Params:
    return {"hands": body.shoulder_width * _u(rng, 1.05, 1.6), "hand_x": _u(rng, -0.06, 0.05),
            "shift": _u(rng, 0.06, 0.14), "flare": _u(rng, 20, 65), "bottom": _u(rng, 0.15, 0.24),
            "shallow": _u(rng, 0.33, 0.4),
            "feet": _u(rng, 0.08, 0.35), "knees": bool(rng.uniform() < 0.15), "sag": _u(rng, 0.07, 0.14),
            "pike": _u(rng, 0.1, 0.2), "head_pitch": _u(rng, -20, 25), "lockout": _u(rng, 0.97, 0.995)}


def push_up(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    s = body.scale
    wrist_z = 0.05 * s
    lat = max(prm["hands"] / 2 - body.shoulder_width / 2, 0.0)
    top_z = wrist_z + np.sqrt(max((body.arm * prm["lockout"]) ** 2 - lat**2, 0.01))
    shallow = _f(faults, "shallow", t)
    bot_z = wrist_z + (prm["bottom"] * (1 - shallow) + prm["shallow"] * shallow) * s
    sh_z = top_z + (bot_z - top_z) * smooth01(p)
    if prm["knees"]:
        pivot_z = 0.06 * s
        length = body.thigh + body.torso
    else:
        pivot_z = 0.6 * body.foot
        length = body.leg + body.torso
    theta = np.arcsin(np.clip((sh_z - pivot_z) / length, 0, 0.95))
    line = np.stack([np.cos(theta), np.zeros(t), np.sin(theta)], axis=1)
    pivot = const([0.0, 0.0, pivot_z], t) + X * col(prm["shift"] * s * smooth01(p))
    sh_mid = pivot + line * length
    seg = body.thigh if prm["knees"] else body.leg
    normal = np.stack([-np.sin(theta), np.zeros(t), np.cos(theta)], axis=1)
    off = -_f(faults, "hip_sag", t) * prm["sag"] * s + _f(faults, "pike", t) * prm["pike"] * s
    pelvis = pivot + line * seg + normal * col(off)
    trunk = Trunk.make(pelvis, unit(sh_mid - pelvis), const(-UP, t))
    parts = Parts(trunk, body)
    _, sh_l, sh_r = parts.shoulders()
    u, lft = trunk.up, trunk.left
    hand_x = float(length * np.cos(np.arcsin(np.clip((top_z - pivot_z) / length, 0, 0.95))) + prm["hand_x"])
    w_l = const([hand_x, prm["hands"] / 2, wrist_z], t)
    w_r = const([hand_x, -prm["hands"] / 2, wrist_z], t)
    fl = np.radians(prm["flare"])
    el_l, wr_l = arm(sh_l, w_l, body, -u * np.cos(fl) + lft * np.sin(fl) + const(UP, t) * 0.4)
    el_r, wr_r = arm(sh_r, w_r, body, -u * np.cos(fl) - lft * np.sin(fl) + const(UP, t) * 0.4)
    hip_l, hip_r = parts.hips()
    fw = prm["feet"] / 2
    if prm["knees"]:
        knee_l = pivot + Y * max(fw, body.hip_width / 2)
        knee_r = pivot - Y * max(fw, body.hip_width / 2)
        kn_l, kn_r = knee_l, knee_r
        lift = np.radians(30.0)
        shank = np.array([-np.cos(lift), 0.0, np.sin(lift)]) * body.shank
        an_l, an_r = kn_l + shank, kn_r + shank
        feet = feet_from_shank(kn_l, an_l, Y, 30.0), feet_from_shank(kn_r, an_r, Y, 30.0)
    else:
        kn_l, an_l = leg(hip_l, pivot + Y * fw, body, -UP)
        kn_r, an_r = leg(hip_r, pivot - Y * fw, body, -UP)
        ff = const(unit(np.array([0.25, 0.0, -1.0])), t)
        feet = ((ff, const(X, t)), (ff, const(X, t)))
    head = parts.head(pitch_deg=prm["head_pitch"])
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head,
                    ((const(X, t), const(-Y, t)), (const(X, t), const(Y, t))), feet)
    return rig, Scene(front=X, left=Y, lying=True)


# ----------------------------------------------------------------------------------- shoulder press
def press_params(rng: np.random.Generator, body: Body) -> Params:
    return {"seated": bool(rng.uniform() < 0.4), "dumbbells": bool(rng.uniform() < 0.45),
            "grip": _u(rng, 1.3, 1.75), "rack_z": _u(rng, 0.02, 0.12), "rack_x": _u(rng, 0.08, 0.16),
            "stance": body.hip_width + _u(rng, 0.0, 0.2), "lockout": _u(rng, 165, 178),
            "miss": _u(rng, 105, 140), "lean": _u(rng, 10, 22), "recline": _u(rng, -12, 3),
            "head_pitch": _u(rng, -10, 10), "seat_h": _u(rng, 0.42, 0.5), "knee_x": _u(rng, 0.85, 1.05),
            "plate_offset": _u(rng, 0.8, 0.95), "toe_out": _u(rng, 5, 25)}


def shoulder_press(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    s = body.scale
    lean = -_f(faults, "back_lean", t) * prm["lean"] * (0.4 + 0.6 * np.sin(np.pi * np.clip(p, 0, 1)) ** 0.5)
    boxes: list[Box] = []
    if prm["seated"]:
        pelvis = const([0.0, 0.0, prm["seat_h"] + 0.09 * s], t)
        lean = lean + prm["recline"]
        trunk = upright_trunk(pelvis, lean)
        hip_l, hip_r = Parts(trunk, body).hips()
        kx = body.thigh * prm["knee_x"]
        a_l = hip_l + const([kx + 0.05, 0.08, 0], t)
        a_r = hip_r + const([kx + 0.05, -0.08, 0], t)
        a_l[:, 2] = body.ankle_height
        a_r[:, 2] = body.ankle_height
        kn_l, an_l = leg(hip_l, a_l, body, const(X + UP, t))
        kn_r, an_r = leg(hip_r, a_r, body, const(X + UP, t))
        feet = (feet_flat(t, X, prm["toe_out"], 1.0), feet_flat(t, X, prm["toe_out"], -1.0))
        sh = prm["seat_h"]
        boxes.append(Box(np.array([0.1, 0.0, sh / 2]), np.eye(3), np.array([0.2, 0.18, sh / 2]), "bench"))
        back_c = pelvis[0] + trunk.up[0] * body.torso * 0.55 - trunk.fwd[0] * 0.16
        axes = np.stack([trunk.fwd[0], Y, trunk.up[0]])
        boxes.append(Box(back_c, axes, np.array([0.05, 0.16, body.torso * 0.55]), "bench"))
    else:
        st = prm["stance"] / 2
        hz = body.ankle_height + np.sqrt(body.leg**2 - max(st - body.hip_width / 2, 0) ** 2) * 0.985
        pelvis = const([0.0, 0.0, hz], t)
        trunk = upright_trunk(pelvis, lean)
        hip_l, hip_r = Parts(trunk, body).hips()
        kn_l, an_l = leg(hip_l, const([0.0, st, body.ankle_height], t), body, const(X, t))
        kn_r, an_r = leg(hip_r, const([0.0, -st, body.ankle_height], t), body, const(X, t))
        feet = (feet_flat(t, X, prm["toe_out"], 1.0), feet_flat(t, X, prm["toe_out"], -1.0))
    parts = Parts(trunk, body)
    mid, sh_l, sh_r = parts.shoulders()
    f, u, lft = trunk.fwd, trunk.up, trunk.left
    miss = _f(faults, "no_lockout", t)
    pb = smooth01(p)
    if prm["dumbbells"]:
        g0 = body.shoulder_width / 2 + 0.17 * s
        g1 = body.shoulder_width / 2 + 0.04 * s
        g = col(g0 + (g1 - g0) * pb)
        lat_top = g1 - body.shoulder_width / 2
        bottom = mid + f * 0.02 * s + u * prm["rack_z"]
    else:
        g = body.shoulder_width * prm["grip"] / 2
        lat_top = g - body.shoulder_width / 2
        bottom = mid + f * prm["rack_x"] + u * prm["rack_z"]
    # Elbow angle at the top: 165-178 deg locked out (arms straight, give or take), 105-140 deg for
    # the fault (stopping 40-75 deg short). Hand height from the two bones.
    elbow = np.radians(prm["lockout"] * (1 - miss) + prm["miss"] * miss)
    a, b = body.upper_arm, body.forearm
    reach2 = a**2 + b**2 - 2 * a * b * np.cos(elbow)
    top_h = np.sqrt(np.maximum(reach2 - lat_top**2 - (0.03 * s) ** 2, 0.01))
    top = mid + u * col(top_h) - f * 0.03 * s
    # The bar travels around the face: forward in the lower half of the press.
    c = bottom + (top - bottom) * col(pb) + f * col(0.04 * s * np.sin(np.pi * pb))
    if prm["dumbbells"]:
        pole_l, pole_r = lft - u * 0.5 + f * 0.2, -lft - u * 0.5 + f * 0.2
    else:
        pole_l, pole_r = f * 0.8 - u * 0.6 + lft * 0.4, f * 0.8 - u * 0.6 - lft * 0.4
    el_l, wr_l = arm(sh_l, c + lft * g, body, pole_l)
    el_r, wr_r = arm(sh_r, c - lft * g, body, pole_r)
    if prm["dumbbells"]:
        for w in (wr_l, wr_r):
            boxes.append(Box(w + u * 0.03, np.eye(3), np.array([0.17, 0.05, 0.07]) * s, "dumbbell"))
    else:
        boxes += plates((wr_l + wr_r) / 2, Y, prm["plate_offset"])
    head = parts.head(pitch_deg=prm["head_pitch"])
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head,
                    ((u, -lft), (u, lft)), feet)
    return rig, Scene(front=X, left=Y, boxes=boxes)


# ----------------------------------------------------------------------------------- leg extension
def legext_params(rng: np.random.Generator, body: Body) -> Params:
    return {"seat_h": _u(rng, 0.45, 0.56), "recline": _u(rng, -22, -5), "e0": _u(rng, -12, 5),
            "e1": _u(rng, 78, 92), "partial": _u(rng, 35, 55), "swing": _u(rng, 10, 20),
            "head_pitch": _u(rng, -10, 15), "knee_gap": _u(rng, 0.0, 0.08), "plantar": _u(rng, -10, 25),
            "handles": bool(rng.uniform() < 0.8)}


def leg_extension(body: Body, prm: Params, p: np.ndarray, faults: Faults) -> tuple[Rig, Scene]:
    t = len(p)
    s = body.scale
    swing = _f(faults, "swing", t)
    partial = _f(faults, "partial", t)
    pb = smooth01(p)
    lift = col(0.03 * s * swing * np.sin(np.pi * pb))
    pelvis = const([0.0, 0.0, prm["seat_h"] + 0.09 * s], t) + UP * lift
    lean = prm["recline"] + swing * prm["swing"] * np.sin(np.pi * np.clip(p * 1.3, 0, 1))
    trunk = upright_trunk(pelvis, lean)
    parts = Parts(trunk, body)
    _, sh_l, sh_r = parts.shoulders()
    hip_l, hip_r = parts.hips()
    gap = prm["knee_gap"]
    kn_l = hip_l + const([body.thigh * 0.995, gap, -0.02], t)
    kn_r = hip_r + const([body.thigh * 0.995, -gap, -0.02], t)
    e1 = prm["e1"] * (1 - partial) + prm["partial"] * partial
    e = np.radians(prm["e0"] + (e1 - prm["e0"]) * pb)
    shank = np.stack([np.sin(e), np.zeros(t), -np.cos(e)], axis=1) * body.shank
    an_l, an_r = kn_l + shank, kn_r + shank
    feet = (feet_from_shank(kn_l, an_l, Y, prm["plantar"]), feet_from_shank(kn_r, an_r, Y, prm["plantar"]))
    f, lft = trunk.fwd, trunk.left
    if prm["handles"]:
        tl = hip_l + lft * 0.14 * s + const([0.05, 0, 0.0], t)
        tr = hip_r - lft * 0.14 * s + const([0.05, 0, 0.0], t)
    else:  # hands on the thighs
        tl = (hip_l + kn_l) / 2 + UP * 0.07
        tr = (hip_r + kn_r) / 2 + UP * 0.07
    el_l, wr_l = arm(sh_l, tl, body, -f + lft * 0.3)
    el_r, wr_r = arm(sh_r, tr, body, -f - lft * 0.3)
    head = parts.head(pitch_deg=prm["head_pitch"] - 0.3 * lean)
    rig = build_rig(parts, (el_l, el_r), (wr_l, wr_r), (kn_l, kn_r), (an_l, an_r), head, None, feet)
    sh = prm["seat_h"]
    boxes = [Box(np.array([body.thigh * 0.45, 0.0, sh - 0.05]), np.eye(3),
                 np.array([body.thigh * 0.5, 0.2, 0.06]), "seat")]
    back_c = pelvis[0] + trunk.up[0] * body.torso * 0.5 - trunk.fwd[0] * 0.17
    boxes.append(Box(back_c, np.stack([trunk.fwd[0], Y, trunk.up[0]]),
                     np.array([0.06, 0.2, body.torso * 0.5]), "seat"))
    sd = unit(shank)
    pad_axis = np.cross(Y, sd)
    pad = (an_l + an_r) / 2 - sd * 0.06 * s + pad_axis * 0.07
    boxes.append(Box(pad, np.stack([np.array([1.0, 0, 0]), Y, UP]), np.array([0.05, 0.24, 0.05]), "pad"))
    return rig, Scene(front=X, left=Y, boxes=boxes)


@dataclass(frozen=True)
class Exercise:
    """Motion model of one exercise."""

    name: str
    params: Callable[[np.random.Generator, Body], Params]
    motion: Callable[[Body, Params, np.ndarray, Faults], tuple[Rig, Scene]]
    faults: tuple[str, ...]
    rep_s: tuple[float, float]  # range of a rep's duration (start -> end), seconds
    first_frac: tuple[float, float]  # share of the rep spent going start -> turn
    #: Faults seen at the start/end position (a bench press's lockout): the lifter holds them through
    #: the rest after the rep too, instead of fixing them as soon as the rep is over.
    held_faults: tuple[str, ...] = ()
    #: Faults of the set-up (a deadlift's hips too low): the lifter takes them up before the rep sets
    #: off, from the end of the rep before (or the clip's start), not as the rep starts.
    setup_faults: tuple[str, ...] = ()


MOTIONS: dict[str, Exercise] = {
    "squat": Exercise("squat", squat_params, squat, ("shallow", "forward_lean", "knees_in"),
                      (1.6, 3.6), (0.5, 0.62)),
    "deadlift": Exercise("deadlift", deadlift_params, deadlift,
                         ("hips_rise_early", "no_lockout", "rounded_back", "hips_low"), (1.8, 3.6),
                         (0.4, 0.5), setup_faults=("hips_low",)),
    "bench_press": Exercise("bench_press", bench_params, bench_press, ("shallow", "no_lockout", "uneven"),
                            (1.5, 3.4), (0.5, 0.62), held_faults=("no_lockout",)),
    "push_up": Exercise("push_up", pushup_params, push_up, ("hip_sag", "pike", "shallow"),
                        (1.1, 2.8), (0.5, 0.6)),
    "shoulder_press": Exercise("shoulder_press", press_params, shoulder_press, ("no_lockout", "back_lean"),
                               (1.5, 3.2), (0.4, 0.5)),
    "leg_extension": Exercise("leg_extension", legext_params, leg_extension,
                              ("partial", "swing", "fast_eccentric"), (1.6, 3.4), (0.4, 0.5)),
}
