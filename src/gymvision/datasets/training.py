"""Train the exercise recogniser on a user's labelled photos and videos (optionally + synthetic data).

Poses are extracted once (static mode for photos, tracking mode for videos at the analysis rate);
the validation part is the data set's own val/test split when it has one (``dataset split`` output),
else a grouped, stratified 80/20 split (frames of one video never straddle it). Training itself is
the recognition package's function on feature arrays, so the model file works everywhere
(``--model PATH`` / ``GYMVISION_RECOGNIZER_PATH``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..results import Pose
from .layout import Dataset
from .split import Item, SplitConfig, Tracker, assign, group_key, no_track

log = logging.getLogger(__name__)


@dataclass
class Clip:
    """One labelled example: a photo (one pose) or a video (a pose track)."""

    source: str
    kind: str
    label: str
    group: str
    times: list[float]
    poses: list[Pose | None]
    split: str = "train"


@dataclass
class Examples:
    clips: list[Clip] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.clips)

    def part(self, split: str) -> list[Clip]:
        return [c for c in self.clips if c.split == split]


def photo_pose(est: Any, rgb: np.ndarray, max_side: int) -> Pose | None:
    from ..media import resize_max_side

    h, w = rgb.shape[:2]
    small, scale = resize_max_side(rgb, max_side)
    pose = est.process(small)
    return pose.scaled(1.0 / scale, (w, h)) if pose is not None and scale != 1.0 else pose


def video_track(path: Path, settings: Any,
                max_seconds: float = 120.0) -> tuple[list[float], list[Pose | None]]:
    """Pose track of a video at ``settings.analysis_fps`` (tracking mode), at most ``max_seconds``."""
    from ..media import iter_frames, resize_max_side
    from ..pose import PoseEstimator

    times: list[float] = []
    poses: list[Pose | None] = []
    with PoseEstimator(settings.pose_model, static=False) as est:
        for vf in iter_frames(path, sample_fps=settings.analysis_fps):
            if vf.t > max_seconds:
                break
            assert vf.rgb is not None
            small, scale = resize_max_side(vf.rgb, settings.max_side)
            pose = est.process(small)
            if pose is not None and scale != 1.0:
                pose = pose.scaled(1.0 / scale, (vf.rgb.shape[1], vf.rgb.shape[0]))
            times.append(vf.t)
            poses.append(pose)
    return times, poses


class PoseCache:
    """Pose tracks on disk (``.npz``), keyed by file path, size, mtime and the pose settings.

    ``train --ablation`` followed by ``train`` then reads each file once. Never written into SRC.
    """

    def __init__(self, folder: Path, settings: Any) -> None:
        self.folder = folder
        self.tag = f"{settings.pose_model}|{settings.analysis_fps}|{settings.max_side}|" \
                   f"{settings.min_detection_confidence}"

    def _file(self, path: Path) -> Path:
        import hashlib

        st = path.stat()
        key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{self.tag}"
        return self.folder / f"{hashlib.sha1(key.encode()).hexdigest()}.npz"

    def get(self, path: Path) -> tuple[list[float], list[Pose | None]] | None:
        f = self._file(path)
        if not f.is_file():
            return None
        try:
            d = np.load(f)
            size = (int(d["size"][0]), int(d["size"][1]))
            poses = [Pose(d["xyz"][i], d["vis"][i], size) if d["ok"][i] else None for i in range(len(d["t"]))]
            return [float(t) for t in d["t"]], poses
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable pose cache %s: %s", f, exc)
            return None

    def put(self, path: Path, times: list[float], poses: list[Pose | None]) -> None:
        seen = next((p for p in poses if p is not None), None)
        if seen is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        xyz = np.stack([p.xyz if p is not None else np.zeros((33, 3), np.float32) for p in poses])
        vis = np.stack([p.visibility if p is not None else np.zeros(33, np.float32) for p in poses])
        tmp = self._file(path).with_suffix(".tmp.npz")
        np.savez_compressed(tmp, t=np.asarray(times), xyz=xyz, vis=vis,
                            ok=np.array([p is not None for p in poses]), size=np.array(seen.image_size))
        tmp.replace(self._file(path))


def extract_examples(ds: Dataset, settings: Any, *, track: Tracker = no_track,
                     val_share: float = 0.2, seed: int = 0, cache: Path | None = None) -> Examples:
    """Poses of every labelled file; files without a person or unreadable are reported and skipped."""
    from ..pose import PoseEstimator
    from .hashing import MediaError, load_rgb

    ex = Examples(problems=list(ds.problems))
    samples = ds.labelled
    store = PoseCache(cache, settings) if cache is not None else None
    with PoseEstimator(settings.pose_model, static=True,
                       min_detection_confidence=settings.min_detection_confidence) as est:
        for s in track(samples, "Extracting poses", len(samples)):
            assert s.label is not None
            try:
                cached = store.get(s.path) if store is not None else None
                if cached is not None:
                    times, poses = cached
                elif s.kind == "video":
                    times, poses = video_track(s.path, settings)
                else:
                    pose = photo_pose(est, load_rgb(s.path), settings.max_side)
                    times, poses = [0.0], [pose]
                if store is not None and cached is None:
                    store.put(s.path, times, poses)
            except (MediaError, OSError, ValueError) as exc:
                ex.problems.append(f"{s.path}: {exc}")
                continue
            if s.kind == "video" and sum(p is not None for p in poses) < 3:
                ex.problems.append(f"{s.path}: person found in fewer than 3 frames; skipped")
                continue
            if s.kind != "video" and poses[0] is None:
                ex.problems.append(f"{s.path}: no person found; skipped")
                continue
            ex.clips.append(Clip(str(s.path), s.kind, s.label, group_key(s.rel), times, poses,
                                 s.source_split or ""))
    assign_validation(ex.clips, val_share, seed)
    return ex


def assign_validation(clips: list[Clip], val_share: float = 0.2, seed: int = 0) -> None:
    """Use the data set's own split when present; else a grouped, stratified train/val split."""
    if any(c.split in ("val", "test") for c in clips) and any(c.split == "train" for c in clips):
        for c in clips:
            c.split = "val" if c.split in ("val", "test") else "train"
        return
    items = [Item(c.source, c.source, c.kind, c.label, c.group) for c in clips]
    assign(items, SplitConfig(ratios=(1 - val_share, val_share, 0.0), seed=seed))
    for c, it in zip(clips, items, strict=True):
        c.split = it.split or "train"


