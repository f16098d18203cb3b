"""Data-set readers, split (dedupe, leak guard, stratification, pools) on generated data."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from gymvision.datasets import demo
from gymvision.datasets.layout import DatasetError, read_dataset
from gymvision.datasets.split import (
    SplitConfig,
    existing_items,
    find_leaks,
    group_key,
    load_manifest,
    plan_split,
    write_split,
)
from gymvision.datasets.views import estimate_view
from gymvision.exercises import EXERCISES
from gymvision.landmarks import L
from gymvision.results import Pose

DUP_KINDS = ("copy", "jpeg", "small", "flip", "bright", "crop")


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def folder_ds(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    """Class folders with planted duplicates, video frames, same stems, a video and bad files.

    Returns the root and ``planted``: original rel path -> its planted near-copies.
    """
    root = tmp_path / "src"
    seed = 0
    planted: dict[str, list[str]] = {}
    for c in EXERCISES:
        for i in range(8):
            seed += 1
            demo.save(demo.scene(seed), root / c / f"{c}_{i}.png")
    for k, c in enumerate(EXERCISES):  # one planted duplicate of each kind, one per class
        kind = DUP_KINDS[k]
        orig = f"{c}/{c}_0.png"
        from PIL import Image

        rgb = np.asarray(Image.open(root / orig).convert("RGB"))
        name = f"{c}/copy_{kind}.{'jpg' if kind == 'jpeg' else 'png'}"
        demo.save(demo.near_copies(rgb)[kind], root / name)
        planted[orig] = [name]
    for f in range(6):  # frames of one video, and the video itself
        seed += 1
        demo.save(demo.scene(seed), root / "squat" / f"clipA_frame{f:04d}.png")
    demo.write_video(root / "squat" / "clipA.mp4", [demo.scene(900 + i, (96, 64)) for i in range(5)])
    for ext in ("png", "jpg"):  # same stem, different images
        seed += 1
        demo.save(demo.scene(seed), root / "deadlift" / f"foo.{ext}")
    (root / "squat" / "broken.jpg").write_bytes(b"not an image at all")
    demo.save(demo.scene(999), root / "stretching" / "x.png")
    return root, planted


def test_group_key_variants() -> None:
    assert group_key("squat/clipA_frame0003.png") == "clipa"
    assert group_key("squat/clipA.mp4") == "clipa"
    assert group_key("train/images/clip_mp4-0012_jpg.rf.0a1b2c3d.jpg") == "clip"
    assert group_key("x/myvid/000123.jpg") == "myvid"
    assert group_key("x/IMG_1234.jpg") == "img_1234"  # phone photos are not frames
    assert group_key("x/out_000123.jpg") == "out"


def test_read_folders_reports_bad_input(folder_ds: tuple[Path, dict[str, list[str]]]) -> None:
    root, _ = folder_ds
    ds = read_dataset(root)
    assert ds.layout == "folders"
    assert set(ds.classes()) == set(EXERCISES)
    assert any("stretching" in p and "not an exercise" in p for p in ds.problems)
    assert any(s.kind == "video" for s in ds.samples)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no images or videos"):
        read_dataset(tmp_path)


def test_split_catches_planted_duplicates_and_never_leaks(folder_ds, tmp_path: Path) -> None:
    root, planted = folder_ds
    before = tree_digest(root)
    cfg = SplitConfig(seed=3)
    ds = read_dataset(root)
    plan = plan_split(ds, cfg)
    kept = {i.rel for i in plan.items}
    for orig, copies in planted.items():  # exactly one of each planted cluster survives
        assert len({orig, *copies} & kept) == 1, (orig, copies)
    dropped = {d.dropped for d in plan.duplicates}
    assert len(dropped) == 6 and dropped <= {c for o, cs in planted.items() for c in (o, *cs)}
    assert any("broken.jpg" in p for p in plan.problems)
    # leak guard: clip frames + the video in one split, foo.png/foo.jpg in one split
    splits_of = defaultdict(set)
    for it in plan.items:
        splits_of[it.group].add(it.split)
    assert len(splits_of["clipa"]) == 1 and len(splits_of["foo"]) == 1
    assert sum(1 for i in plan.items if i.group == "clipa") == 7
    assert find_leaks(plan.items, cfg.hash_threshold) == []
    totals = Counter(i.split for i in plan.items)
    n = len(plan.items)
    assert abs(totals["train"] / n - 0.7) < 0.1 and abs(totals["val"] / n - 0.2) < 0.1
    assert totals["test"] > 0
    for c in EXERCISES:  # every class reaches every split
        assert {i.split for i in plan.items if i.label == c} == {"train", "val", "test"}, c

    dst = tmp_path / "out"
    report = write_split(plan, ds, dst, cfg)
    assert tree_digest(root) == before  # SRC untouched
    assert report["duplicates_dropped"] == 6 and report["leaks_remaining"] == []
    assert report["leaks_prevented"] >= 7
    for it in plan.items:
        assert (dst / it.out).is_file() and it.out.startswith(f"{it.split}/{it.label}/")
    assert (dst / "split_report.html").read_text().count("<table>") >= 2


def test_split_is_deterministic_and_seed_dependent(folder_ds) -> None:
    root, _ = folder_ds
    ds = read_dataset(root)
    a = {i.rel: i.split for i in plan_split(ds, SplitConfig(seed=1)).items}
    b = {i.rel: i.split for i in plan_split(ds, SplitConfig(seed=1)).items}
    c = {i.rel: i.split for i in plan_split(ds, SplitConfig(seed=2)).items}
    assert a == b and a != c


def test_split_stratifies_by_view(tmp_path: Path) -> None:
    root = tmp_path / "src"
    for i in range(40):
        demo.save(demo.scene(i), root / "squat" / f"s{i}.png")

    def view_fn(rgb: np.ndarray) -> str:  # stand-in for the pose-based estimate
        return "side-upright" if rgb.mean() > 120 else "front-upright"

    plan = plan_split(read_dataset(root), SplitConfig(ratios=(0.5, 0.5, 0.0)), view_fn=view_fn)
    per = Counter((i.view, i.split) for i in plan.items)
    for view in ("side-upright", "front-upright"):
        assert abs(per[(view, "train")] - per[(view, "val")]) <= 1, per
    assert per[("side-upright", "test")] == 0


def test_pool_adds_without_touching_existing_splits(folder_ds, tmp_path: Path) -> None:
    root, _ = folder_ds
    cfg = SplitConfig(seed=0)
    ds = read_dataset(root)
    dst = tmp_path / "out"
    plan = plan_split(ds, cfg)
    write_split(plan, ds, dst, cfg)
    first = {i["out"]: i["split"] for i in load_manifest(dst)["items"]}
    digests = tree_digest(dst)
    clip_split = next(i.split for i in plan.items if i.group == "clipa")

    pool = tmp_path / "pool"
    for i in range(12):
        demo.save(demo.scene(5000 + i), pool / "bench_press" / f"new_{i}.png")
    demo.save(demo.scene(5100), pool / "squat" / "clipA_frame0100.png")  # frame of a split video
    from PIL import Image

    rgb = np.asarray(Image.open(root / "push_up" / "push_up_3.png").convert("RGB"))
    demo.save(demo.near_copies(rgb)["jpeg"], pool / "push_up" / "again.jpg")

    manifest = load_manifest(dst)
    plan2 = plan_split(read_dataset(pool), cfg, existing=existing_items(manifest))
    report = write_split(plan2, read_dataset(pool), dst, cfg)
    after = {i["out"]: i["split"] for i in load_manifest(dst)["items"]}
    assert all(after[o] == s for o, s in first.items())  # existing placements unchanged
    assert all(tree_digest(dst)[p] == d for p, d in digests.items() if p.startswith(("train", "val", "test")))
    assert [d["dropped"] for d in report["duplicates"]] == ["push_up/again.jpg"]
    assert report["pinned_to_existing_split"] and clip_split in report["pinned_to_existing_split"][0]
    assert next(s for o, s in after.items() if o.endswith("clipA_frame0100.png")) == clip_split
    assert report["added"] == 13 and report["leaks_remaining"] == []
    assert {s for o, s in after.items() if "new_" in o} >= {"train", "val"}


def _write_yolo(root: Path) -> None:
    (root / "data.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text("names: [benchpress, pushup, shoulder_press, squat, deadlift, leg_ext]\n")
    for i in range(12):
        img = root / "images" / "train" / f"im{i}.png"
        demo.save(demo.scene(100 + i, (200, 100)), img)
        lab = root / "labels" / "train" / f"im{i}.txt"
        lab.parent.mkdir(parents=True, exist_ok=True)
        lab.write_text(f"{i % 6} 0.5 0.5 0.4 0.6\n")
    (root / "labels" / "train" / "im0.txt").write_text("0 0.5 0.5 0.4 0.6\n9 0.5 0.5 0.1 0.1\nfoo bar\n")
    (root / "labels" / "train" / "im1.txt").write_text("1 0.5 0.5 0.4 0.6\n5 0.1 0.1 0.05 0.05\n")
    (root / "labels" / "train" / "im2.txt").unlink()  # image without a label file
    (root / "labels" / "train" / "im3.txt").write_text("")  # background image
    (root / "labels" / "train" / "im4.txt").write_text("3 0.5 0.5 1.7 0.2\n")  # out of range


def test_read_yolo_maps_original_names_and_reports_bad_labels(tmp_path: Path) -> None:
    root = tmp_path / "yolo"
    _write_yolo(root)
    ds = read_dataset(root)
    assert ds.layout == "yolo" and ds.names == list(EXERCISES)
    by = {s.rel: s for s in ds.samples}
    assert by["images/train/im0.png"].label == "bench_press"
    assert by["images/train/im1.png"].label == "push_up" and len(by["images/train/im1.png"].boxes) == 2
    assert by["images/train/im5.png"].label == "leg_extension"
    assert by["images/train/im2.png"].label is None and by["images/train/im3.png"].label is None
    text = "\n".join(ds.problems)
    assert "im0.txt:2: class id 9 out of range" in text and "im0.txt:3: not numbers" in text
    assert "im2.png: no label file" in text and "im4.txt:1: box outside" in text
    assert by["images/train/im0.png"].boxes[0].xyxy(200, 100) == pytest.approx((60, 20, 140, 80))


def test_split_yolo_writes_yolo_with_our_class_ids(tmp_path: Path) -> None:
    root = tmp_path / "yolo"
    _write_yolo(root)
    before = tree_digest(root)
    ds = read_dataset(root)
    cfg = SplitConfig(seed=0)
    plan = plan_split(ds, cfg)
    dst = tmp_path / "out"
    write_split(plan, ds, dst, cfg)
    assert tree_digest(root) == before
    rels = {i.rel for i in plan.items}
    assert "images/train/im2.png" not in rels and "images/train/im3.png" in rels  # background kept
    data = (dst / "data.yaml").read_text()
    assert "bench_press" in data and "val: images/val" in data
    it = next(i for i in plan.items if i.rel.endswith("im5.png"))
    lab = dst / it.out.replace("images/", "labels/", 1).rsplit(".", 1)[0]
    assert Path(f"{lab}.txt").read_text().split()[0] == str(EXERCISES.index("leg_extension"))
    assert json.loads((dst / "split_report.json").read_text())["leaks_remaining"] == []


def _pose(points: dict[int, tuple[float, float]]) -> Pose:
    xyz = np.zeros((33, 3), np.float32)
    vis = np.zeros(33, np.float32)
    for k, (x, y) in points.items():
        xyz[k, :2] = (x, y)
        vis[k] = 1.0
    return Pose(xyz, vis, (640, 480))


def test_estimate_view_front_back_side_lying() -> None:
    front = {L.LEFT_SHOULDER: (360, 100), L.RIGHT_SHOULDER: (280, 100),
             L.LEFT_HIP: (345, 250), L.RIGHT_HIP: (295, 250)}
    assert estimate_view(_pose(front)) == "front-upright"
    back = {k: (640 - x, y) for k, (x, y) in front.items()}
    assert estimate_view(_pose(back)) == "back-upright"
    side = {L.LEFT_SHOULDER: (322, 100), L.RIGHT_SHOULDER: (318, 102),
            L.LEFT_HIP: (330, 250), L.RIGHT_HIP: (326, 252)}
    assert estimate_view(_pose(side)) == "side-upright"
    lying = {k: (y + 100, 300 + (x - 320) * 0.1) for k, (x, y) in side.items()}
    assert estimate_view(_pose(lying)) == "side-lying"
    assert estimate_view(None) == "unknown"


def test_cli_split_end_to_end_and_pool(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gymvision.cli import app

    src = tmp_path / "src"
    for i in range(10):
        demo.save(demo.scene(i), src / "squat" / f"s{i}.png")
        demo.save(demo.scene(100 + i), src / "Deadlift" / f"d{i}.png")
    demo.save(demo.scene(3)[:, ::-1].copy(), src / "squat" / "s3_mirror.png")
    dst = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(app, ["dataset", "split", str(src), str(dst), "--no-views", "--json", "--seed", "1"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["duplicates_dropped"] == 1 and report["leaks_remaining"] == []
    assert sum(report["totals"].values()) == 20
    assert (dst / "train" / "deadlift").is_dir()  # original folder name normalised
    again = runner.invoke(app, ["dataset", "split", str(src), str(dst), "--no-views"])
    assert again.exit_code == 2 and "--pool" in again.output
    pool = tmp_path / "pool"
    for i in range(4):
        demo.save(demo.scene(200 + i), pool / "squat" / f"p{i}.png")
    res = runner.invoke(app, ["dataset", "split", str(pool), str(dst), "--pool", "--no-views", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["added"] == 4
    inside = runner.invoke(app, ["dataset", "split", str(src), str(src / "x"), "--no-views"])
    assert inside.exit_code == 2 and "inside" in inside.output


def test_autolabel_with_known_predictions(tmp_path: Path) -> None:
    from gymvision.datasets.autolabel import autolabel
    from gymvision.results import AnalysisResult, Detection

    src = tmp_path / "src"
    for i in range(4):
        demo.save(demo.scene(i, (200, 100)), src / f"im{i}.png")
    (src / "broken.jpg").write_bytes(b"nope")
    demo.write_video(src / "clip.mp4", [demo.scene(50 + i, (96, 64)) for i in range(10)], fps=10.0)
    before = tree_digest(src)
    answers = {"im0.png": ("squat", 0.95), "im1.png": ("deadlift", 0.5), "im2.png": ("unknown", 0.3),
               "im3.png": None}

    def analyze_image(rgb: np.ndarray, name: str) -> AnalysisResult:
        a = answers.get(name, ("squat", 0.9))  # video frames: "clip.mp4#t=..."
        if a is None:
            return AnalysisResult(name, "image", width=200, height=100)
        det = Detection((20.0, 10.0, 120.0, 90.0), a[0], a[1])
        return AnalysisResult(name, "image", a[0], a[1], [det], probabilities={"squat": 0.3, "push_up": 0.2},
                              width=200, height=100)

    dst = tmp_path / "out"
    s = autolabel(src, dst, analyze_image, threshold=0.7, video_fps=4.0)
    assert tree_digest(src) == before
    assert (s["labelled"], s["review"], s["no_person"], s["error"]) == (5, 2, 1, 1)
    frames = sorted(p.name for p in (dst / "images").glob("clip_frame*.jpg"))
    assert len(frames) == 4 and {group_key(f) for f in frames} == {"clip"}  # split keeps them together
    assert all((dst / "labels" / f"{Path(f).stem}.txt").read_text().startswith("3 ") for f in frames)
    assert (dst / "labels" / "im0.txt").read_text().strip() == \
        f"{EXERCISES.index('squat')} 0.350000 0.500000 0.500000 0.800000"
    assert (dst / "review" / "labels" / "im1.txt").read_text().startswith(str(EXERCISES.index("deadlift")))
    assert (dst / "review" / "labels" / "im2.txt").read_text().startswith(str(EXERCISES.index("squat")))
    sheet = (dst / "review.html").read_text()
    assert sheet.count("<figure>") == 3 and sheet.index("im2.png") < sheet.index("im1.png")
    assert "names" in (dst / "data.yaml").read_text()


def _synth_examples(n_per_class: int = 4, seed: int = 0):
    """Labelled 'videos' (pose tracks) and 'photos' (one pose) from the synthetic motion generator."""
    from gymvision.datasets.training import Clip, Examples, assign_validation
    from gymvision.synth import VIEWS, generate_sequence

    clips = []
    for k, ex in enumerate(EXERCISES):
        for i in range(n_per_class):
            seq = generate_sequence(ex, n_reps=2, fps=10.0, seed=seed + 100 * k + i, view=VIEWS[(i + k) % 9],
                                    idle_before_s=0.3, idle_after_s=0.3)
            clips.append(Clip(f"{ex}{i}.mp4", "video", ex, f"{ex}{i}", list(seq.times), list(seq.poses)))
            mid = next(p for p in seq.poses[len(seq.poses) // 3:] if p is not None)
            clips.append(Clip(f"{ex}{i}p.jpg", "image", ex, f"{ex}{i}p", [0.0], [mid]))
    assign_validation(clips, 0.25, seed)
    return Examples(clips)


def test_train_on_own_data_saves_a_model_every_command_can_load(tmp_path: Path) -> None:
    from gymvision.datasets.training import TrainConfig, train_and_save
    from gymvision.recognition import ExerciseRecognizer

    ex = _synth_examples()
    val = ex.part("val")
    assert val and ex.part("train") and {c.split for c in ex.clips} == {"train", "val"}
    groups = defaultdict(set)
    for c in ex.clips:
        groups[c.group].add(c.split)
    assert all(len(s) == 1 for s in groups.values())
    out = tmp_path / "mine.joblib"
    res = train_and_save(ex, TrainConfig(seed=0, max_iter=60), out)
    assert res["val"] == len(val) and res["val_accuracy"] >= 0.6, res
    assert res["train_windows"] > 0
    rec = ExerciseRecognizer.load(out)
    assert rec.window_model is not None and rec.meta["validation"]["val"] == len(val)
    c = next(c for c in val if c.kind == "video")
    assert set(rec.predict_window(c.poses, c.times)) == set(EXERCISES)


def test_pose_cache_round_trip(tmp_path: Path) -> None:
    from gymvision.datasets.training import PoseCache
    from gymvision.settings import Settings

    f = tmp_path / "v.mp4"
    f.write_bytes(b"x")
    pose = Pose(np.arange(99, dtype=np.float32).reshape(33, 3), np.full(33, 0.5), (640, 480))
    c = PoseCache(tmp_path / "c", Settings())
    assert c.get(f) is None
    c.put(f, [0.0, 0.1], [pose, None])
    times, poses = c.get(f)
    assert times == [0.0, 0.1] and poses[1] is None and poses[0].image_size == (640, 480)
    assert np.allclose(poses[0].xyz, pose.xyz) and np.allclose(poses[0].visibility, 0.5)
    assert PoseCache(tmp_path / "c", Settings(pose_model="lite")).get(f) is None  # other settings
    f.write_bytes(b"changed")
    assert c.get(f) is None


def test_ablation_grid_rows(tmp_path: Path) -> None:
    from gymvision.datasets.training import TrainConfig, run_ablation

    cfg = TrainConfig(max_synthetic_rows=300, max_iter=40)
    rows = run_ablation(_synth_examples(3, seed=5), cfg, features=("posture",), models=("hgb", "logreg"),
                        shares=(0.0, 0.5))
    assert [(r["model"], r["synthetic"]) for r in rows] == [("hgb", 0.0), ("hgb", 0.5), ("logreg", 0.0),
                                                             ("logreg", 0.5)]
    assert all(0.0 <= r["val_accuracy"] <= 1.0 and r["val"] > 0 for r in rows)


def _composite(person: np.ndarray, x0: int, flip: bool = False) -> np.ndarray:
    import cv2

    p = cv2.resize(person, (220, 220))
    canvas = np.full((260, 520, 3), 200, np.uint8)
    canvas[20:240, x0:x0 + 220] = p[:, ::-1] if flip else p
    return canvas


@pytest.mark.slow
def test_cli_train_then_use_the_model_everywhere(tmp_path: Path, astronaut, person_video) -> None:
    """Real pose extraction on photos and a video, training, and the model used by analyze/evaluate."""
    import shutil

    from typer.testing import CliRunner

    from gymvision.cli import app

    data = tmp_path / "mine"
    for i, x0 in enumerate((10, 150, 290)):
        demo.save(_composite(astronaut, x0), data / "squat" / f"a{i}.png")
        demo.save(_composite(astronaut, x0, flip=True), data / "shoulder_press" / f"b{i}.png")
    shutil.copy(person_video, data / "squat" / "clip.mp4")
    (data / "squat" / "broken.png").write_bytes(b"no")
    before = tree_digest(data)
    out = tmp_path / "model.joblib"
    runner = CliRunner()
    cache = tmp_path / "cache"
    res = runner.invoke(app, ["train", str(data), "--out", str(out), "--json", "--pose-model", "lite",
                              "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout.strip().splitlines()[-1])
    assert info["train"] + info["val"] == 7 and info["train_windows"] >= 0
    assert out.is_file() and tree_digest(data) == before
    assert len(list(cache.glob("*.npz"))) == 7  # one pose file per readable input
    res = runner.invoke(app, ["train", str(data), "--ablation", "--json", "--pose-model", "lite",
                              "--cache", str(cache)])  # poses from the cache this time
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout.strip().splitlines()[-1])
    assert len(rows) == 8 and {r["model"] for r in rows} == {"hgb", "logreg"}
    res = runner.invoke(app, ["analyze", str(data / "squat" / "a0.png"), "--json", "--model", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["exercise"] in (*EXERCISES, "unknown")
    res = runner.invoke(app, ["evaluate", str(data), "--model", str(out), "--out", str(tmp_path / "ev")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "ev" / "report.html").is_file()
    res = runner.invoke(app, ["train", str(tmp_path / "nothing"), "--out", str(out)])
    assert res.exit_code == 2 and "nothing" in res.output


@pytest.mark.slow
def test_cli_autolabel_with_the_real_pipeline(tmp_path: Path, astronaut) -> None:
    from typer.testing import CliRunner

    from gymvision.cli import app

    src = tmp_path / "raw"
    demo.save(_composite(astronaut, 40), src / "p1.png")
    demo.save(_composite(astronaut, 250), src / "p2.png")
    demo.save(demo.scene(1), src / "empty.png")
    dst = tmp_path / "labelled"
    res = CliRunner().invoke(app, ["dataset", "autolabel", str(src), str(dst), "--threshold", "0.0"])
    assert res.exit_code == 0, res.output
    s = json.loads((dst / "autolabel.json").read_text())
    assert (s["labelled"], s["no_person"]) == (2, 1)
    for name in ("p1", "p2"):
        cid, _, _, w, h = (dst / "labels" / f"{name}.txt").read_text().split()
        assert EXERCISES[int(cid)] and 0.1 < float(w) < 0.6 and 0.5 < float(h) <= 1.0
    assert "empty.png" in (dst / "review.html").read_text()


def test_bad_data_sets_give_clear_messages(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gymvision.cli import app

    bad = tmp_path / "bad"
    (bad / "images").mkdir(parents=True)
    (bad / "labels").mkdir()
    (bad / "data.yaml").write_text("names: [unclosed\n")
    with pytest.raises(DatasetError, match=r"data\.yaml"):
        read_dataset(bad)
    (bad / "data.yaml").write_text("nc: 2\n")
    with pytest.raises(DatasetError, match="no 'names'"):
        read_dataset(bad)
    (bad / "data.yaml").write_text("names: {0: squat, 1: person}\n")
    demo.save(demo.scene(1), bad / "images" / "a.png")
    (bad / "labels" / "a.txt").write_bytes(b"\xff\xfe\x00binary")
    ds = read_dataset(bad)
    assert any("class 1 'person' is not an exercise" in p for p in ds.problems)
    assert any("a.txt: cannot read label file" in p for p in ds.problems)
    runner = CliRunner()
    for cmd in (["dataset", "split", str(tmp_path / "missing"), str(tmp_path / "o1")],
                ["dataset", "split", str(tmp_path / "empty"), str(tmp_path / "o2")],
                ["evaluate", str(tmp_path / "missing")], ["explain", str(tmp_path / "missing.png")]):
        (tmp_path / "empty").mkdir(exist_ok=True)
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2 and "error" in res.output, (cmd, res.output)


def test_near_duplicate_videos_are_grouped_not_dropped(tmp_path: Path) -> None:
    root = tmp_path / "src"
    frames = [demo.scene(700 + i, (96, 64)) for i in range(5)]
    demo.write_video(root / "squat" / "set1.mp4", frames)
    demo.write_video(root / "squat" / "set2.mp4", [demo.jpeg_roundtrip(f, 60) for f in frames])
    demo.save(frames[2], root / "squat" / "still.png")  # the middle frame as a photo
    for i in range(12):
        demo.save(demo.scene(800 + i), root / "squat" / f"s{i}.png")
    cfg = SplitConfig(seed=0, ratios=(0.5, 0.5, 0.0))
    plan = plan_split(read_dataset(root), cfg)
    rels = {i.rel: i for i in plan.items}
    assert {"squat/set1.mp4", "squat/set2.mp4", "squat/still.png"} <= set(rels)
    assert len({rels[r].split for r in ("squat/set1.mp4", "squat/set2.mp4", "squat/still.png")}) == 1
    assert [d.action for d in plan.duplicates] == ["grouped", "grouped"]
    assert find_leaks(plan.items, cfg.hash_threshold) == []


def test_hamming_matrix_matches_python_bit_counts() -> None:
    from gymvision.datasets.hashing import hamming_matrix

    rng = np.random.default_rng(3)
    v = rng.integers(0, 2**63, 60, dtype=np.int64).astype(np.uint64) | np.uint64(1 << 63)
    ref = np.array([[bin(int(a) ^ int(b)).count("1") for b in v] for a in v])
    assert (hamming_matrix(v, v) == ref).all()


def test_near_duplicates_with_different_labels_are_kept_together_and_reported(tmp_path: Path) -> None:
    root = tmp_path / "src"
    img = demo.scene(4242)
    demo.save(img, root / "squat" / "a.png")
    demo.save(demo.near_copies(img)["small"], root / "deadlift" / "b.png")  # same picture, other label
    demo.save(demo.near_copies(img)["jpeg"], root / "squat" / "c.jpg")  # a plain duplicate
    for i in range(10):
        demo.save(demo.scene(4300 + i), root / "deadlift" / f"d{i}.png")
    cfg = SplitConfig(seed=1)
    plan = plan_split(read_dataset(root), cfg)
    by = {d.dropped: d for d in plan.duplicates}
    assert by["deadlift/b.png"].action == "conflict" and by["squat/c.jpg"].action == "dropped"
    rels = {i.rel: i for i in plan.items}
    assert "squat/c.jpg" not in rels and rels["deadlift/b.png"].split == rels["squat/a.png"].split
    report = write_split(plan, read_dataset(root), tmp_path / "out", cfg)
    assert [d["dropped"] for d in report["label_conflicts"]] == ["deadlift/b.png"]
    assert report["duplicates_dropped"] == 1 and report["leaks_remaining"] == []
