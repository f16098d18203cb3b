"""The optional YOLO detector: train a tiny detector from a model YAML on a generated data set, export
it to ONNX, run it through onnxruntime (without torch) and the CLI, evaluate it, explain it, and
refuse bad input before any long work.

Tests marked ``yolo`` need the ``[yolo]`` extra (Ultralytics + torch) and skip without it; the
unmarked ones (spec parsing, letterbox, NMS, data checks) run everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from gymvision.exercises import EXERCISES, TO_ORIGINAL
from gymvision.yolo import DetectorError, load_detector, parse_detector_spec
from gymvision.yolo.data import DataError, check_data_yaml, rename_classes
from gymvision.yolo.env import has_ultralytics
from gymvision.yolo.onnx_detector import letterbox, map_names, nms, parse_names
from gymvision.yolo.toy import make_toy_dataset

needs_extra = pytest.mark.skipif(not has_ultralytics(), reason="the [yolo] extra (ultralytics, torch) is not "
                                 "installed: scripts/install.sh --yolo")


def yolo_test(fn):
    """Needs the [yolo] extra and trains/exports models: marked ``yolo`` and ``slow``."""
    return pytest.mark.yolo(pytest.mark.slow(needs_extra(fn)))

IMGSZ = 96


# ---------------------------------------------------------------- fast, no extra needed

def test_detector_spec_parsing(tmp_path: Path) -> None:
    assert parse_detector_spec(None) is None
    assert parse_detector_spec("none") is None
    assert parse_detector_spec("yolo-onnx:~/m.onnx") == ("yolo-onnx", Path("~/m.onnx").expanduser())
    assert load_detector("") is None
    with pytest.raises(DetectorError, match=r"yolo-onnx:m\.onnx"):
        parse_detector_spec("m.onnx")
    with pytest.raises(DetectorError, match="unknown detector backend 'tflite'"):
        parse_detector_spec("tflite:m.tflite")
    with pytest.raises(DetectorError, match="export them first"):
        parse_detector_spec("yolo-onnx:best.pt")
    with pytest.raises(DetectorError, match="not found"):
        load_detector(f"yolo-onnx:{tmp_path / 'missing.onnx'}")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not an onnx file")
    with pytest.raises(DetectorError, match="not a readable ONNX model"):
        load_detector(f"yolo-onnx:{junk}")


def test_names_mapping_to_and_from_original() -> None:
    original = [TO_ORIGINAL[e] for e in EXERCISES]
    assert original[:2] == ["benchpress", "pushup"] and original[-1] == "leg_ext"
    assert map_names(original) == list(EXERCISES)
    stored, ours = parse_names({"names": str(dict(enumerate(original)))})
    assert stored == original and ours == list(EXERCISES)
    with pytest.raises(DetectorError, match="'person'"):
        parse_names({"names": "{0: 'person', 1: 'squat'}"})
    with pytest.raises(DetectorError, match="no 'names'"):
        parse_names({})


def test_letterbox_and_nms() -> None:
    img = np.zeros((50, 100, 3), np.uint8)
    boxed, lb = letterbox(img, (64, 64))
    assert boxed.shape == (64, 64, 3)
    assert lb.gain == pytest.approx(0.64) and lb.pad_x == 0 and lb.pad_y == 16
    back = lb.to_image(np.array([[0, 16, 64, 48]], np.float32), (100, 50))
    np.testing.assert_allclose(back, [[0, 0, 100, 50]], atol=0.5)
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
    keep = nms(boxes, np.array([0.9, 0.8, 0.7], np.float32), 0.5)
    assert keep.tolist() == [0, 2]


def test_data_yaml_checks(tmp_path: Path) -> None:
    data = make_toy_dataset(tmp_path / "toy", n_train=4, n_val=2, size=64, original_names=True)
    spec = check_data_yaml(data)
    assert spec.names == list(EXERCISES) and spec.stored_names[0] == "benchpress"
    assert spec.images == {"train": 4, "val": 2}
    assert all(boxes for _, boxes, _ in spec.labelled("val"))
    ours = rename_classes(data, tmp_path / "ours.yaml", "ours")
    assert yaml.safe_load(ours.read_text())["names"][0] == "bench_press"
    raw = yaml.safe_load(data.read_text())
    bad = tmp_path / "missing_val.yaml"
    bad.write_text(yaml.safe_dump({**raw, "val": "images/nope"}))
    with pytest.raises(DataError, match="val folder not found"):
        check_data_yaml(bad)
    bad.write_text(yaml.safe_dump({**raw, "names": {0: "cat", 1: "dog"}}))
    with pytest.raises(DataError, match="not GymVision exercises"):
        check_data_yaml(bad)
    with pytest.raises(DataError, match="not found"):
        check_data_yaml(tmp_path / "nope.yaml")


# ---------------------------------------------------------------- with the extra: train once

@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    if not has_ultralytics():
        pytest.skip("the [yolo] extra is not installed")
    from gymvision.yolo.train import TrainConfig, train

    root = tmp_path_factory.mktemp("yolo")
    os.environ["YOLO_CONFIG_DIR"] = str(root / "ultralytics_config")
    data = make_toy_dataset(root / "toy", n_train=48, n_val=12, size=IMGSZ, original_names=True)
    cfg = TrainConfig(model="yolov8n.yaml", epochs=30, imgsz=IMGSZ, batch=8, lr0=0.02, warmup_epochs=1,
                      close_mosaic=0, project=root / "runs", name="toy", plots=False)
    epochs: list[int] = []
    result = train(data, cfg, on_epoch=lambda e, n, m: epochs.append(e))
    return {"root": root, "data": data, "result": result, "epochs": epochs}


@pytest.fixture(scope="module")
def onnx_model(trained) -> Path:
    from gymvision.yolo.export import export_onnx

    return export_onnx(trained["result"].best, out=trained["root"] / "exported" / "toy.onnx")


def _val_images(trained) -> list[Path]:
    return sorted((trained["root"] / "toy" / "images" / "val").glob("*.jpg"))


def _rgb(path: Path) -> np.ndarray:
    return np.ascontiguousarray(cv2.imread(str(path))[:, :, ::-1])


@yolo_test
def test_train_from_model_yaml_reports_map(trained) -> None:
    res = trained["result"]
    assert res.best.is_file() and res.best.suffix == ".pt"
    assert trained["epochs"][-1] == 30
    ul = json.loads(res.report["ultralytics"].read_text())
    assert 0.0 <= ul["map50_95"] <= ul["map50"] <= 1.0
    assert len(ul["confusion"]["rows_truth_cols_pred"]) == len(EXERCISES) + 1
    report = json.loads(res.report["json"].read_text())
    assert 0.0 <= report["map_class"]["map50_95"] <= report["map_class"]["map50"] <= 1.0
    assert report["map_class"]["images"] == 12
    assert report["original_detector"]["map50"] == 0.85
    assert res.report["confusion"].is_file() and res.report["html"].is_file()
    # 30 epochs on the easy toy set learn something; the weights keep the original class names
    assert ul["map50"] > 0.05
    from gymvision.yolo.models import load_yolo

    assert load_yolo(res.best).names[0] == "benchpress"


@yolo_test
def test_onnx_detector_matches_ultralytics(trained, onnx_model: Path) -> None:
    from gymvision.yolo.evaluate import UltralyticsDetector
    from gymvision.yolo.explain import iou
    from gymvision.yolo.models import load_yolo

    det = load_detector(f"yolo-onnx:{onnx_model}")
    assert det is not None and det.names == list(EXERCISES)  # original names mapped to ours
    assert det.input_size == (IMGSZ, IMGSZ)
    ref = UltralyticsDetector(load_yolo(trained["result"].best), imgsz=IMGSZ, conf=0.25, iou=0.5)
    found = 0
    for path in _val_images(trained):
        rgb = _rgb(path)
        out, _ = det.raw(rgb)
        anchors = sum((IMGSZ // stride) ** 2 for stride in (8, 16, 32))
        assert out.shape == (1, 4 + len(EXERCISES), anchors)
        ours, theirs = det.detect(rgb), ref.detect(rgb)
        for d in ours:
            x1, y1, x2, y2 = d.bbox
            assert 0 <= x1 < x2 <= rgb.shape[1] and 0 <= y1 < y2 <= rgb.shape[0]
            assert d.label in EXERCISES and 0.25 <= d.confidence <= 1.0
        if ours and theirs:
            found += 1
            assert ours[0].label == theirs[0].label
            assert iou(ours[0].bbox, theirs[0].bbox) > 0.9
            assert ours[0].confidence == pytest.approx(theirs[0].confidence, abs=0.02)
    assert found > 0
    # a bigger, non-square image: boxes come back in its pixels
    big = cv2.resize(_rgb(_val_images(trained)[0]), (320, 200))
    for d in det.detect(big, conf=0.01):
        assert 0 <= d.bbox[0] <= d.bbox[2] <= 320 and 0 <= d.bbox[1] <= d.bbox[3] <= 200


@yolo_test
def test_onnx_backend_runs_without_torch(trained, onnx_model: Path) -> None:
    code = (
        "import sys, json\n"
        "sys.modules['torch'] = None; sys.modules['ultralytics'] = None\n"
        "import cv2\n"
        "from gymvision.yolo import load_detector\n"
        f"det = load_detector('yolo-onnx:{onnx_model}')\n"
        f"rgb = cv2.imread('{_val_images(trained)[0]}')[:, :, ::-1].copy()\n"
        "print(json.dumps([d.to_dict() for d in det.detect(rgb, conf=0.01)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    dets = json.loads(out.stdout.strip().splitlines()[-1])
    assert dets and set(dets[0]) == {"bbox", "label", "confidence"}


@yolo_test
def test_cli_export_detect_val_explain(trained, tmp_path: Path) -> None:
    from gymvision.cli import app

    runner = CliRunner()
    out_onnx = tmp_path / "cli.onnx"
    r = runner.invoke(app, ["yolo", "export", str(trained["result"].best), "--out", str(out_onnx)])
    assert r.exit_code == 0, r.output
    assert out_onnx.is_file()
    images = [str(p) for p in _val_images(trained)[:3]]
    r = runner.invoke(app, ["yolo", "detect", str(out_onnx), *images, "--conf", "0.01"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert [d["file"] for d in lines] == images
    assert all(d["error"] is None and d["width"] == IMGSZ for d in lines)
    assert any(d["detections"] for d in lines)
    r = runner.invoke(app, ["yolo", "val", str(out_onnx), str(trained["data"]),
                            "--out", str(tmp_path / "val"), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert 0.0 <= summary["map50"] <= 1.0 and 0.0 <= summary["accuracy"] <= 1.0
    assert (tmp_path / "val" / "confusion.png").is_file()
    # explain: feature maps from the weights, occlusion from either
    pick = next(p for p, d in zip(images, lines, strict=True) if d["detections"])
    best = str(trained["result"].best)
    r = runner.invoke(app, ["yolo", "explain", best, pick, "--out", str(tmp_path / "ex")])
    assert r.exit_code == 0, r.output
    for name in ("p3_features.png", "p4_features.png", "p5_features.png", "occlusion.png", "detections.png"):
        img = cv2.imread(str(tmp_path / "ex" / name))
        assert img is not None and img.shape[0] > 100, name
    r = runner.invoke(app, ["yolo", "explain", str(out_onnx), pick, "--out", str(tmp_path / "ex_onnx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ex_onnx" / "occlusion.png").is_file()
    assert not (tmp_path / "ex_onnx" / "p3_features.png").exists()


@yolo_test
def test_cli_train_one_epoch(trained, tmp_path: Path) -> None:
    from gymvision.cli import app

    r = CliRunner().invoke(app, ["yolo", "train", str(trained["data"]), "--model", "yolov8n.yaml",
                                 "--epochs", "1", "--imgsz", "64", "--batch", "8", "--project", str(tmp_path),
                                 "--name", "cli", "--no-report", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(summary["best"]).is_file()
    assert summary["map50"] is not None and 0.0 <= summary["map50"] <= 1.0


@yolo_test
def test_bad_input_fails_fast(trained, onnx_model: Path, tmp_path: Path) -> None:
    import onnx
    from ultralytics import YOLO

    from gymvision.cli import app
    from gymvision.yolo.export import export_onnx
    from gymvision.yolo.models import load_yolo
    from gymvision.yolo.train import TrainConfig, prepare

    # weights of the wrong task
    cls_pt = tmp_path / "classifier.pt"
    YOLO("yolov8n-cls.yaml").save(cls_pt)
    with pytest.raises(DetectorError, match="'classify' model"):
        load_yolo(cls_pt)
    with pytest.raises(DetectorError, match="'classify' model"):
        prepare(trained["data"], TrainConfig(model=str(cls_pt), epochs=1, imgsz=64))
    # detection weights with other class names (COCO's 80) cannot be exported as an exercise detector
    coco_pt = tmp_path / "coco_names.pt"
    YOLO("yolov8n.yaml").save(coco_pt)
    with pytest.raises(DetectorError, match="not GymVision exercises"):
        export_onnx(coco_pt)
    # an ONNX whose metadata promises 3 classes: the output does not fit
    model = onnx.load(str(onnx_model))
    for prop in model.metadata_props:
        if prop.key == "names":
            prop.value = "{0: 'squat', 1: 'deadlift', 2: 'push_up'}"
    wrong = tmp_path / "three_classes.onnx"
    onnx.save(model, str(wrong))
    with pytest.raises(DetectorError, match="does not fit 3 classes"):
        load_detector(f"yolo-onnx:{wrong}")
    for prop in model.metadata_props:
        if prop.key == "names":
            prop.value = str(dict(enumerate(["person", "car", "dog", "cat", "bus", "tree"])))
    foreign = tmp_path / "foreign.onnx"
    onnx.save(model, str(foreign))
    with pytest.raises(DetectorError, match="not GymVision exercises"):
        load_detector(f"yolo-onnx:{foreign}")
    # a data YAML with a missing folder: refused before training starts (exit 2, no run folder)
    raw = yaml.safe_load(Path(trained["data"]).read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**raw, "train": "images/missing"}))
    r = CliRunner().invoke(app, ["yolo", "train", str(bad), "--project", str(tmp_path / "runs")])
    assert r.exit_code == 2 and "train folder not found" in " ".join(r.output.split())
    assert not (tmp_path / "runs").exists()
    r = CliRunner().invoke(app, ["yolo", "train", str(trained["data"]), "--model", "yolov8n.pt"])
    assert r.exit_code == 2 and "cannot be downloaded" in " ".join(r.output.split())


@yolo_test
def test_pipeline_uses_detector_label(trained, onnx_model: Path) -> None:
    """``--detector yolo-onnx:PATH``: the photo's exercise and box come from the detector."""
    from gymvision.pipeline import Pipeline
    from gymvision.settings import Settings

    pipeline = Pipeline(Settings(detector=f"yolo-onnx:{onnx_model}", pose_model="full"))
    det = pipeline.detector
    assert det is not None
    for path in _val_images(trained):
        rgb = cv2.resize(_rgb(path), (384, 384))
        expected = det.detect(rgb)
        if expected:
            res = pipeline.analyze_image(rgb, name=path.name)
            assert res.error is None
            assert res.exercise == expected[0].label
            assert res.detections and res.detections[0].label == expected[0].label
            return
    pytest.fail("the toy detector found nothing in any validation image")