# ---------------------------------------------------------------- feature rows and fitting

@dataclass
class TrainConfig:
    """One training run: feature set, model type, synthetic share."""

    synthetic_share: float = 0.0      # share of synthetic rows in the training set, in [0, 1]
    features: str = "posture+motion"  # or "posture" (no window/motion model)
    model: str = "hgb"                # "hgb" (gradient boosting, as shipped) or "logreg"
    seed: int = 0
    frames_per_video: int = 24
    window_s: float = 4.0
    window_stride_s: float = 2.0
    max_synthetic_rows: int = 4000
    max_iter: int = 200               # boosting rounds (hgb)
    #: OpenMP threads for fitting; 1 avoids the heavy slow-down of spinning threads on a busy machine
    threads: int | None = 1


@dataclass
class Rows:
    x: np.ndarray
    y: np.ndarray
    xw: np.ndarray
    yw: np.ndarray


def clip_rows(clips: list[Clip], cfg: TrainConfig) -> Rows:
    """Frame rows (photos, and frames sampled from videos) and window rows (videos) with class indices."""
    from ..features import WINDOW_FEATURE_NAMES, poses_features, window_features
    from ..recognition import CLASSES

    xs, ys, xws, yws = [], [], [], []
    for c in clips:
        ci = CLASSES.index(c.label)
        idx = [i for i, p in enumerate(c.poses) if p is not None]
        feats = poses_features(c.poses)
        pick = idx if len(idx) <= cfg.frames_per_video else \
            [idx[int(k)] for k in np.linspace(0, len(idx) - 1, cfg.frames_per_video)]
        xs.append(feats[pick])
        ys += [ci] * len(pick)
        if c.kind != "video":
            continue
        t = np.asarray(c.times)
        starts = np.arange(t[0], max(t[0], t[-1] - cfg.window_s) + 1e-9, cfg.window_stride_s)
        for s in starts:
            w = np.flatnonzero((t >= s) & (t < s + cfg.window_s))
            if sum(c.poses[i] is not None for i in w) >= 8:
                xws.append(window_features([c.poses[i] for i in w], t[w], feats[w]))
                yws.append(ci)
    nf = len(WINDOW_FEATURE_NAMES)
    x = np.concatenate(xs).astype(np.float32) if xs else np.zeros((0, 0), np.float32)
    xw = np.asarray(xws, np.float32).reshape(-1, nf)
    return Rows(x, np.asarray(ys, np.int64), xw, np.asarray(yws, np.int64))


