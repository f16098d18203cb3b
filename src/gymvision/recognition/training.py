"""Training the recogniser: a synthetic data set from :mod:`gymvision.synth`, model fitting, metrics.

Everything is seeded, so ``gymvision train-recognizer`` rebuilds the shipped model bit for bit on the
same library versions. :func:`train_from_arrays` is the entry point for other training code (users'
own photos and videos): it takes feature rows and labels and returns an :class:`ExerciseRecognizer`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from ..exercises import EXERCISES
from ..features import FEATURE_NAMES, WINDOW_FEATURE_NAMES, poses_features, window_features
from ..landmarks import LEFT_LEG, RIGHT_LEG, L
from ..results import Pose
from ..synth import VIEWS, generate_idle, generate_sequence
from ..synth.exercises import MOTIONS
from .model import CLASSES, OTHER, ExerciseRecognizer, fit_temperature

log = logging.getLogger(__name__)

#: Non-exercise activities used as the "other" class (rerack is left out: it looks like the exercise).
OTHER_KINDS: tuple[str, ...] = ("standing", "walking", "sitting", "lying", "stretching", "setup")
#: How often each appears: standing around between sets is by far the most common non-exercise pose.
OTHER_WEIGHTS: tuple[float, ...] = (0.32, 0.14, 0.14, 0.1, 0.15, 0.15)
#: Camera views kept out of training to measure generalisation to unseen angles.
HOLDOUT_VIEWS: tuple[str, ...] = ("side_right", "back_diag", "foot_end")
_IMAGE_SIZES = ((1280, 720), (720, 1280), (1920, 1080), (1080, 1920), (640, 480), (480, 640))

Progress = Callable[[str, float], None]


@dataclass
class TrainConfig:
    """What to generate and how to fit (defaults rebuild the shipped model in about a minute)."""

    samples: int = 24000  # per-frame rows in the training set (all classes together)
    seed: int = 0
    frames_per_seq: int = 12
    #: Sampling weight of frames inside reps against the rests and lead-in/out (1 = uniform in time).
    inrep_weight: float = 3.0
    windows_per_seq: int = 2
    fps: float = 15.0
    holdout_views: tuple[str, ...] = HOLDOUT_VIEWS
    val_seqs_per_class: int = 30
    max_iter: int = 250
    window_max_iter: int = 200
    learning_rate: float = 0.1
    max_leaf_nodes: int = 31
    l2: float = 1.0
    threads: int = 1
    #: Share of an upright "top of the rep" frame (squat standing tall, deadlift lockout) given to
    #: ``other``: those postures are the same as standing around, so one photo of them should not
    #: name the exercise with confidence (0 = hard labels).
    top_other: float = 0.4
    #: Share of the same upright frames given to the exercise whose top looks the same (a squat
    #: with the hands at the head or overhead and a standing press; a squat with the arms hanging
    #: and a deadlift lockout): one photo cannot tell them apart, so neither should be named.
    top_twin: float = 0.15
    #: Share of ``squat`` on every other frame of a standing press: the legs are straight and the
    #: hands up, which is also the top of a squat with a bar on the back or the front, the hands at
    #: the head or overhead; only the motion (the window model) tells the press.
    press_twin: float = 0.3
    #: Share of sequences whose hidden leg is drawn onto the visible one in near-profile frames, as
    #: BlazePose does on real side views (synthetic noise keeps the far leg where it truly is).
    collapse: float = 0.5
    #: Apply the temperatures fitted on the held-out views. Off: on the real ML Kit rows the fitted
    #: frame temperature (1.7) turned correct answers into "unknown" without removing wrong ones.
    calibrate: bool = False


@dataclass
class SynthData:
    """Feature rows and labels (class indices into :data:`CLASSES`) with their provenance."""

    x_frame: np.ndarray
    y_frame: np.ndarray
    view_frame: list[str]
    x_window: np.ndarray
    y_window: np.ndarray
    view_window: list[str]
    kinds: list[str] = field(default_factory=list)
    w_frame: np.ndarray | None = None  # per-row sample weights (None: all 1)
    #: Per frame row: is it an upright top-of-rep frame, and the class index of the exercise whose
    #: posture looks the same (-1: none, see :func:`_twin`). Used by :func:`soften`.
    upright: np.ndarray | None = None
    twin: np.ndarray | None = None


def _sequence(label: str, rng: np.random.Generator, seed: int, view: str, fps: float) -> Any:
    size = _IMAGE_SIZES[int(rng.integers(len(_IMAGE_SIZES)))]
    noise = float(rng.uniform(0.3, 1.6))
    occlusion = 0.0 if rng.uniform() < 0.15 else float(rng.uniform(0.6, 1.0))
    if label == OTHER:
        kind = str(rng.choice(OTHER_KINDS, p=np.asarray(OTHER_WEIGHTS) / sum(OTHER_WEIGHTS)))
        return generate_idle(kind, duration_s=float(rng.uniform(5, 8)), fps=fps, seed=seed, view=view,
                             image_size=size, noise=noise, occlusion=occlusion)
    faults = MOTIONS[label].faults
    chosen = [f for f in faults if rng.uniform() < 0.2]
    return generate_sequence(label, n_reps=int(rng.integers(2, 4)), fps=fps, seed=seed, view=view,
                             pause_bottom_s=float(rng.choice([0.0, 0.0, 0.3, 0.8])),
                             idle_before_s=float(rng.uniform(0.2, 1.0)),
                             idle_after_s=float(rng.uniform(0.2, 1.0)),
                             faults=chosen, fault_reps=[0] if chosen else None, image_size=size, noise=noise,
                             occlusion=occlusion)


_LEG = tuple(zip(LEFT_LEG, RIGHT_LEG, strict=True))


def _collapse_far_leg(pose: Pose | None, amount: float) -> Pose | None:
    """The far leg pulled towards the near one in the image, the more so the closer to profile the view.

    Profile is judged from the image shoulder width against the torso length (about 0.7 facing the
    camera, 0 side on); the far side is the one with the larger mean z.
    """
    if pose is None or amount <= 0:
        return pose
    xy = pose.xyz[:, :2]
    width = float(np.linalg.norm(xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER]))
    torso = float(np.linalg.norm((xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER] - xy[L.LEFT_HIP]
                                  - xy[L.RIGHT_HIP]) / 2))
    k = amount * float(np.clip(1.0 - width / max(0.35 * torso, 1e-6), 0.0, 1.0))
    if k <= 0:
        return pose
    xyz = pose.xyz.copy()
    z = xyz[:, 2]
    left_far = np.mean([z[a] for a, _ in _LEG]) > np.mean([z[b] for _, b in _LEG])
    for a, b in _LEG:
        near, far = (b, a) if left_far else (a, b)
        xyz[far, :2] += (xyz[near, :2] - xyz[far, :2]) * k
    return Pose(xyz, pose.visibility, pose.image_size, pose.world, pose.score)


def _pick_frames(seq: Any, rng: np.random.Generator, k: int, inrep_weight: float = 3.0) -> np.ndarray:
    ok = np.array([p is not None for p in seq.poses])
    if seq.reps:  # mostly within reps, some in the lead-in/out
        inrep = np.zeros(len(ok), bool)
        for r in seq.reps:
            inrep |= (seq.times >= r.start_s) & (seq.times <= r.end_s)
        w = np.where(inrep, inrep_weight, 1.0) * ok
    else:
        w = ok.astype(float)
    if w.sum() == 0:
        return np.array([], int)
    return rng.choice(len(ok), size=min(k, int(ok.sum())), replace=False, p=w / w.sum())


#: Phase ranges where an exercise's posture is just standing upright (squat top, deadlift lockout,
#: a standing press racked or locked out: the same as a back squat's or an overhead squat's top).
_UPRIGHT: dict[str, tuple[tuple[float, float], ...]] = {
    "squat": ((0.0, 0.12),), "deadlift": ((0.88, 1.0),), "shoulder_press": ((0.0, 0.12), (0.88, 1.0))}


#: Squat arm styles whose upright frames look like a standing press (hands at the head or above it:
#: the press's rack and lockout) or like a deadlift lockout (arms hanging; "arms_raise" hangs at the
#: top, and the relaxable bodyweight styles drop the arms to the sides between reps).
_SQUAT_HANDS_HIGH = ("prisoner", "overhead")
_SQUAT_ARMS_HANG = ("hang", "arms_raise")
_SQUAT_RELAXABLE = ("arms_forward", "prayer", "hands_hips", "cross")


def _twin(seq: Any, upright: np.ndarray) -> np.ndarray:
    """Per frame (``upright`` from :func:`_upright`): the class index of the exercise whose posture
    looks the same, or -1. Upright frames of a standing press, a deadlift lockout and a squat top
    with the hands high or the arms hanging have a twin; so does every frame of a standing press."""
    prm = seq.params or {}
    out = np.full(len(upright), -1, np.int64)
    if seq.exercise == "shoulder_press" and not prm.get("seated"):
        out[:] = CLASSES.index("squat")
    elif seq.exercise == "deadlift":
        out[upright] = CLASSES.index("squat")
    elif seq.exercise == "squat":
        arms = prm.get("arms")
        if arms in _SQUAT_HANDS_HIGH:
            out[upright] = CLASSES.index("shoulder_press")
        elif arms in _SQUAT_ARMS_HANG or (prm.get("relax") and arms in _SQUAT_RELAXABLE):
            out[upright] = CLASSES.index("deadlift")
    return out


def _upright(seq: Any, idx: np.ndarray) -> np.ndarray:
    """Which of the frames ``idx`` are upright top-of-rep frames (see :data:`_UPRIGHT`)."""
    ranges = _UPRIGHT.get(seq.exercise, ())
    if seq.params.get("seated") or not ranges or seq.phase is None or len(idx) == 0:
        return np.zeros(len(idx), bool)
    ph = seq.phase[idx]
    return np.any([(ph >= lo) & (ph <= hi) for lo, hi in ranges], axis=0)


def soften(data: SynthData, top_other: float, top_twin: float = 0.0, press_twin: float = 0.0) -> SynthData:
    """Soft labels for frames whose posture fits more than one class, as duplicated rows with weights.

    An upright top-of-rep frame is repeated as ``other`` (weight ``top_other``) and, when it has a
    twin exercise (:func:`_twin`), as that one (``top_twin``); any other frame with a twin (a standing
    press) is repeated as it with ``press_twin``. The original row keeps the rest (each frame weighs
    1 in all); rows with nothing to share keep weight 1.
    """
    n = len(data.y_frame)
    up = data.upright if data.upright is not None else np.zeros(n, bool)
    twin = data.twin if data.twin is not None else np.full(n, -1)
    w = np.ones(n) if data.w_frame is None else data.w_frame.astype(np.float64).copy()
    xs, ys, vs, ws = [data.x_frame], [data.y_frame], list(data.view_frame), [w]

    def add(rows: np.ndarray, labels: np.ndarray, share: float) -> None:
        if share <= 0 or len(rows) == 0:
            return
        w[rows] -= share
        xs.append(data.x_frame[rows])
        ys.append(labels)
        vs.extend(data.view_frame[i] for i in rows)
        ws.append(np.full(len(rows), share))

    rows = np.flatnonzero(up)
    add(rows, np.full(len(rows), CLASSES.index(OTHER)), top_other)
    rows = np.flatnonzero(up & (twin >= 0))
    add(rows, twin[rows], top_twin)
    rows = np.flatnonzero(~up & (twin >= 0))
    add(rows, twin[rows], press_twin)
    if np.any(w <= 0):
        raise ValueError(f"the shares of a frame must stay below 1 (top_other {top_other}, top_twin "
                         f"{top_twin}, press_twin {press_twin})")
    return SynthData(np.concatenate(xs), np.concatenate(ys).astype(np.int64), vs, data.x_window,
                     data.y_window, data.view_window, data.kinds, np.concatenate(ws))


def _pick_windows(seq: Any, rng: np.random.Generator, k: int) -> list[np.ndarray]:
    t = seq.times
    lo, hi = t[0], t[-1]
    if seq.reps:
        lo, hi = seq.reps[0].start_s - 0.5, seq.reps[-1].end_s + 0.5
    out = []
    for _ in range(k):
        length = float(rng.uniform(2.0, 5.0))
        s = float(rng.uniform(lo, max(lo, hi - length)))
        idx = np.flatnonzero((t >= s) & (t < s + length))
        if len(idx) >= 8:
            out.append(idx)
    return out


def synth_dataset(n_seq_per_class: int, views: Sequence[str], cfg: TrainConfig, seed: int,
                  progress: Progress | None = None, task: str = "generating",
                  soft: bool = False) -> SynthData:
    """Per-frame and window feature rows from synthetic sequences of every class, ``views`` only.

    With ``soft``, frames whose posture fits another class too also appear as that class (weights
    from ``cfg.top_other``, ``cfg.top_twin`` and ``cfg.press_twin``, see :func:`soften`).
    """
    rng = np.random.default_rng(seed)
    xf, yf, vf, xw, yw, vw, kinds, up, tw = [], [], [], [], [], [], [], [], []
    total = n_seq_per_class * len(CLASSES)
    done = 0
    for ci, label in enumerate(CLASSES):
        for _ in range(n_seq_per_class):
            view = str(views[int(rng.integers(len(views)))])
            seq = _sequence(label, rng, int(rng.integers(2**31 - 1)), view, cfg.fps)
            amount = float(rng.uniform(0.4, 1.0)) if rng.uniform() < cfg.collapse else 0.0
            seq.poses = [_collapse_far_leg(q, amount) for q in seq.poses]
            feats = poses_features(seq.poses)
            idx = _pick_frames(seq, rng, cfg.frames_per_seq, cfg.inrep_weight)
            xf.append(feats[idx])
            yf += [ci] * len(idx)
            vf += [view] * len(idx)
            upright = _upright(seq, idx)
            up.append(upright)
            tw.append(_twin(seq, upright) if label != OTHER else np.full(len(idx), -1, np.int64))
            for w in _pick_windows(seq, rng, cfg.windows_per_seq):
                xw.append(window_features([seq.poses[i] for i in w], seq.times[w], feats[w]))
                yw.append(ci)
                vw.append(view)
            kinds.append(seq.kind)
            done += 1
            if progress is not None and done % 10 == 0:
                progress(task, done / total)
    data = SynthData(np.concatenate(xf).astype(np.float32), np.asarray(yf, np.int64), vf,
                     np.asarray(xw, np.float32).reshape(-1, len(WINDOW_FEATURE_NAMES)),
                     np.asarray(yw, np.int64), vw, kinds, np.ones(len(yf)), np.concatenate(up),
                     np.concatenate(tw).astype(np.int64))
    return soften(data, cfg.top_other, cfg.top_twin, cfg.press_twin) if soft else data


def _hgb(cfg: TrainConfig, max_iter: int, seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=cfg.learning_rate,
                                          max_leaf_nodes=cfg.max_leaf_nodes, l2_regularization=cfg.l2,
                                          early_stopping=False, random_state=seed)


def fit_models(x_frame: np.ndarray, y_frame: np.ndarray, x_window: np.ndarray | None = None,
               y_window: np.ndarray | None = None, cfg: TrainConfig | None = None,
               w_frame: np.ndarray | None = None) -> tuple[Any, Any]:
    """Fit the per-frame and (when windows are given) the window model; labels are class indices."""
    cfg = cfg or TrainConfig()
    # One thread: on a shared 2-core machine OpenMP oversubscription makes fitting several times slower.
    with threadpool_limits(limits=cfg.threads):
        frame = _hgb(cfg, cfg.max_iter, cfg.seed).fit(np.asarray(x_frame, np.float64), np.asarray(y_frame),
                                                      sample_weight=w_frame)
        window = None
        if x_window is not None and y_window is not None and len(y_window) >= 20:
            window = _hgb(cfg, cfg.window_max_iter, cfg.seed + 1).fit(np.asarray(x_window, np.float64),
                                                                        np.asarray(y_window))
    return frame, window


def _indices(y: Sequence[Any] | np.ndarray, classes: Sequence[str]) -> np.ndarray:
    arr = np.asarray(y)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    lookup = {c: i for i, c in enumerate(classes)}
    bad = sorted({str(v) for v in arr} - set(lookup))
    if bad:
        raise ValueError(f"unknown labels {bad}; expected some of {', '.join(classes)}")
    return np.array([lookup[str(v)] for v in arr], np.int64)


def train_from_arrays(x: np.ndarray, y: Sequence[Any] | np.ndarray, *,
                      x_window: np.ndarray | None = None,
                      y_window: Sequence[Any] | np.ndarray | None = None, seed: int = 0,
                      cfg: TrainConfig | None = None,
                      meta: dict[str, Any] | None = None,
                      sample_weight: np.ndarray | None = None) -> ExerciseRecognizer:
    """Train a recogniser from feature rows.

    ``x`` is (N, len(FEATURE_NAMES)) from :func:`gymvision.features.features_array` /
    ``pose_features``; ``y`` holds class names (exercise names or ``"other"``) or indices into
    :data:`CLASSES`. Optional ``x_window``/``y_window`` (rows of ``window_features``) add the motion
    model used for videos; ``sample_weight`` weighs the per-frame rows.
    """
    x = np.asarray(x, np.float32)
    if x.ndim != 2 or x.shape[1] != len(FEATURE_NAMES):
        raise ValueError(f"x must be (N, {len(FEATURE_NAMES)}) feature rows, got {x.shape}")
    cfg = cfg or TrainConfig(seed=seed)
    yi = _indices(y, CLASSES)
    yw = None if y_window is None else _indices(y_window, CLASSES)
    frame, window = fit_models(x, yi, x_window, yw, cfg, sample_weight)
    rng = np.random.default_rng(seed)
    bg = x[rng.choice(len(x), size=min(64, len(x)), replace=False)]
    return ExerciseRecognizer(frame, window, list(CLASSES), dict(meta or {}), bg)


# -------------------------------------------------------------------------------------- metrics
def confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def evaluate_arrays(rec: ExerciseRecognizer, data: SynthData) -> dict[str, Any]:
    """Top-1 (argmax over all classes, ``other`` included) per frame and per window, per class."""
    out: dict[str, Any] = {}
    pf = rec.predict_features(data.x_frame).argmax(axis=1)
    out["frame_top1"] = float(np.mean(pf == data.y_frame))
    cm = confusion(data.y_frame, pf, len(CLASSES))
    out["frame_per_class"] = {c: float(cm[i, i] / max(cm[i].sum(), 1)) for i, c in enumerate(CLASSES)}
    out["frame_confusion"] = cm.tolist()
    if rec.window_model is not None and len(data.y_window):
        pw = rec._full(rec._proba(rec.window_model, data.x_window.astype(np.float64)),
                       rec.window_model, rec.window_temperature).argmax(axis=1)
        out["window_model_top1"] = float(np.mean(pw == data.y_window))
        cmw = confusion(data.y_window, pw, len(CLASSES))
        out["window_model_per_class"] = {c: float(cmw[i, i] / max(cmw[i].sum(), 1))
                                         for i, c in enumerate(CLASSES)}
        out["window_confusion"] = cmw.tolist()
    ex = data.y_frame < len(EXERCISES)
    if ex.any():
        pe = rec.predict_features(data.x_frame[ex])[:, :len(EXERCISES)].argmax(axis=1)
        out["frame_top1_exercises_only"] = float(np.mean(pe == data.y_frame[ex]))
    return out


def train_synthetic(cfg: TrainConfig | None = None, progress: Progress | None = None,
                    validate: bool = True) -> tuple[ExerciseRecognizer, dict[str, Any]]:
    """Build the shipped recogniser from synthetic data.

    With ``validate``, a first model is trained without ``cfg.holdout_views`` and scored on fresh
    sequences seen only from those views (the reported generalisation figure); the returned model is
    then trained on all views.
    """
    cfg = cfg or TrainConfig()
    t0 = time.perf_counter()
    n_seq = max(cfg.samples // (cfg.frames_per_seq * len(CLASSES)), 2)
    metrics: dict[str, Any] = {"config": asdict(cfg), "classes": list(CLASSES),
                               "n_features": len(FEATURE_NAMES),
                               "n_window_features": len(WINDOW_FEATURE_NAMES)}
    train_views = [v for v in VIEWS if v not in cfg.holdout_views]
    if validate and cfg.holdout_views:
        tr = synth_dataset(n_seq, train_views, cfg, cfg.seed, progress, "data (train views)", soft=True)
        va = synth_dataset(cfg.val_seqs_per_class, cfg.holdout_views, cfg, cfg.seed + 1000, progress,
                           "data (held-out views)")
        if progress:
            progress("fitting (validation model)", 0.0)
        val_rec = train_from_arrays(tr.x_frame, tr.y_frame, x_window=tr.x_window, y_window=tr.y_window,
                                    cfg=cfg, sample_weight=tr.w_frame)
        metrics["heldout_views"] = list(cfg.holdout_views)
        # Calibrate on unseen views: a stand-in for the shift from synthetic to real footage.
        t_frame = fit_temperature(val_rec.predict_features(va.x_frame), va.y_frame)
        t_window = 1.0
        if val_rec.window_model is not None and len(va.y_window):
            raw = val_rec._full(val_rec._proba(val_rec.window_model, va.x_window.astype(np.float64)),
                                val_rec.window_model)
            t_window = fit_temperature(raw, va.y_window)
        metrics["temperature"] = {"frame": t_frame, "window": t_window, "applied": cfg.calibrate}
        metrics["heldout"] = evaluate_arrays(val_rec, va)
        metrics["heldout"]["n_frames"] = len(va.y_frame)
        metrics["heldout"]["n_windows"] = len(va.y_window)
        rest = synth_dataset(max(n_seq * len(cfg.holdout_views) // len(VIEWS), 2), cfg.holdout_views, cfg,
                             cfg.seed + 2000, progress, "data (held-out views, final model)", soft=True)
        full = SynthData(np.concatenate([tr.x_frame, rest.x_frame]),
                         np.concatenate([tr.y_frame, rest.y_frame]),
                         tr.view_frame + rest.view_frame, np.concatenate([tr.x_window, rest.x_window]),
                         np.concatenate([tr.y_window, rest.y_window]), tr.view_window + rest.view_window,
                         w_frame=np.concatenate([tr.w_frame, rest.w_frame]))
    else:
        full = synth_dataset(n_seq, list(VIEWS), cfg, cfg.seed, progress, "data", soft=True)
    if progress:
        progress("fitting (final model)", 0.0)
    rec = train_from_arrays(full.x_frame, full.y_frame, x_window=full.x_window, y_window=full.y_window,
                            cfg=cfg, sample_weight=full.w_frame)
    temps = metrics.get("temperature", {}) if cfg.calibrate else {}
    rec.frame_temperature = float(temps.get("frame", 1.0))
    rec.window_temperature = float(temps.get("window", 1.0))
    metrics["n_train_frames"] = len(full.y_frame)
    metrics["n_train_windows"] = len(full.y_window)
    metrics["train_seconds"] = round(time.perf_counter() - t0, 1)
    rec.meta = {**metrics, "trained_on": "synthetic (gymvision.synth)"}
    return rec, metrics