def test_vote_track_for_video() -> None:
    from gymvision.results import Detection
    from gymvision.yolo.vote import pick_for_pose, scale_detection, vote_track

    sq = Detection((10, 10, 50, 90), "squat", 0.8)
    dl = Detection((12, 10, 52, 92), "deadlift", 0.6)
    label, conf, box = vote_track([sq, sq, dl, None])
    assert label == "squat" and 0 < conf < 0.8 and box is not None and box.bbox == (10, 10, 50, 90)
    assert vote_track([None, None, sq])[0] == "unknown"
    assert vote_track([])[0] == "unknown"
    assert pick_for_pose([dl, sq], None) is sq
    assert scale_detection(sq, 2.0).bbox == (20, 20, 100, 180)


class _FixedDetector:
    """Stands in for the ONNX backend: always one box, labelled ``label``, around the frame centre."""

    def __init__(self, label: str) -> None:
        self.names = list(EXERCISES)
        self.label, self.calls, self.sizes = label, 0, set()

    def detect(self, rgb: np.ndarray):
        from gymvision.results import Detection

        self.calls += 1
        h, w = rgb.shape[:2]
        self.sizes.add((w, h))
        return [Detection((0.25 * w, 0.1 * h, 0.75 * w, 0.95 * h), self.label, 0.9)]


