"""The real BlazePose models on a real photo and on a video made from it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from gymvision.demo import person_frames
from gymvision.landmarks import L
from gymvision.pose import PeopleDetector, PoseEstimator, prominence, same_person


@pytest.mark.parametrize("model", ["lite", "full", "heavy"])
def test_static_pose_on_real_photo(astronaut: np.ndarray, model: str) -> None:
    with PoseEstimator(model, static=True) as est:
        pose = est.process(astronaut)
    assert pose is not None
    assert pose.image_size == (512, 512)
    nose = pose.xy[L.NOSE]
    # the face of the astronaut is in the upper middle of the portrait
    assert 150 < nose[0] < 260 and 60 < nose[1] < 200
    assert pose.visibility[L.NOSE] > 0.9
    ls, rs = pose.xy[L.LEFT_SHOULDER], pose.xy[L.RIGHT_SHOULDER]
    assert ls[1] > nose[1] and rs[1] > nose[1]  # shoulders below the nose
    assert ls[0] > rs[0]  # her left shoulder is on the image's right
    x1, y1, x2, y2 = pose.bbox()
    assert x1 < nose[0] < x2 and y1 < nose[1] < y2 and x1 >= 0 and x2 <= 511
    assert pose.world is not None and pose.world.shape == (33, 3)


def test_no_person_gives_none() -> None:
    yy, xx = np.mgrid[0:480, 0:640]
    scene = np.stack([xx % 256, yy % 256, (xx + yy) % 256], -1).astype(np.uint8)
    with PoseEstimator("full", static=True) as est:
        assert est.process(scene) is None


def test_tracking_follows_a_moving_person() -> None:
    found, noses = 0, []
    with PoseEstimator("full", static=False) as est:
        for frame in person_frames(2.0, fps=15, size=(640, 360)):
            pose = est.process(frame)
            if pose is not None:
                found += 1
                noses.append(pose.xy[L.NOSE])
    assert found >= 27  # of 30 frames
    # the person drifts sideways: the tracked nose moves too
    assert np.ptp(np.array(noses)[:, 0]) > 20


def test_several_people_are_found_and_the_prominent_one_chosen(astronaut: np.ndarray) -> None:
    scene = np.full((600, 1200, 3), 90, np.uint8)
    big = cv2.resize(astronaut, (520, 520))
    small = cv2.resize(astronaut, (300, 300))[:, ::-1]
    scene[40:560, 340:860] = big  # central and large
    scene[280:580, 880:1180] = small  # off to the side, small
    det = PeopleDetector("full")
    try:
        people = det.detect(scene)
    finally:
        det.close()
    assert len(people) == 2
    best = max(people, key=prominence)
    assert 340 < best.xy[L.NOSE][0] < 860
    assert not same_person(people[0], people[1])


def test_person_in_a_plank_is_found_by_turning_the_photo() -> None:
    from gymvision.demo import sample_image_path

    img = cv2.cvtColor(cv2.imread(str(sample_image_path("demo_push_up.jpg"))), cv2.COLOR_BGR2RGB)
    with PoseEstimator("full", static=True) as est:
        pose = est.process(img)
    assert pose is not None
    # the figure lies head right, feet left, at mid height, in pixels of the upright photo
    assert pose.xy[L.NOSE][0] > pose.xy[L.LEFT_HIP][0] > pose.xy[L.LEFT_ANKLE][0]
    assert 250 < pose.xy[L.LEFT_HIP][1] < 420
