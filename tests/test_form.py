"""Form cues: measured per rep, gated on landmark visibility and camera view, with camera advice."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gymvision.form import RULES, estimate_view, evaluate_rep, rules_for
from gymvision.form.view import SAGITTAL
from gymvision.reps import analyze_reps
from gymvision.reps.signals import PoseArrays
from gymvision.synth import FAULTS, generate_sequence
from test_reps import squat_profile, toy_squat_pose


def toy_set(depth: float, yaw: float = 90.0, n: int = 4, seed: int = 0, **pose_kw):
    rng = np.random.default_rng(seed)
    ts, fs, truth = squat_profile(n, depth=depth)
    return ts, [toy_squat_pose(f, yaw=yaw, rng=rng, **pose_kw) for f in fs], truth


def the_cue_value(ev, needle: str, pattern: str) -> int:
    """The number measured in the one cue of rep ``ev`` that contains ``needle`` (it names the rep)."""
    cues = [c for c in ev.cues if needle in c]
    assert len(cues) == 1, ev.cues
    m = re.match(pattern, cues[0])
    assert m and int(m.group(1)) == ev.index, cues[0]
    return int(m.group(2))


def test_every_generator_fault_has_a_rule_and_every_rule_a_fault():
    for ex, faults in FAULTS.items():
        assert {r.fault for r in rules_for(ex)} == set(faults), ex
    for r in RULES:
        assert "{n}" in r.cue and "{v" in r.cue, r.metric


@pytest.mark.parametrize(("yaw", "view"), [(90, "side"), (-90, "side"), (0, "front"), (180, "back"),
                                           (45, "diag")])
def test_view_estimate_on_toy_squatter(yaw, view):
    _, poses, _ = toy_set(100, yaw=yaw, n=1)
    arr = PoseArrays.from_poses(poses)
    assert estimate_view(arr.xyz, arr.vis).name == view


def test_shallow_squat_gets_a_cue_with_rep_number_and_measurement():
    ts, poses, _ = toy_set(55)  # a quarter squat: knees bent to ~125°
    res = analyze_reps("squat", ts, poses)
    assert len(res.events) == 4
    for ev in res.events:
        value = the_cue_value(ev, "squat deeper", r"rep (\d+): knees bent only to (\d+)°")
        assert abs(value - ev.metrics["knee_bottom_deg"]) <= 1
        assert 115 <= ev.metrics["knee_bottom_deg"] <= 135


def test_deep_squat_gets_no_depth_cue():
    ts, poses, _ = toy_set(120)
    res = analyze_reps("squat", ts, poses)
    assert len(res.events) == 4
    assert all(not any("deeper" in c for c in ev.cues) for ev in res.events)
    assert all(ev.metrics["knee_bottom_deg"] < 80 for ev in res.events)


def test_front_view_withholds_depth_and_says_where_to_film():
    ts, poses, _ = toy_set(55, yaw=0)
    res = analyze_reps("squat", ts, poses)
    assert len(res.events) == 4
    assert all("knee_bottom_deg" not in ev.metrics for ev in res.events)
    assert "film from the side to check squat depth and your back angle" in res.advice
    # knees that track the toes are not a cave
    assert all(not any("caved" in c for c in ev.cues) for ev in res.events)
    assert all(ev.metrics["knee_gap_to_leg_line"] > 0.9 for ev in res.events)


def test_knees_caving_in_filmed_from_the_front_get_a_cue_with_the_gap():
    ts, poses, _ = toy_set(110, yaw=0, knees_in=0.2)
    res = analyze_reps("squat", ts, poses)
    assert len(res.events) == 4
    for ev in res.events:
        value = the_cue_value(ev, "caved in",
                              r"rep (\d+): knees caved in to (\d+)% of the gap between your hip-to-ankle")
        assert abs(value - 100 * ev.metrics["knee_gap_to_leg_line"]) <= 1
        assert ev.metrics["knee_gap_to_leg_line"] < 0.8


def test_knees_are_not_judged_from_the_side():
    ts, poses, _ = toy_set(110, yaw=90, knees_in=0.2)
    res = analyze_reps("squat", ts, poses)
    assert all("knee_gap_to_leg_line" not in ev.metrics for ev in res.events)
    assert "film from the front to check your knees" in res.advice


#: Rules withheld because their benchmark precision or recall stayed below 0.9 (see reps/README.md).
WITHHELD = {("deadlift", "rounded_back"), ("bench_press", "no_lockout"), ("bench_press", "uneven")}


def test_withheld_rules_are_the_documented_ones():
    assert {(r.exercise, r.fault) for r in RULES if not r.active} == WITHHELD


def test_withheld_rule_never_cues_nor_advises_even_on_a_clear_fault():
    """Deadlift with a rounded back, filmed from the side: the rule that would see it is withheld, so
    there is no cue, no measured value and no advice promising a check of the back."""
    seq = generate_sequence("deadlift", n_reps=5, seed=2, view="side_right", faults=("rounded_back",))
    res = analyze_reps("deadlift", seq.times, seq.poses)
    assert len(res.events) == 5
    for ev in res.events:
        assert not any("rounded" in c for c in ev.cues)
        assert "back_round_pct" not in ev.metrics
    assert not any("your back" in a for a in res.advice)
    fr = [evaluate_rep("deadlift", seq.times, seq.poses, ev) for ev in res.events]
    assert any("rounded_back" in f.shadow for f in fr)  # still measured in the background (benchmark)
    assert all("rounded_back" not in f.faults and "rounded_back" not in f.withheld for f in fr)


def _pulls_with_faulty_2_and_4(fault: str, view: str, seed: int):
    """A generated set of five deadlifts whose reps 2 and 4 carry ``fault``, and its analysis."""
    seq = generate_sequence("deadlift", n_reps=5, seed=seed, view=view, faults=(fault,), fault_reps=[1, 3])
    res = analyze_reps("deadlift", seq.times, seq.poses)
    assert len(res.events) == 5
    return seq, res


@pytest.mark.parametrize(("view", "seed"), [("side_left", 0), ("side_right", 2), ("front_diag", 0)])
def test_deadlift_hips_shooting_up_gets_a_cue_and_clean_pulls_do_not(view, seed):
    """Reps 2 and 4 snap the knees straight first, so the back tilts further over off the floor: they
    are cued with how far; the clean pulls, whose chest rises from just off the floor, are not. From the
    side and at 45° (foreshortened there, the tilt still grows by 17-22°)."""
    _, res = _pulls_with_faulty_2_and_4("hips_rise_early", view, seed)
    for ev in res.events:
        gain = ev.metrics["back_tilt_gain_deg"]
        if ev.index in (2, 4):
            value = the_cue_value(ev, "hips shot up", r"rep (\d+): hips shot up first \(back tilted (\d+)°")
            assert abs(value - gain) <= 1 and gain > 8
        else:
            assert not any("hips shot up" in c for c in ev.cues) and gain < 5


def test_deadlift_hips_are_not_judged_on_a_rep_that_starts_upright():
    """A pull that starts with the trunk within 30° of upright is no pull from the floor (a rack pull,
    or the pose model misread the start behind the plates): no value, no cue."""
    seq = generate_sequence("deadlift", n_reps=3, seed=6, view="side_left", faults=("hips_rise_early",))
    res = analyze_reps("deadlift", seq.times, seq.poses)
    assert all(ev.metrics["back_tilt_gain_deg"] > 8 for ev in res.events)
    from gymvision.landmarks import L

    ev = res.events[1]
    poses = list(seq.poses)
    for i, t in enumerate(seq.times):  # stand the trunk up (shoulders and head over the hips) at the start
        if poses[i] is not None and ev.start_s - 0.3 <= t <= ev.start_s + 0.3:
            xyz = poses[i].xyz.copy()
            hip_x = xyz[[L.LEFT_HIP, L.RIGHT_HIP], 0].mean()
            upper = list(range(L.LEFT_HIP))  # face, shoulders, arms
            xyz[upper, 0] = hip_x + 0.1 * (xyz[upper, 0] - hip_x)
            poses[i] = type(poses[i])(xyz, poses[i].visibility, poses[i].image_size)
    fr = evaluate_rep("deadlift", seq.times, poses, ev)
    assert "back_tilt_gain_deg" not in fr.metrics and "hips_rise_early" not in fr.faults


@pytest.mark.parametrize(("view", "seed"), [("side_left", 5), ("front_diag", 0)])
def test_squatted_deadlift_gets_a_hinge_cue_and_hinged_pulls_do_not(view, seed):
    """Reps 2 and 4 are squatted up (hips low, knees forward, chest near upright at the floor): they are
    cued with the trunk's lean; the hinged pulls, leaning 40°+ over at the floor, are not."""
    seq, res = _pulls_with_faulty_2_and_4("hips_low", view, seed)
    for ev in res.events:
        lean = ev.metrics["trunk_lean_max_deg"]
        if ev.index in (2, 4):
            value = the_cue_value(ev, "squatted", r"rep (\d+): squatted the pull \(trunk leaned only (\d+)°")
            assert abs(value - lean) <= 1 and lean < 25
        else:
            assert not any("squatted" in c for c in ev.cues) and lean > 35
    from gymvision.reps import LiveRepTracker

    live = LiveRepTracker("deadlift")  # live, each rep is judged when it is reported: the same cues
    for t, p in zip(seq.times, seq.poses, strict=True):
        live.update(float(t), p)
    assert [any("squatted" in c for c in e.cues) for e in live.events] == [False, True, False, True, False]