@pytest.mark.slow
def test_video_label_comes_from_detector_reps_from_pose() -> None:
    """On video the detector (run every DETECTOR_EVERY_S) names the exercise, pose counts the reps."""
    from gymvision.demo import sample_image_path
    from gymvision.pipeline import Pipeline
    from gymvision.yolo.vote import DETECTOR_EVERY_S

    video = sample_image_path("demo_squat.mp4")
    plain = Pipeline().analyze_video(video)
    pipeline = Pipeline()
    pipeline.detector = _FixedDetector("squat")
    res = pipeline.analyze_video(video)
    det = pipeline.detector
    assert res.error is None and res.exercise == "squat" and res.confidence == pytest.approx(0.9)
    assert det.calls == pytest.approx(res.duration_s / DETECTOR_EVERY_S, abs=2)
    # the box is in the video's pixels although the detector saw the smaller pose frames
    x1, _, x2, _ = res.detections[0].bbox
    assert (x1, x2) == pytest.approx((0.25 * res.width, 0.75 * res.width), abs=2)
    assert max(max(s) for s in det.sizes) <= max(res.width, res.height)
    assert res.reps == plain.reps  # reps and their timing come from the pose track, not the detector
    forced = pipeline.analyze_video(video, exercise="squat")
    assert det.calls == pytest.approx(res.duration_s / DETECTOR_EVERY_S, abs=2)  # not run when forced
    assert forced.reps == plain.reps


@pytest.mark.slow
def test_live_session_label_comes_from_detector() -> None:
    """Live: the detector's vote over the recent window names the exercise."""
    from gymvision.demo import sample_image_path
    from gymvision.media import iter_frames
    from gymvision.pipeline import Pipeline

    pipeline = Pipeline()
    pipeline.detector = _FixedDetector("leg_extension")
    labels = []
    with pipeline.session() as live:
        for vf in iter_frames(sample_image_path("demo_squat.mp4"), sample_fps=10.0):
            labels.append(live.process(vf.rgb, vf.t).exercise)
    # the clip is a squat, but the detector says leg extension, and the label follows the detector
    assert labels[-1] == "leg_extension" and labels.count("leg_extension") > 0.8 * len(labels)
    assert pipeline.detector.calls >= 15  # twice a second over ~13 s
