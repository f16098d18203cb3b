"""The synthetic motion generator: API, ground truth, kinematics, cameras, degradation."""

from __future__ import annotations

import numpy as np
import pytest

from gymvision import geometry as g
from gymvision.exercises import EXERCISES, UNKNOWN
from gymvision.landmarks import L
from gymvision.results import Pose
from gymvision.synth import FAULTS, IDLE_KINDS, VIEWS, generate_idle, generate_sequence, sample_body


def _frame_at(seq, t: float) -> int:
    return int(np.argmin(np.abs(seq.times - t)))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_sequence_api_and_rep_truth(exercise: str) -> None:
    seq = generate_sequence(exercise, n_reps=4, seed=3, fps=30.0, idle_before_s=1.0, idle_after_s=1.0)
    assert seq.exercise == exercise
    assert seq.view in VIEWS
    assert len(seq.poses) == len(seq.times) == seq.joints3d.shape[0]
    assert seq.joints3d.shape[1:] == (33, 3)
    assert np.all(np.diff(seq.times) > 0)
    assert len(seq.reps) == 4
    prev_end = 0.0
    for r in seq.reps:
        assert prev_end <= r.start_s < r.turn_s < r.end_s
        prev_end = r.end_s
    assert seq.reps[0].start_s == pytest.approx(1.0, abs=0.05)
    assert seq.times[-1] == pytest.approx(seq.reps[-1].end_s + 1.0, abs=0.1)
    poses = [p for p in seq.poses if p is not None]
    assert len(poses) > 0.8 * len(seq.poses)
    for p in poses[:5]:
        assert isinstance(p, Pose)
        assert p.xyz.shape == (33, 3) and p.visibility.shape == (33,)
        assert np.all((p.visibility >= 0) & (p.visibility <= 1))
        assert p.image_size == (1280, 720)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_deterministic(exercise: str) -> None:
    a = generate_sequence(exercise, n_reps=2, seed=11)
    b = generate_sequence(exercise, n_reps=2, seed=11)
    c = generate_sequence(exercise, n_reps=2, seed=12)
    assert np.array_equal(a.joints3d, b.joints3d)
    assert a.view == b.view and a.camera == b.camera
    assert a.joints3d.shape != c.joints3d.shape or not np.allclose(a.joints3d, c.joints3d)


def _angle3d(j: np.ndarray, a: int, b: int, c: int) -> float:
    return float(g.joint_angle(j[a], j[b], j[c]))


def _at_turn_and_start(seq) -> tuple[np.ndarray, np.ndarray]:
    r = seq.reps[0]
    return seq.joints3d[_frame_at(seq, r.start_s - 0.3)], seq.joints3d[_frame_at(seq, r.turn_s)]


def test_joint_ranges_are_realistic() -> None:
    """Each exercise moves the joints it should, through a real range."""
    s = generate_sequence("squat", n_reps=1, seed=1, noise=0)
    top, bot = _at_turn_and_start(s)
    assert _angle3d(top, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) > 160
    assert 40 < _angle3d(bot, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) < 95

    s = generate_sequence("bench_press", n_reps=1, seed=1, noise=0)
    top, bot = _at_turn_and_start(s)
    assert _angle3d(top, L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST) > 140
    assert _angle3d(bot, L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST) < 100
    # Lying face up: wrists above the shoulders, nose above the shoulders, feet on the floor.
    assert top[L.LEFT_WRIST, 2] > top[L.LEFT_SHOULDER, 2] + 0.3
    assert top[L.NOSE, 2] > top[L.LEFT_SHOULDER, 2]
    assert top[L.LEFT_FOOT_INDEX, 2] < 0.05

    s = generate_sequence("push_up", n_reps=1, seed=1, noise=0)
    top, bot = _at_turn_and_start(s)
    assert top[L.LEFT_WRIST, 2] < top[L.LEFT_SHOULDER, 2]  # wrists below the shoulders
    assert bot[L.LEFT_SHOULDER, 2] < top[L.LEFT_SHOULDER, 2] - 0.2

    s = generate_sequence("deadlift", n_reps=1, seed=1, noise=0)
    floor, lock = _at_turn_and_start(s)
    assert lock[L.LEFT_SHOULDER, 2] - floor[L.LEFT_SHOULDER, 2] > 0.4
    assert _angle3d(floor, L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST) > 150  # arms hang straight

    s = generate_sequence("shoulder_press", n_reps=1, seed=1, noise=0)
    rack, over = _at_turn_and_start(s)
    assert over[L.LEFT_WRIST, 2] > over[L.NOSE, 2] + 0.2
    assert abs(rack[L.LEFT_WRIST, 2] - rack[L.LEFT_SHOULDER, 2]) < 0.2

    s = generate_sequence("leg_extension", n_reps=1, seed=1, noise=0)
    bent, ext = _at_turn_and_start(s)
    assert _angle3d(bent, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) < 110
    assert _angle3d(ext, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE) > 150