def test_squatted_pull_needs_the_hips_low_too(monkeypatch):
    """An upright trunk alone is no squatted pull: the fault also needs the hips sunk (``requires``).
    With the bar for "sunk" out of reach, the same reps keep their measured lean and get no cue."""
    import gymvision.form.rules as rules

    seq, res = _pulls_with_faulty_2_and_4("hips_low", "side_left", 5)
    assert [any("squatted" in c for c in e.cues) for e in res.events] == [False, True, False, True, False]
    monkeypatch.setattr(rules, "_SQUAT_PULL_DROP", 0.95)
    again = analyze_reps("deadlift", seq.times, seq.poses)
    assert [e.metrics["trunk_lean_max_deg"] for e in again.events] == \
        [e.metrics["trunk_lean_max_deg"] for e in res.events]
    assert not any("squatted" in c for e in again.events for c in e.cues)


def test_deadlift_hinge_is_not_judged_from_the_front():
    """From the front a forward lean is foreshortened to nothing: the hinge is not judged, and the
    advice says where to film from."""
    seq = generate_sequence("deadlift", n_reps=3, seed=4, view="front", faults=("hips_low",))
    res = analyze_reps("deadlift", seq.times, seq.poses)
    assert len(res.events) == 3
    assert all("trunk_lean_max_deg" not in ev.metrics and not any("squatted" in c for c in ev.cues)
               for ev in res.events)
    assert "film from the side to check your hips, lockout and your hip hinge" in res.advice  # one line