def synthetic_rows(n_rows: int, seed: int) -> Rows:
    """About ``n_rows`` synthetic frame rows (all classes, "other" included) and their window rows."""
    from ..recognition import CLASSES
    from ..recognition.training import TrainConfig as SynthConfig
    from ..recognition.training import synth_dataset
    from ..synth import VIEWS

    sc = SynthConfig(seed=seed)
    n_seq = max(2, int(np.ceil(n_rows / (sc.frames_per_seq * len(CLASSES)))))
    d = synth_dataset(n_seq, list(VIEWS), sc, seed + 7)
    return Rows(d.x_frame, d.y_frame, d.x_window, d.y_window)


def _model(kind: str, seed: int, max_iter: int = 200) -> Any:
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=0.1, max_leaf_nodes=31,
                                              l2_regularization=1.0, random_state=seed)
    if kind == "logreg":
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                             LogisticRegression(max_iter=2000, C=1.0))
    raise ValueError(f"unknown model type {kind!r}; choose hgb or logreg")


def mix(user: Rows, synth: Rows | None, share: float, seed: int) -> Rows:
    """User rows plus synthetic rows making up ``share`` of the total (share 1: synthetic only)."""
    if synth is None or share <= 0:
        return user
    rng = np.random.default_rng(seed)
    if share >= 1:
        return synth
    ratio = share / (1 - share)
    n = min(len(synth.y), round(ratio * max(1, len(user.y))))
    k = rng.choice(len(synth.y), size=n, replace=False)
    want_w = ratio * len(user.yw) if len(user.yw) else n * len(synth.yw) / max(1, len(synth.y))
    nw = min(len(synth.yw), round(want_w))
    kw = rng.choice(len(synth.yw), size=nw, replace=False)
    return Rows(np.concatenate([user.x, synth.x[k]]), np.concatenate([user.y, synth.y[k]]),
                np.concatenate([user.xw, synth.xw[kw]]), np.concatenate([user.yw, synth.yw[kw]]))


def fit(rows: Rows, cfg: TrainConfig, meta: dict[str, Any] | None = None) -> Any:
    """An :class:`~gymvision.recognition.ExerciseRecognizer` from rows."""
    from ..recognition import CLASSES, ExerciseRecognizer

    if len(set(rows.y.tolist())) < 2:
        raise ValueError("need examples of at least two classes to train")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(cfg.threads):
        frame = _model(cfg.model, cfg.seed, cfg.max_iter).fit(rows.x.astype(np.float64), rows.y)
        window = None
        if cfg.features == "posture+motion" and len(rows.yw) >= 20 and len(set(rows.yw.tolist())) >= 2:
            window = _model(cfg.model, cfg.seed + 1, cfg.max_iter).fit(rows.xw.astype(np.float64), rows.yw)
    rng = np.random.default_rng(cfg.seed)
    bg = rows.x[rng.choice(len(rows.x), size=min(64, len(rows.x)), replace=False)]
    return ExerciseRecognizer(frame, window, list(CLASSES), dict(meta or {}), bg)


