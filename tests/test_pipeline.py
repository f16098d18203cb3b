"""Pure pipeline helpers: camera advice, evidence gate, crowd advice."""

from __future__ import annotations

import numpy as np
import pytest

from gymvision.exercises import EXERCISES
from gymvision.landmarks import L
from gymvision.pipeline import crowd_advice, has_evidence, visibility_advice
from gymvision.results import Pose


def _pose(x1: float, y1: float, x2: float, y2: float, hidden: tuple[int, ...] = (),
          size: tuple[int, int] = (640, 480)) -> Pose:
    rng = np.random.default_rng(0)
    xy = np.column_stack([rng.uniform(x1, x2, 33), rng.uniform(y1, y2, 33)])
    xy[0], xy[-1] = (x1, y1), (x2, y2)
    vis = np.ones(33)
    vis[list(hidden)] = 0.05
    return Pose(np.column_stack([xy, np.zeros(33)]), vis, size)


def test_small_person_gets_move_closer_advice_but_a_plank_does_not() -> None:
    tiny = _pose(300, 200, 340, 290)
    assert any("closer" in a for a in visibility_advice([tiny]))
    plank = _pose(130, 310, 580, 410)  # long and flat: fills the width
    assert not any("closer" in a for a in visibility_advice([plank]))


def test_hidden_legs_and_no_person_advice() -> None:
    legs = (L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    assert any("feet" in a for a in visibility_advice([_pose(100, 20, 500, 470, hidden=legs)]))
    assert visibility_advice([_pose(100, 20, 500, 470)]) == []
    assert "No person found" in visibility_advice([None, None])[0]


def test_a_person_found_in_few_frames_gets_advice() -> None:
    # a real side-view bench press: the person was found in 7 of its 65 frames and 0 reps were counted
    # with nothing said
    body = _pose(100, 20, 500, 470)
    assert not any("found in only" in a for a in visibility_advice([body] * 6 + [None] * 4))
    advice = visibility_advice([body] * 7 + [None] * 58)
    assert any("found in only 7 of 65 frames" in a for a in advice), advice


def test_shoulders_beyond_the_frame_get_advice() -> None:
    # a squat filmed with the head and trunk above the frame: BlazePose guesses the shoulders there
    top = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    inside = _pose(100, 20, 500, 470)
    above = _pose(100, 20, 500, 470)
    above.xyz[list(top), 1] = -40.0
    assert not any("shoulders leave" in a for a in visibility_advice([inside] * 4))
    assert not any("shoulders leave" in a for a in visibility_advice([above] + [inside] * 4))  # a moment
    assert any("shoulders leave" in a for a in visibility_advice([above, above] + [inside] * 2))


def test_evidence_gate_needs_the_defining_joints() -> None:
    knees = (L.LEFT_KNEE, L.RIGHT_KNEE)
    upper = _pose(100, 20, 500, 470, hidden=knees)
    assert not has_evidence("squat", [upper]) and has_evidence("shoulder_press", [upper])
    one_side = _pose(100, 20, 500, 470, hidden=(L.LEFT_KNEE,))
    assert has_evidence("squat", [one_side])  # one visible side is enough
    assert not has_evidence("squat", [None])


def test_crowd_advice() -> None:
    assert crowd_advice(1) == []
    assert crowd_advice(3)[0].startswith("3 people in view")
    assert crowd_advice(4, video=True, tracked=False) == []  # nobody analysed: "No person found" instead


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_sample_photo_shows_its_exercise(pipeline, exercise: str) -> None:
    """The demo photos offered in the web app: the real pose model finds the rendered figure and the
    shipped recogniser names the exercise the photo is labelled with (a retrained model that loses one
    of them would greet new users with a wrong answer)."""
    from PIL import Image

    from gymvision.demo import sample_image_path

    rgb = np.asarray(Image.open(sample_image_path(f"demo_{exercise}.jpg")).convert("RGB"))
    res = pipeline.analyze_image(rgb, name=f"demo_{exercise}.jpg")
    assert res.people == 1
    assert (res.exercise, round(res.confidence, 1) >= 0.6) == (exercise, True), res.probabilities