def test_standing_press_leaning_back_gets_a_cue_and_seated_press_is_not_judged():
    seq = generate_sequence("shoulder_press", n_reps=4, seed=1, view="side_left", faults=("back_lean",))
    assert not seq.params["seated"]
    res = analyze_reps("shoulder_press", seq.times, seq.poses)
    assert len(res.events) == 4
    for ev in res.events:
        value = the_cue_value(ev, "leaned back", r"rep (\d+): leaned back (\d+)° behind your legs")
        assert abs(value - ev.metrics["back_lean_deg"]) <= 1
    clean = generate_sequence("shoulder_press", n_reps=4, seed=1, view="side_left")
    res = analyze_reps("shoulder_press", clean.times, clean.poses)
    assert all(not any("leaned back" in c for c in ev.cues) for ev in res.events)
    seated = next(s for s in range(2, 30)
                  if generate_sequence("shoulder_press", n_reps=1, seed=s).params["seated"])
    seq = generate_sequence("shoulder_press", n_reps=4, seed=seated, view="side_left", faults=("back_lean",))
    res = analyze_reps("shoulder_press", seq.times, seq.poses)
    assert all("back_lean_deg" not in ev.metrics for ev in res.events)


@pytest.mark.parametrize(("view", "seed"), [("front", 1), ("back_diag", 1), ("front", 4)])
def test_press_short_of_lockout_gets_a_cue_with_rep_number_and_elbow_angle(view, seed):
    """The generator's fault stops the press with the elbows at 105-140° (clean lockouts 165-178°):
    reps 2 and 4 of the set stop short and are cued, with their angle; reps 1 and 3 lock out."""
    seq = generate_sequence("shoulder_press", n_reps=4, seed=seed, view=view, faults=("no_lockout",),
                            fault_reps=[1, 3])
    res = analyze_reps("shoulder_press", seq.times, seq.poses)
    assert len(res.events) == 4
    for i, ev in enumerate(res.events):
        if i in (0, 2):
            assert not any("locked out" in c for c in ev.cues)
            continue
        value = the_cue_value(ev, "not locked out",
                              r"rep (\d+): not locked out overhead \(elbows straightened only to (\d+)°\)")
        assert abs(value - ev.metrics["elbow_top_deg"]) <= 1
        assert ev.metrics["elbow_top_deg"] < 160