def test_bench_lockout_is_straight_and_a_missed_one_is_not() -> None:
    """Lifters lock a bench press out at ~165–180°; a missed lockout stops short (~135–155°)."""
    for seed in range(12):  # barbell and dumbbell clips, flat and incline benches
        s = generate_sequence("bench_press", n_reps=2, seed=seed, noise=0, faults=["no_lockout"],
                              fault_reps=[1])
        tops = [s.joints3d[_frame_at(s, r.start_s - 0.3 if i == 0 else r.end_s)]
                for i, r in enumerate(s.reps)]
        for side in ((L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST),
                     (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST)):
            assert _angle3d(tops[0], *side) > 163, seed  # clean rep: arms straight before it
            missed = s.joints3d[_frame_at(s, s.reps[1].start_s)]  # the missed rep starts at its top
            assert 130 < _angle3d(missed, *side) < 158, seed


def test_bench_missed_lockout_is_held_through_the_rest_after_the_rep() -> None:
    """A lifter who stops short of lockout stays short at the top until the next rep sets off (the
    top is where a bench press rep ends); a clean rep's top is locked out again."""
    arms = ((L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST))
    for seed in range(8):
        s = generate_sequence("bench_press", n_reps=3, seed=seed, noise=0, faults=["no_lockout"],
                              fault_reps=[1])
        r1, r2 = s.reps[1], s.reps[2]
        rest = s.joints3d[_frame_at(s, (r1.end_s + r2.start_s) / 2)]
        after_clean = s.joints3d[_frame_at(s, r2.end_s)]
        for arm in arms:
            assert _angle3d(rest, *arm) < 158, seed
            assert _angle3d(after_clean, *arm) > 163, seed


def test_bone_lengths_constant_and_proportions_vary() -> None:
    s = generate_sequence("squat", n_reps=2, seed=5, noise=0)
    j = s.joints3d
    thigh = np.linalg.norm(j[:, L.LEFT_HIP] - j[:, L.LEFT_KNEE], axis=-1)
    arm = np.linalg.norm(j[:, L.RIGHT_SHOULDER] - j[:, L.RIGHT_ELBOW], axis=-1)
    assert thigh.std() < 0.02 and arm.std() < 0.02
    heights = [sample_body(np.random.default_rng(i)).height for i in range(30)]
    assert 1.5 <= min(heights) < 1.65 and 1.8 < max(heights) <= 1.98


def test_faults_are_injected_per_rep() -> None:
    clean = generate_sequence("squat", n_reps=3, seed=2, noise=0)
    bad = generate_sequence("squat", n_reps=3, seed=2, noise=0, faults=["shallow"], fault_reps=[1])
    assert [r.faults for r in bad.reps] == [frozenset(), frozenset({"shallow"}), frozenset()]
    knee = [_angle3d(bad.joints3d[_frame_at(bad, r.turn_s)], L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE)
            for r in bad.reps]
    assert knee[1] > knee[0] + 25 and knee[1] > knee[2] + 25
    assert clean.reps[0].faults == frozenset()
    with pytest.raises(ValueError, match="do not apply"):
        generate_sequence("squat", faults=["pike"])
    for ex, faults in FAULTS.items():
        for f in faults:
            generate_sequence(ex, n_reps=1, seed=0, faults=[f])


