"""Metrics against hand-computed answers and an independent mAP; evaluate end to end with a fake analyser."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gymvision.datasets import demo
from gymvision.datasets.evaluate import evaluate_dataset, read_counts, write_report
from gymvision.datasets.layout import read_dataset
from gymvision.datasets.metrics import BoxSet, classification_metrics, coco_map, rep_metrics
from gymvision.results import AnalysisResult, Detection


def test_classification_metrics_by_hand() -> None:
    truth = ["squat", "squat", "squat", "deadlift", "deadlift", "push_up"]
    pred = ["squat", "squat", "deadlift", "deadlift", "unknown", "push_up"]
    c = classification_metrics(truth, pred, ["squat", "deadlift", "push_up"])
    assert c.accuracy == pytest.approx(4 / 6)
    assert c.predicted_labels == ["squat", "deadlift", "push_up", "unknown"]
    assert c.confusion == [[2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0]]
    per = {m.label: m for m in c.per_class}
    assert per["squat"].precision == 1.0 and per["squat"].recall == pytest.approx(2 / 3)
    assert per["deadlift"].precision == pytest.approx(0.5) and per["deadlift"].recall == pytest.approx(0.5)
    assert per["squat"].f1 == pytest.approx(0.8)


def test_rep_metrics_by_hand() -> None:
    r = rep_metrics([("a", 10, 10), ("b", 10, 12), ("c", 5, 4), ("d", 0, 1)])
    assert r.obo == pytest.approx(0.75)
    assert r.mae == pytest.approx((0 + 0.2 + 0.2 + 1.0) / 4)
    assert r.abs_error == pytest.approx(1.0)


def _one(image: str, boxes, labels, scores=None) -> BoxSet:
    return BoxSet(image, 640, 480, list(boxes), list(labels), list(scores or []))


def test_map_known_answers() -> None:
    gt = [_one("a", [(0, 0, 100, 100)], ["squat"])]
    assert coco_map(gt, [_one("a", [(0, 0, 100, 100)], ["squat"], [0.9])]).map50_95 == pytest.approx(1.0)
    # IoU 0.62: a hit at thresholds 0.50, 0.55, 0.60 only -> mAP@50:95 = 3/10
    m = coco_map(gt, [_one("a", [(0, 0, 100, 62)], ["squat"], [0.9])])
    assert m.map50 == pytest.approx(1.0) and m.map50_95 == pytest.approx(0.3)
    # wrong class: no hit class-aware, a hit class-agnostic
    wrong = [_one("a", [(0, 0, 100, 100)], ["deadlift"], [0.9])]
    assert coco_map(gt, wrong).map50 == 0.0
    assert coco_map(gt, wrong, class_agnostic=True).map50 == pytest.approx(1.0)
    # TP 0.9, FP 0.8, TP 0.7 over two images: 101-point interpolated AP = (51 + 50 * 2/3) / 101
    gt2 = [_one("a", [(0, 0, 100, 100)], ["squat"]), _one("b", [(200, 200, 300, 300)], ["squat"])]
    det2 = [_one("a", [(0, 0, 100, 100), (400, 400, 450, 450)], ["squat", "squat"], [0.9, 0.8]),
            _one("b", [(200, 200, 300, 300)], ["squat"], [0.7])]
    assert coco_map(gt2, det2).map50 == pytest.approx((51 + 50 * 2 / 3) / 101)
    assert coco_map(gt2, []).map50 == 0.0


def _iou(a, b) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def reference_ap(gt: list[BoxSet], det: list[BoxSet], label: str, thr: float) -> float:
    """Plain re-implementation: greedy matching by score, 101-point interpolated precision."""
    gts = {s.image: [b for b, lab in zip(s.boxes, s.labels, strict=True) if lab == label] for s in gt}
    n_gt = sum(len(v) for v in gts.values())
    dets = sorted(((sc, s.image, b) for s in det
                   for b, lab, sc in zip(s.boxes, s.labels, s.scores, strict=True) if lab == label),
                  key=lambda x: -x[0])
    used = {k: [False] * len(v) for k, v in gts.items()}
    tp = []
    for _, img, b in dets:
        best, best_iou = -1, thr
        for j, g in enumerate(gts.get(img, [])):
            iou = _iou(b, g)
            if not used[img][j] and iou >= best_iou:
                best, best_iou = j, iou
        if best >= 0:
            used[img][best] = True
        tp.append(best >= 0)
    tp_c = np.cumsum(tp)
    rec = tp_c / n_gt
    prec = tp_c / np.arange(1, len(tp) + 1)
    env = np.maximum.accumulate(prec[::-1])[::-1]
    total = 0.0
    for r in np.linspace(0, 1, 101):
        k = np.searchsorted(rec, r, side="left")
        total += env[k] if k < len(env) else 0.0
    return total / 101


def test_map_agrees_with_independent_implementation() -> None:
    rng = np.random.default_rng(7)
    gt, det = [], []
    for i in range(15):
        boxes, labels, dboxes, dlabels, scores = [], [], [], [], []
        for _ in range(int(rng.integers(1, 3))):
            x, y = rng.uniform(0, 400, 2)
            w, h = rng.uniform(60, 200, 2)
            lab = str(rng.choice(["squat", "deadlift"]))
            boxes.append((x, y, x + w, y + h))
            labels.append(lab)
            if rng.random() < 0.85:  # a jittered detection, sometimes with the wrong class
                j = rng.normal(0, 12, 4)
                dboxes.append((x + j[0], y + j[1], x + w + j[2], y + h + j[3]))
                dlabels.append(lab if rng.random() < 0.8 else ("deadlift" if lab == "squat" else "squat"))
                scores.append(float(rng.uniform(0.3, 1.0)))
        if rng.random() < 0.5:  # a false positive
            dboxes.append((500.0, 300.0, 600.0, 460.0))
            dlabels.append("squat")
            scores.append(float(rng.uniform(0.1, 0.9)))
        gt.append(_one(f"im{i}", boxes, labels))
        det.append(_one(f"im{i}", dboxes, dlabels, scores))
    m = coco_map(gt, det)
    thrs = np.linspace(0.5, 0.95, 10)
    ref50 = np.mean([reference_ap(gt, det, c, 0.5) for c in ("deadlift", "squat")])
    ref = np.mean([reference_ap(gt, det, c, t) for c in ("deadlift", "squat") for t in thrs])
    assert m.map50 == pytest.approx(ref50, abs=1e-6)
    assert m.map50_95 == pytest.approx(ref, abs=1e-6)
    assert 0.05 < m.map50_95 < m.map50 < 1.0


def test_read_counts_reports_bad_rows(tmp_path: Path) -> None:
    p = tmp_path / "counts.csv"
    p.write_text("file,exercise,reps\na.mp4,squat,5\nb.mp4,yoga,3\nc.mp4,benchpress,x\nd.mp4\ne.mp4,,4\n")
    rows, problems = read_counts(p)
    assert [(r.file, r.exercise, r.reps) for r in rows] == [("a.mp4", "squat", 5), ("e.mp4", None, 4)]
    assert len(problems) == 3 and all("counts.csv:" in x for x in problems)


def test_evaluate_yolo_end_to_end_with_fake_analyser(tmp_path: Path) -> None:
    """Known predictions in, known numbers out: accuracy, mAP, reps, and the files written."""
    root = tmp_path / "data"
    (root / "data.yaml").parent.mkdir(parents=True)
    (root / "data.yaml").write_text("names: [benchpress, pushup, shoulder_press, squat, deadlift, leg_ext]\n")
    truth = {}
    for i in range(6):
        demo.save(demo.scene(i, (200, 100)), root / "images" / "val" / f"im{i}.png")
        (root / "labels" / "val").mkdir(parents=True, exist_ok=True)
        cls = [3, 3, 4, 4, 0, 0][i]
        (root / "labels" / "val" / f"im{i}.txt").write_text(f"{cls} 0.5 0.5 0.4 0.6\n")
        truth[f"im{i}.png"] = cls
    (root / "images" / "val" / "bad.png").write_bytes(b"junk")
    (root / "labels" / "val" / "bad.txt").write_text("3 0.5 0.5 0.4 0.6\n")
    (root / "videos").mkdir()
    (root / "videos" / "v1.mp4").write_bytes(b"")
    (root / "videos" / "v2.mp4").write_bytes(b"")
    (root / "counts.csv").write_text("file,exercise,reps\nvideos/v1.mp4,squat,10\nvideos/v2.mp4,squat,5\n"
                                     "videos/missing.mp4,squat,3\n")
    preds = {"im0.png": "squat", "im1.png": "squat", "im2.png": "deadlift", "im3.png": "squat",
             "im4.png": "bench_press", "im5.png": "unknown"}

    def analyze(path: Path, exercise: str | None) -> AnalysisResult:
        if path.suffix == ".mp4":
            reps = {"v1.mp4": 11, "v2.mp4": 7}[path.name]
            return AnalysisResult(str(path), "video", "squat", 0.9, reps=reps)
        if path.name == "bad.png":
            return AnalysisResult.failure(str(path), "image", "cannot read image")
        label = preds[path.name]
        det = Detection((60.0, 20.0, 140.0, 80.0), label, 0.9)  # exactly the labelled box
        return AnalysisResult(str(path), "image", label, 0.9, [det], width=200, height=100)

    ds = read_dataset(root)
    rows, _ = read_counts(root / "counts.csv")
    r = evaluate_dataset(ds, analyze, counts=rows)
    assert r.classification.accuracy == pytest.approx(4 / 6)
    assert r.map_person.map50 == pytest.approx(1.0) and r.map_person.map50_95 == pytest.approx(1.0)
    # class-aware: squat AP 1 (2 TPs), deadlift AP 0.5 (1 of 2 found), bench_press AP 1 (1 of 1 ... of 2)
    assert r.map_class.per_class_ap50["squat"] == pytest.approx(1.0, abs=0.02)
    assert r.reps.n == 2 and r.reps.obo == pytest.approx(0.5)
    assert r.reps.mae == pytest.approx((0.1 + 0.4) / 2)
    assert any("bad.png" in p for p in r.problems) and any("missing.mp4" in p for p in r.problems)
    paths = write_report(r, tmp_path / "rep")
    assert paths["confusion"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = paths["html"].read_text()
    assert "mAP@50:95" in page and "data:image/png;base64" in page and "0.85" in page
    assert page.count("<figure>") == 2  # thumbnails of the two readable misclassified images
    data = json.loads(paths["json"].read_text())
    assert data["classification"]["accuracy"] == pytest.approx(4 / 6)
    assert data["accuracy_by_kind"]["image"] == {"n": 6, "top1": pytest.approx(4 / 6)}
    assert "Top-1 by camera view" in page
    assert data["reps"]["obo"] == pytest.approx(0.5)


@pytest.mark.slow
def test_evaluate_cli_with_the_real_pipeline(tmp_path: Path, astronaut, person_video) -> None:
    """Real pose model on copies of a real person photo with known boxes: files and numbers agree."""
    import shutil

    import cv2
    from typer.testing import CliRunner

    from gymvision.cli import app

    root = tmp_path / "data"
    (root / "data.yaml").parent.mkdir(parents=True)
    (root / "data.yaml").write_text("names: [benchpress, pushup, shoulder_press, squat, deadlift, leg_ext]\n")
    person = cv2.resize(astronaut, (200, 200))
    bx1, by1, bx2, by2 = (v * 200 / 512 for v in (20, 15, 365, 512))  # the woman, labelled by hand
    for i, (x0, cls) in enumerate([(40, 2), (300, 2), (180, 3)]):
        canvas = np.full((240, 560, 3), 210, np.uint8)
        canvas[20:220, x0:x0 + 200] = person
        demo.save(canvas, root / "images" / "val" / f"p{i}.png")
        (root / "labels" / "val").mkdir(parents=True, exist_ok=True)
        x1, y1, x2, y2 = x0 + bx1, 20 + by1, x0 + bx2, 20 + by2
        cx, cy, w, h = (x1 + x2) / 1120, (y1 + y2) / 480, (x2 - x1) / 560, (y2 - y1) / 240
        (root / "labels" / "val" / f"p{i}.txt").write_text(f"{cls} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n")
    (root / "images" / "val" / "broken.png").write_bytes(b"junk")
    (root / "videos").mkdir()
    shutil.copy(person_video, root / "videos" / "walk.mp4")  # a person moving, no exercise: 0 reps
    (root / "counts.csv").write_text("file,exercise,reps\nvideos/walk.mp4,squat,0\n")
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["evaluate", str(root), "--out", str(out), "--json", "--count-with-truth"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout.strip().splitlines()[-1])
    items = [i for i in data["items"] if i["error"] is None]
    assert len(items) == 3 and any("broken.png" in p for p in data["problems"])
    acc = np.mean([i["pred"] == i["truth"] for i in items])
    assert data["classification"]["accuracy"] == pytest.approx(acc)
    assert data["map_person"]["ground_truth"] == 3
    assert data["map_person"]["map50"] > 0.5  # the pose box of a fully visible person overlaps the label
    assert (out / "report.html").is_file() and (out / "confusion.png").is_file()
    counted = data["reps"]["rows"][0][2]
    assert data["reps"]["n"] == 1 and data["reps"]["obo"] == (1.0 if counted <= 1 else 0.0)