def test_press_never_locked_out_is_cued_only_when_clearly_bent():
    """A whole set short of lockout has no straight rep to compare with, and BlazePose reads real
    straight arms overhead as low as 130-149°: only reps under 125° are cued then."""
    deep = generate_sequence("shoulder_press", n_reps=4, seed=3, view="front", faults=("no_lockout",))
    res = analyze_reps("shoulder_press", deep.times, deep.poses)
    assert len(res.events) == 4 and all(ev.metrics["elbow_top_deg"] < 125 for ev in res.events)
    assert all(any("locked out" in c for c in ev.cues) for ev in res.events)
    near = generate_sequence("shoulder_press", n_reps=4, seed=4, view="front", faults=("no_lockout",))
    res = analyze_reps("shoulder_press", near.times, near.poses)
    assert len(res.events) == 4 and all(130 < ev.metrics["elbow_top_deg"] < 160 for ev in res.events)
    assert not any(any("locked out" in c for c in ev.cues) for ev in res.events)


@pytest.mark.parametrize("view", ["front", "back_diag"])
def test_press_locked_out_gets_no_lockout_cue(view):
    seq = generate_sequence("shoulder_press", n_reps=4, seed=1, view=view)
    res = analyze_reps("shoulder_press", seq.times, seq.poses)
    assert len(res.events) == 4
    for ev in res.events:
        assert not any("locked out" in c for c in ev.cues)
        assert ev.metrics["elbow_top_deg"] > 165


def test_press_lockout_not_judged_from_the_side():
    seq = generate_sequence("shoulder_press", n_reps=4, seed=1, view="side_left", faults=("no_lockout",))
    res = analyze_reps("shoulder_press", seq.times, seq.poses)
    assert all("elbow_top_deg" not in ev.metrics for ev in res.events)
    assert not any("locked out" in c for ev in res.events for c in ev.cues)


def test_feet_out_of_frame_withholds_foot_rules_with_advice():
    """Counting still works on the hips (hip angle, hips over knees); depth and lean need the feet."""
    ts, poses, _ = toy_set(110, feet_visible=False)
    res = analyze_reps("squat", ts, poses)
    assert len(res.events) == 4
    assert "step back so your feet are in frame" in res.advice
    for ev in res.events:
        assert "knee_bottom_deg" not in ev.metrics and "head_drift_pct" not in ev.metrics


def _rep_flags(exercise: str, fault: str, view: str, seed: int):
    seq = generate_sequence(exercise, n_reps=5, seed=seed, view=view, faults=(fault,), fault_reps=[1, 3])
    res = analyze_reps(exercise, seq.times, seq.poses, with_form=False)
    flags = []
    for ev in res.events:
        truth = min(seq.reps, key=lambda r: abs(r.turn_s - ev.turn_s))
        fr = evaluate_rep(exercise, seq.times, seq.poses, ev)
        flags.append((fault in truth.faults, fault in fr.faults, fault in fr.withheld))
    return flags


