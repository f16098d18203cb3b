"""Pure angle helpers."""

from __future__ import annotations

import numpy as np
import pytest

from gymvision import geometry as g


def test_joint_angle_2d_and_3d() -> None:
    assert g.joint_angle([1, 0], [0, 0], [0, 1]) == pytest.approx(90.0)
    assert g.joint_angle([1, 0, 0], [0, 0, 0], [-1, 0, 0]) == pytest.approx(180.0)
    assert g.joint_angle([1, 0, 0], [0, 0, 0], [1, 1, 0]) == pytest.approx(45.0)


def test_joint_angle_vectorised_and_nan() -> None:
    a = np.array([[1, 0], [1, 0], [np.nan, 0]])
    v = np.zeros((3, 2))
    b = np.array([[0, 1], [1, 1], [0, 1]])
    out = g.joint_angle(a, v, b)
    assert out[:2] == pytest.approx([90.0, 45.0])
    assert np.isnan(out[2])
    assert np.isnan(g.joint_angle([0, 0], [0, 0], [1, 0]))  # zero-length segment


def test_segment_angles_against_image_vertical() -> None:
    assert g.segment_angle_vertical([0, 0], [0, 10]) == pytest.approx(0.0)  # straight down
    assert g.segment_angle_vertical([0, 0], [0, -10]) == pytest.approx(180.0)
    assert g.segment_angle_vertical([0, 0], [5, 0]) == pytest.approx(90.0)
    assert g.segment_tilt([0, 0], [0, -10]) == pytest.approx(0.0)
    assert g.segment_tilt([0, 0], [-3, 3]) == pytest.approx(45.0)
    assert g.segment_angle_signed([0, 0], [1, 1]) == pytest.approx(45.0)
    assert g.segment_angle_signed([0, 0], [-1, 1]) == pytest.approx(-45.0)


def test_rotations() -> None:
    r = g.rotation_matrix("z", 90)
    assert r @ np.array([1.0, 0, 0]) == pytest.approx([0, 1, 0], abs=1e-12)
    assert np.linalg.det(g.rotation_matrix([1, 2, 3], 37)) == pytest.approx(1.0)
    pts = g.rotate_2d(np.array([[0.0, 10.0]]), 90)  # down, turned clockwise on screen -> left
    assert pts[0] == pytest.approx([-10.0, 0.0], abs=1e-9)
    assert g.wrap_deg(270) == pytest.approx(-90)
    assert g.wrap_deg(-180) == pytest.approx(180)


def test_point_line_distance_and_midpoint() -> None:
    assert g.point_line_distance([0, 5], [0, 0], [10, 0]) == pytest.approx(5.0)
    assert g.midpoint([0, 0, 0], [2, 4, 6]) == pytest.approx([1, 2, 3])