def test_tempo_and_pause() -> None:
    s = generate_sequence("push_up", n_reps=3, seed=4, tempo_s=2.0, pause_bottom_s=1.0)
    for r in s.reps:
        assert r.end_s - r.start_s == pytest.approx(3.0, abs=0.6)


@pytest.mark.parametrize("kind", IDLE_KINDS)
def test_idle_kinds(kind: str) -> None:
    s = generate_idle(kind, duration_s=4.0, seed=1)
    assert s.exercise == UNKNOWN and s.reps == [] and s.kind == kind
    assert len(s.poses) == pytest.approx(120, abs=2)
    assert sum(p is not None for p in s.poses) > 60


def test_views_and_occlusion() -> None:
    """Side views hide the far side; every view frames the person."""
    vis = np.concatenate([[p.visibility for p in generate_sequence(ex, n_reps=1, seed=3, view="side_left",
                                                                    noise=0).poses if p is not None]
                          for ex in ("squat", "deadlift", "shoulder_press")])
    near = vis[:, [L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_EAR]].mean()
    far = vis[:, [L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_EAR]].mean()
    assert near > far + 0.2
    front = generate_sequence("squat", n_reps=2, seed=3, view="front", noise=0, occlusion=0)
    vis = np.array([p.visibility for p in front.poses if p is not None])
    assert vis.min() > 0.8
    for view in VIEWS:
        seq = generate_sequence("bench_press", n_reps=1, seed=7, view=view)
        assert seq.view == view
        inside = []
        for p in seq.poses:
            if p is not None:
                x, y = p.xy[:, 0], p.xy[:, 1]
                inside.append(np.mean((x >= 0) & (x < 1280) & (y >= 0) & (y < 720)))
        assert np.mean(inside) > 0.6


def test_noise_free_projection_matches_camera() -> None:
    s = generate_sequence("deadlift", n_reps=1, seed=9, view="front", noise=0, occlusion=0)
    p = s.poses[10]
    assert p is not None
    # Left/right are the person's: seen from the front, the left shoulder is on the image right.
    assert p.xy[L.LEFT_SHOULDER, 0] > p.xy[L.RIGHT_SHOULDER, 0]
    assert p.xy[L.NOSE, 1] < p.xy[L.LEFT_HIP, 1] < p.xy[L.LEFT_ANKLE, 1]


@pytest.mark.parametrize("exercise", ["squat", "bench_press"])
def test_lead_in_and_out_sections(exercise: str) -> None:
    plain = generate_sequence(exercise, n_reps=2, seed=21, view="side_left")
    led = generate_sequence(exercise, n_reps=2, seed=21, view="side_left", lead_in="walking", lead_in_s=3.0,
                            lead_out="setup", lead_out_s=2.0)
    assert np.all(np.diff(led.times) > 0)
    assert len(led.poses) == len(led.times) == len(led.joints3d) == len(led.phase)
    assert led.duration_s == pytest.approx(plain.duration_s + 5.0, abs=0.2)
    assert led.reps[0].start_s == pytest.approx(plain.reps[0].start_s + 3.0, abs=0.01)
    assert np.all(led.phase[led.times < led.reps[0].start_s] < 0.02)
    # The walk-in really moves the person, and the hand-over to the set has no jump.
    hips = (led.joints3d[:, L.LEFT_HIP] + led.joints3d[:, L.RIGHT_HIP]) / 2
    assert np.ptp(hips[led.times < 2.0, 0]) > 0.5
    assert np.abs(np.diff(hips, axis=0)).max() < 0.15
    with pytest.raises(ValueError, match="lead kind"):
        generate_sequence(exercise, n_reps=1, lead_in="jumping")