@pytest.mark.parametrize(("exercise", "fault", "view"), [
    ("push_up", "pike", "side_left"), ("push_up", "hip_sag", "side_right"),
    ("deadlift", "no_lockout", "side_right"), ("deadlift", "hips_low", "side_left"),
    ("deadlift", "hips_low", "front_diag"),
    ("leg_extension", "partial", "side_left"), ("leg_extension", "swing", "side_right"),
    ("leg_extension", "fast_eccentric", "side_left"), ("push_up", "shallow", "side_right"),
    ("squat", "shallow", "side_left"), ("squat", "knees_in", "front"),
    ("squat", "forward_lean", "side_right"),
    ("shoulder_press", "no_lockout", "front"), ("shoulder_press", "no_lockout", "front_diag"),
    ("bench_press", "shallow", "foot_end"),
])
def test_injected_faults_are_found_on_generated_sets(exercise, fault, view):
    """Two of five reps carry the fault; every rep the rule could check is judged right.

    The generator draws the camera, body and equipment per seed, and plates or arms hide the needed
    joints in some clips (the rule then rightly withholds): the first clip of ten seeds in which the
    rule could check three reps is judged.
    """
    for seed in range(11, 21):
        flags = _rep_flags(exercise, fault, view, seed=seed)
        checked = [(has, flagged) for has, flagged, withheld in flags if not withheld]
        if len(flags) == 5 and len(checked) >= 3 and any(has for has, _ in checked):
            break
    else:
        pytest.fail(f"no clip of {exercise} {view} in which {fault} could be checked on 3 reps")
    assert all(has == flagged for has, flagged in checked), (seed, flags)


def test_cues_withheld_from_unsupported_views_on_generated_sets():
    seq = generate_sequence("push_up", n_reps=4, seed=3, view="head_end", faults=("pike",))
    res = analyze_reps("push_up", seq.times, seq.poses)
    assert len(res.events) == 4
    assert all("hip_pike_deg" not in ev.metrics for ev in res.events)
    assert "film from the side to check your hips and push-up depth" in res.advice
    sagittal_only = [r for r in rules_for("push_up") if r.views <= SAGITTAL]
    assert sagittal_only


def test_fast_lowering_gets_a_cue_with_the_time_ratio():
    """The generator's fault lowers the weight in 35 % of the normal lowering time."""
    seq = generate_sequence("leg_extension", n_reps=4, seed=2, view="side_right", faults=("fast_eccentric",))
    res = analyze_reps("leg_extension", seq.times, seq.poses)
    checked = [ev for ev in res.events if "lowering_time_ratio" in ev.metrics]
    assert len(checked) >= 3
    for ev in checked:
        value = the_cue_value(ev, "lowered the weight",
                              r"rep (\d+): lowered the weight in (\d+)% of the time")
        assert abs(value - 100 * ev.metrics["lowering_time_ratio"]) <= 1
        assert ev.metrics["lowering_time_ratio"] < 0.67


def _front_squat_window(ankle_half: float, knee_in: float):
    """A front view of a squat (image px, y down): narrow hips, feet ``ankle_half`` out from the middle,
    knees on the straight hip–ankle lines at the bottom unless pulled ``knee_in`` towards the middle."""
    from gymvision.form.window import PARTS, RepWindow

    n = 31
    p = np.sin(np.linspace(0, np.pi, n))  # 0 standing, 1 at the bottom
    xyz = np.zeros((n, 33, 3))
    for s, sign in (("left", 1.0), ("right", -1.0)):
        hip = np.stack([500 + sign * 40 * np.ones(n), 300 + 150 * p], axis=1)
        ankle = np.stack([500 + sign * ankle_half * np.ones(n), 700 * np.ones(n)], axis=1)
        knee = hip + 0.5 * (ankle - hip)
        knee[:, 0] -= sign * knee_in * p
        for part, xy in (("hip", hip), ("knee", knee), ("ankle", ankle)):
            xyz[:, PARTS[part][0 if s == "left" else 1], :2] = xy
    return RepWindow(np.arange(n) / 30.0, xyz, np.ones((n, 33)), None, None, (1000, 1000))


def test_knees_in_is_judged_against_the_leg_lines_not_the_feet_width():
    from gymvision.form.rules import _knees_in

    # a wide stance with knees over the feet: the knees sit well inside the feet (the old knee/ankle
    # width ratio read 0.57 here) but on the hip-ankle lines, so no cave
    rule = next(r for r in RULES if r.fault == "knees_in")
    clean = _knees_in(_front_squat_window(170, 0.0), "left")
    assert clean == pytest.approx(1.0, abs=0.02)
    assert not rule.fault_if(clean)
    # the same stance with the knees pulled 30 px each inside their lines is a cave
    caved = _knees_in(_front_squat_window(170, 30.0), "left")
    assert caved < 0.8
    assert rule.fault_if(caved)