def validate(rec: Any, clips: list[Clip]) -> dict[str, Any]:
    """Top-1 (most probable exercise) on held-out photos (one pose) and videos (pose track)."""
    from threadpoolctl import threadpool_limits

    right: dict[str, list[bool]] = {"image": [], "video": []}
    with threadpool_limits(1):
        for c in clips:
            video = c.kind == "video"
            probs = rec.predict_window(c.poses, c.times) if video else rec.predict_pose(c.poses[0])
            right[c.kind].append(max(probs, key=probs.__getitem__) == c.label)
    allr = right["image"] + right["video"]
    mean = lambda v: float(np.mean(v)) if v else None  # noqa: E731
    return {"val": len(allr), "val_accuracy": mean(allr) or 0.0, "val_photos": mean(right["image"]),
            "val_videos": mean(right["video"])}


def train_and_save(examples: Examples, cfg: TrainConfig, out: Path,
                   synth: Rows | None = None) -> dict[str, Any]:
    """Train on the train part (+ synthetic share), score on the val part, save to ``out``."""
    import time

    t0 = time.perf_counter()
    train, val = examples.part("train"), examples.part("val")
    user = clip_rows(train, cfg)
    if cfg.synthetic_share > 0 and synth is None:
        n = min(cfg.max_synthetic_rows, int(np.ceil(cfg.synthetic_share / max(1e-6, 1 - cfg.synthetic_share)
                                                     * max(1, len(user.y)))))
        synth = synthetic_rows(n, cfg.seed)
    rows = mix(user, synth, cfg.synthetic_share, cfg.seed)
    meta = {"trained_on": "user data", "config": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__}}
    rec = fit(rows, cfg, meta)
    result = {"train": len(train), "train_rows": len(rows.y), "train_windows": len(rows.yw),
              **validate(rec, val)}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    rec.save(out, {"validation": result})
    return result


def run_ablation(examples: Examples, base: TrainConfig, *, features: tuple[str, ...] = ("posture",
                 "posture+motion"), models: tuple[str, ...] = ("hgb", "logreg"),
                 shares: tuple[float, ...] = (0.0, 0.5), track: Tracker = no_track) -> list[dict[str, Any]]:
    """Train every combination on the train part and score on the val part; rows for a table."""
    import itertools
    import time

    train, val = examples.part("train"), examples.part("val")
    user = clip_rows(train, base)
    synth = None
    if max(shares) > 0:
        s = max(x for x in shares if x < 1) if any(0 < x < 1 for x in shares) else 0.5
        synth = synthetic_rows(min(base.max_synthetic_rows, int(np.ceil(s / (1 - s) * max(1, len(user.y))))),
                               base.seed)
    rows_out = []
    grid = list(itertools.product(features, models, shares))
    for feat, model, share in track(grid, "Ablation", len(grid)):
        cfg = TrainConfig(**{**base.__dict__, "features": feat, "model": model, "synthetic_share": share})
        t0 = time.perf_counter()
        try:
            rec = fit(mix(user, synth, share, cfg.seed), cfg)
            v = validate(rec, val)
        except ValueError as exc:
            log.warning("ablation %s/%s/%s failed: %s", feat, model, share, exc)
            v = {"val": len(val), "val_accuracy": float("nan"), "val_photos": None, "val_videos": None}
        rows_out.append({"features": feat, "model": model, "synthetic": share, **v,
                         "seconds": round(time.perf_counter() - t0, 1)})
    return rows_out
