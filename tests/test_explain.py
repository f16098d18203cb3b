"""Occlusion sensitivity and feature attribution with known answers (and the real pipeline when present)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from gymvision.datasets.explain import attribute_features, explain_image, occlusion_map, windows
from gymvision.results import Pose

MARK = (200, 120, 260, 180)  # x0, y0, x1, y1 of the red square the fake model "looks at"


def _image() -> np.ndarray:
    rgb = np.full((240, 320, 3), 90, np.uint8)
    x0, y0, x1, y1 = MARK
    rgb[y0:y1, x0:x1] = (255, 0, 0)
    return rgb


def _fake_pose(rgb: np.ndarray) -> Pose | None:
    """A 'person' that exists while the red square is at least partly visible; visibility = its share."""
    k = rgb.shape[1] / 320  # works at any scale of the test image
    x0, y0, x1, y1 = (v * k for v in MARK)
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 60)
    share = min(1.0, float(red.sum()) / ((x1 - x0) * (y1 - y0)))
    if share < 0.01:
        return None
    xyz = np.zeros((33, 3), np.float32)
    xyz[:, 0] = np.linspace(x0, x1, 33)
    xyz[:, 1] = np.linspace(y0, y1, 33)
    return Pose(xyz, np.full(33, share), (rgb.shape[1], rgb.shape[0]))


def _fake_probs(pose: Pose) -> dict[str, float]:
    p = float(pose.visibility[0])
    return {"squat": 0.9 * p, "deadlift": 1 - 0.9 * p}


def test_windows_cover_the_image() -> None:
    ws = windows(640, 480, 32, 24)
    assert ws[0] == (0, 0, 32, 32) and ws[-1] == (608, 448, 640, 480)
    cover = np.zeros((480, 640), int)
    for x0, y0, x1, y1 in ws:
        cover[y0:y1, x0:x1] += 1
    assert cover.min() >= 1 and len(ws) == 27 * 20


def test_occlusion_map_finds_the_evidence_and_caches_outside_the_person() -> None:
    rgb = _image()
    calls = []

    def pose_fn(img: np.ndarray) -> Pose | None:
        calls.append(1)
        img.flags.writeable = False  # as MediaPipe does to the arrays it is given
        return _fake_pose(img)

    box = (190.0, 110.0, 270.0, 190.0)
    def probs(poses):
        return [_fake_probs(p)["squat"] for p in poses]

    heat, n, evaluated = occlusion_map(rgb, pose_fn, probs, 0.9, box, window=32, stride=24)
    assert len(calls) == evaluated < n  # only windows touching the person's box ran the pose model
    inside = heat[MARK[1]:MARK[3], MARK[0]:MARK[2]]
    assert inside.mean() > 0.1 and heat[:60, :100].max() == 0.0
    peak = np.unravel_index(np.argmax(heat), heat.shape)
    assert MARK[1] <= peak[0] < MARK[3] and MARK[0] <= peak[1] < MARK[2]


def test_explain_image_with_a_fake_pipeline() -> None:
    rec = SimpleNamespace(predict_pose=_fake_probs, classes=["squat", "deadlift"])
    pipe = SimpleNamespace(recognizer=rec, decide=lambda p: max(p.items(), key=lambda kv: kv[1]),
                           settings=SimpleNamespace(pose_model="full", min_detection_confidence=0.5))
    big = np.repeat(np.repeat(_image(), 4, axis=0), 4, axis=1)  # 1280x960 -> analysed at 640
    res = explain_image(pipe, big, pose_fn=_fake_pose, max_side=640)
    assert res.exercise == "squat" and res.confidence == pytest.approx(0.9)
    assert res.heatmap.shape == big.shape[:2]
    assert res.png[:8] == b"\x89PNG\r\n\x1a\n"
    y, x = np.unravel_index(np.argmax(res.heatmap), res.heatmap.shape)
    assert MARK[0] * 4 <= x < MARK[2] * 4 and MARK[1] * 4 <= y < MARK[3] * 4
    assert res.to_dict()["windows"] == res.windows
    with pytest.raises(ValueError, match="no person"):
        explain_image(pipe, np.zeros((100, 100, 3), np.uint8), pose_fn=lambda _: None)


def test_attribute_features_ranks_the_feature_the_model_uses() -> None:
    w = np.array([3.0, 0.0, -0.5])

    def predict(x: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(x @ w)))
        return np.column_stack([p, 1 - p])

    rng = np.random.default_rng(0)
    bg = rng.normal(0, 1, (50, 3))
    out = attribute_features(predict, np.array([2.0, 5.0, 1.0]), bg, ["knee", "noise", "hip"], 0)
    assert out[0].name == "knee" and out[0].importance > 0.2
    noise = next(a for a in out if a.name == "noise")
    assert noise.importance == pytest.approx(0.0, abs=1e-9)


def _real_pipeline():
    from gymvision.pipeline import Pipeline

    return Pipeline()


def test_explain_cli_on_a_real_photo(tmp_path, astronaut) -> None:
    """The real pose model + recogniser on the shipped person photo, coarse grid to stay fast."""
    import json

    from typer.testing import CliRunner

    from gymvision.cli import app
    from gymvision.datasets import demo

    _real_pipeline()
    img = demo.save(astronaut, tmp_path / "astro.png")
    out = tmp_path / "heat.png"
    res = CliRunner().invoke(app, ["explain", str(img), "--out", str(out), "--window", "64", "--stride", "64",
                                   "--max-side", "320", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert 0 < data["evaluated"] <= data["windows"] == 25
    assert data["exercise"] in data["probabilities"]
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    res = CliRunner().invoke(app, ["explain", str(bad)])
    assert res.exit_code == 2 and "bad.jpg" in res.output