def test_lying_set_filmed_along_the_bench_is_an_end_view():
    """From beyond the feet a lying trunk points up the image like a standing one facing the camera;
    told that the lift is done lying, the estimate judges it from depth and names the end: never the
    wrong one on flat benches (a camera well off the bench's axis may read as front or diagonal, and an
    end that face and trunk disagree on stays "end")."""
    names = {}
    for view in ("foot_end", "head_end"):
        names[view] = []
        for seed in range(12):
            seq = generate_sequence("bench_press", n_reps=2, seed=seed, view=view, idle_before_s=0.3)
            if seq.params.get("incline"):
                continue
            arr = PoseArrays.from_poses(seq.poses)
            ok = np.isfinite(arr.xyz[:, 0, 0])
            names[view].append(estimate_view(arr.xyz[ok], arr.vis[ok], lying=True).name)
    assert names["foot_end"].count("foot_end") >= len(names["foot_end"]) / 2, names
    assert "head_end" in names["head_end"], names
    assert "head_end" not in names["foot_end"] and "foot_end" not in names["head_end"], names


def test_bench_depth_only_judged_from_the_foot_end():
    seq = generate_sequence("bench_press", n_reps=4, seed=5, view="side_left", faults=("shallow",))
    res = analyze_reps("bench_press", seq.times, seq.poses)
    assert res.events and all("bottom_height_pct" not in ev.metrics for ev in res.events)
    assert any("foot of the bench" in a for a in res.advice)


def _leg_extension_with_glitch(part: str, phase: str, shift: float):
    """A clean side-view leg-extension set at 15 fps whose near ``part`` is drawn ``shift`` (× the torso
    length) away for 3 frames of each rep's ``phase`` ("peak": the top, "lowering": the middle of the
    way down), as BlazePose does when the legs cross in the image."""
    from gymvision.landmarks import L
    from gymvision.results import Pose

    seq = generate_sequence("leg_extension", n_reps=4, seed=3, view="side_left", noise=0.0, occlusion=0.0,
                            fps=15.0)
    idx = {"knee": L.LEFT_KNEE, "ankle": L.LEFT_ANKLE}[part]
    times = np.asarray(seq.times)
    poses = list(seq.poses)
    torso = float(np.linalg.norm(poses[0].xy[L.LEFT_SHOULDER] - poses[0].xy[L.LEFT_HIP]))
    for r in seq.reps:
        t_mid = r.turn_s if phase == "peak" else r.turn_s + 0.5 * (r.end_s - r.turn_s)
        for i in np.argsort(np.abs(times - t_mid))[:3]:
            p = poses[i]
            xyz = p.xyz.copy()
            xyz[idx, 0] += shift * torso
            xyz[idx, 1] += shift * torso
            poses[i] = Pose(xyz, p.visibility, p.image_size)
    return times, poses


def test_swing_not_cued_for_a_knee_drawn_astray_for_three_frames():
    """The swing rule measures the shoulder against where the knee sits over the rep, not per frame."""
    times, poses = _leg_extension_with_glitch("knee", "peak", 0.3)
    res = analyze_reps("leg_extension", times, poses)
    checked = [ev for ev in res.events if "torso_swing_deg" in ev.metrics]
    assert len(checked) >= 3
    assert all(ev.metrics["torso_swing_deg"] < 9.0 for ev in checked), [ev.metrics for ev in checked]


def test_fast_lowering_not_cued_when_only_one_ankle_jumps():
    """Both legs lift the pad together; one ankle drawn astray mid-lowering must not cut the lowering
    short when the other leg is seen."""
    times, poses = _leg_extension_with_glitch("ankle", "lowering", -0.6)
    res = analyze_reps("leg_extension", times, poses)
    checked = [ev for ev in res.events if "lowering_time_ratio" in ev.metrics]
    assert len(checked) >= 3
    assert all(ev.metrics["lowering_time_ratio"] > 0.67 for ev in checked), [ev.metrics for ev in checked]


def _press_result(n: int, top_deg: float):
    from gymvision.form import FormResult

    rule = next(r for r in rules_for("shoulder_press") if r.fault == "no_lockout")
    res = FormResult(metrics={rule.metric: top_deg})
    if rule.fault_if(top_deg):
        res.flag(rule.fault, rule.cue.format(n=n, v=top_deg))
    return res


def test_a_doubtful_lockout_is_cued_only_when_short_of_the_sets_best():
    # BlazePose reads a locked-out arm overhead at 158-164° on the rendered mannequin and at 130-172° on
    # real lifters (the shoulder point stays low as the arms go up): a rep under the 160° threshold is
    # cued only when it falls clearly short (15°) of the set's best rep; far under it (< 125°) always.
    from gymvision.form import compare_within_set

    results = [_press_result(i + 1, v) for i, v in enumerate([164.0, 158.5, 131.0, 162.0, 146.0, 151.0])]
    compare_within_set("shoulder_press", results)
    assert [bool(r.cues) for r in results] == [False, False, True, False, True, False]
    assert results[2].faults == {"no_lockout"} and not results[1].faults
    assert "131°" in results[2].cues[0] and "146°" in results[4].cues[0]
    # a set that never gets past 158° gives no doubtful cue, but a clearly bent rep keeps its own
    alone = [_press_result(i + 1, v) for i, v in enumerate([158.0, 157.0, 140.0, 120.0])]
    compare_within_set("shoulder_press", alone)
    assert [bool(r.cues) for r in alone] == [False, False, True, True]
    # a real seated dumbbell press whose straight arms BlazePose read at 145-149° on every rep: no cue
    # (it was cued on all 10 reps, and 17 cues on real presses looked locked out by eye)
    seated = [_press_result(i + 1, v) for i, v in enumerate([147.0, 149.0, 147.0, 148.0, 145.0])]
    compare_within_set("shoulder_press", seated)
    assert not any(r.cues for r in seated)


def _bench_lockouts(view: str, seed: int) -> list[float]:
    from gymvision.form.rules import _bench_lockout
    from gymvision.form.window import RepWindow

    seq = generate_sequence("bench_press", n_reps=5, seed=seed, view=view, noise=0, occlusion=0,
                            faults=("no_lockout",), fault_reps=[1, 3])
    res = analyze_reps("bench_press", seq.times, seq.poses, with_form=False)
    assert len(res.events) == 5
    windows = [RepWindow.build(seq.times, seq.poses, ev, lying=True) for ev in res.events]
    return [_bench_lockout(w, "both") for w in windows]


@pytest.mark.parametrize("seed", [1, 3, 4, 5])
def test_bench_lockout_measure_reads_each_reps_own_top_from_the_foot_end(seed):
    """A missed lockout (reps 2 and 4) reads well bent although the rep before it ended locked out:
    the measure starts at the rep's bottom, not at the previous rep's top (the withheld rule's measure,
    kept honest for the benchmark)."""
    v = _bench_lockouts("foot_end", seed)
    clean, missed = [v[0], v[2], v[4]], [v[1], v[3]]
    assert min(clean) > 165 and max(missed) < min(clean) - 8, v


def test_bench_lockout_not_measured_when_the_arms_point_at_the_camera():
    """Filmed from above, a bend of the arms hardly shows: no value rather than a straight reading."""
    assert all(np.isnan(x) for x in _bench_lockouts("high", 2))


def test_live_form_is_judged_while_the_reps_end_is_still_predicted():
    """Live, a rep is reported before its predicted end (up to 0.6 s ahead on slow reps). The frames
    not yet filmed are no gap in the pose: every rep is judged as the video analysis judges it, with no
    "keep your whole body in frame" advice (a slow set used to lose its form check and get that advice)."""
    from gymvision.reps import LiveRepTracker

    seq = generate_sequence("squat", n_reps=3, seed=2, view="side_left", tempo_s=5.0)
    tracker = LiveRepTracker("squat")
    ahead = []
    for t, p in zip(seq.times, seq.poses, strict=True):
        ev, _ = tracker.update(float(t), p)
        if ev is not None:
            ahead.append(ev.end_s - t)
    assert max(ahead) > 0.3  # at least one rep reported more than MAX_GAP_S before its end
    batch = analyze_reps("squat", seq.times, seq.poses)
    assert [sorted(e.metrics) for e in tracker.events] == [sorted(e.metrics) for e in batch.events]
    assert all(e.metrics for e in tracker.events)
    assert "keep your whole body in frame and well lit" not in tracker.advice


def test_frames_not_yet_filmed_are_no_gap_but_a_real_gap_is():
    seq = generate_sequence("squat", n_reps=2, seed=2, view="side_left", tempo_s=5.0)
    ev = analyze_reps("squat", seq.times, seq.poses).events[0]
    now = ev.end_s - 0.5
    keep = [i for i, t in enumerate(seq.times) if t <= now]
    times, poses = [seq.times[i] for i in keep], [seq.poses[i] for i in keep]
    assert "knee_bottom_deg" in evaluate_rep("squat", times, poses, ev, seen_until=now).metrics
    blind = evaluate_rep("squat", times, poses, ev)  # the same frames from a finished video: a 0.5 s gap
    assert "knee_bottom_deg" not in blind.metrics
    assert blind.withheld_for.get("shallow") == "visibility"
    assert "keep your whole body in frame and well lit" in blind.advice


def test_a_lying_body_seen_along_its_length_is_no_side_view():
    """Push-ups filmed from 45° towards the head or feet keep the shoulders edge-on (real ones read
    63–76° out of the image) but foreshorten the body's length, which bends the 2D hip and depth
    readings: such a view is "diag" (no side-only rule), however edge-on the shoulders look."""
    from gymvision.landmarks import L

    seq = generate_sequence("push_up", n_reps=1, seed=4, view="side_left")
    arr = PoseArrays.from_poses(seq.poses)
    side = estimate_view(arr.xyz, arr.vis, lying=True)
    assert side.name == "side" and side.long_out_deg < 30
    xyz = arr.xyz.copy()
    hips, shoulders = [L.LEFT_HIP, L.RIGHT_HIP], [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
    length = np.linalg.norm(xyz[:, shoulders, :2].mean(axis=1) - xyz[:, hips, :2].mean(axis=1), axis=1)
    xyz[:, hips, 2] += length[:, None]  # the hips one torso length further away: the trunk 45° out
    oblique = estimate_view(xyz, arr.vis, lying=True)
    assert oblique.axis_out_deg >= 58 and 40 <= oblique.long_out_deg <= 60
    assert oblique.name == "diag"


@pytest.mark.parametrize(("view", "expected"), [("front_diag", "diag"), ("back_diag", "diag"),
                                                ("side_left", "side")])
def test_a_pull_bent_over_most_of_the_rep_is_judged_where_it_stands(view, expected):
    # Romanian and slow deadlifts spend most of a rep bent over, where the yaw used to come from the
    # pose model's depth. BlazePose read real 45° and rear-3/4 pulls edge-on (72-78°), and a 45° RDL got
    # "not locked out" cues meant for side views. Here the depth says edge-on as BlazePose did, in a
    # window bent over but for six frames at the lockout: the shoulder and hip widths there tell.
    seq = generate_sequence("deadlift", n_reps=3, seed=15, view=view, fps=15.0)
    arr = PoseArrays.from_poses(seq.poses)
    xyz = arr.xyz.copy()
    for left, right in ((11, 12), (23, 24)):  # shoulders, hips: the far one well behind the near one
        width = np.linalg.norm(xyz[:, left, :2] - xyz[:, right, :2], axis=1)
        xyz[:, left, 2], xyz[:, right, 2] = -2.0 * width, 2.0 * width
    spine = xyz[:, [11, 12], :2].mean(axis=1) - xyz[:, [23, 24], :2].mean(axis=1)
    rise = -spine[:, 1] / np.linalg.norm(spine, axis=1)
    bent, tall = np.flatnonzero(rise < 0.7), np.flatnonzero(rise > 0.9)
    assert len(bent) >= 18 and len(tall) >= 6
    window = np.sort(np.concatenate([bent[:18], tall[:6]]))
    assert estimate_view(xyz[bent], arr.vis[bent]).name == "side"  # the depth alone says edge-on
    assert estimate_view(xyz[window], arr.vis[window]).name == expected


def test_set_advice_gives_one_line_per_way_of_filming() -> None:
    from gymvision.form import merge_advice

    lines = ["film from the side to check squat depth", "step back so your feet are in frame",
             "film from the side to check your back angle", "film from the front to check your knees",
             "film from the side to check squat depth", "step back so your feet are in frame",
             "film from the side to check your hips"]
    assert merge_advice(lines) == [
        "film from the side to check squat depth, your back angle and your hips",
        "step back so your feet are in frame", "film from the front to check your knees"]
    assert merge_advice(merge_advice(lines)[:1]) == merge_advice(lines)[:1]
    assert merge_advice([]) == []
