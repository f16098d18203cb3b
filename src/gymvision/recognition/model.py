"""The exercise recogniser: a per-frame posture model plus a window (motion) model."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from threadpoolctl import ThreadpoolController

from ..exercises import EXERCISES, UNKNOWN
from ..features import FEATURE_NAMES, WINDOW_FEATURE_NAMES, poses_features, window_features
from ..results import Pose

log = logging.getLogger(__name__)

#: The non-exercise class (standing, walking, sitting, lying, stretching, setup).
OTHER = "other"
CLASSES: tuple[str, ...] = (*EXERCISES, OTHER)
SHIPPED = Path(__file__).resolve().parents[1] / "models" / "recognizer.joblib"

#: Window length and stride (seconds) when a long track is split for :meth:`predict_window`.
WINDOW_S = 4.0
STRIDE_S = 2.0
#: Weight of the motion model against the mean per-frame posture probabilities.
WINDOW_WEIGHT = 0.6

_THREADPOOLS: ThreadpoolController | None = None


def _one_thread() -> Any:
    """Context manager limiting OpenMP to one thread (the controller is built once: it is slow)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS.limit(limits=1, user_api="openmp")


@dataclass
class ExerciseRecognizer:
    """Pose-only exercise recogniser (scikit-learn models over :mod:`gymvision.features`).

    ``predict_pose``/``predict_window`` return probabilities over the six exercises; they are not
    renormalised, so ``1 - sum`` is the mass of the non-exercise class and :func:`decide` says
    ``unknown`` for idle poses.
    """

    frame_model: Any
    window_model: Any | None = None
    classes: list[str] = field(default_factory=lambda: list(CLASSES))
    meta: dict[str, Any] = field(default_factory=dict)
    background: np.ndarray | None = None  # a few feature rows (explanations)
    #: Softmax temperatures fitted on camera views the validation model never saw (1 = as trained).
    frame_temperature: float = 1.0
    window_temperature: float = 1.0

    # ------------------------------------------------------------------------------------ I/O
    @classmethod
    def load(cls, path: Path | str | None = None) -> ExerciseRecognizer:
        """Load a model file; ``None`` loads the one shipped in the package."""
        p = Path(path) if path is not None else SHIPPED
        if not p.is_file():
            raise FileNotFoundError(f"recogniser model {p} not found; rebuild it with "
                                    "`gymvision train-recognizer` or pass a valid --model path")
        obj = joblib.load(p)
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, dict) or "frame_model" not in obj:
            raise ValueError(f"{p} is not a GymVision recogniser model")
        n = obj.get("feature_names")
        if n is not None and tuple(n) != FEATURE_NAMES:
            raise ValueError(f"{p} was trained on different features ({len(n)} vs {len(FEATURE_NAMES)}); "
                             "retrain it with this version (`gymvision train-recognizer`)")
        return cls(frame_model=obj["frame_model"], window_model=obj.get("window_model"),
                   classes=list(obj.get("classes", CLASSES)), meta=dict(obj.get("meta", {})),
                   background=obj.get("background"),
                   frame_temperature=float(obj.get("frame_temperature", 1.0)),
                   window_temperature=float(obj.get("window_temperature", 1.0)))

    def save(self, path: Path | str, metrics: dict[str, Any] | None = None) -> None:
        """Write the model (.joblib) and its metadata next to it (.json)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if metrics is not None:
            self.meta = {**self.meta, **metrics}
        joblib.dump({"frame_model": self.frame_model, "window_model": self.window_model,
                     "classes": self.classes, "meta": self.meta, "background": self.background,
                     "frame_temperature": self.frame_temperature,
                     "window_temperature": self.window_temperature,
                     "feature_names": FEATURE_NAMES, "window_feature_names": WINDOW_FEATURE_NAMES},
                    p, compress=3)
        p.with_suffix(".json").write_text(json.dumps(self.meta, indent=2, sort_keys=True, default=str) + "\n")

    # ------------------------------------------------------------------------------- predicting
    @staticmethod
    def _proba(model: Any, x: np.ndarray) -> np.ndarray:
        # One OpenMP thread: small batches gain nothing from more, and on a busy machine the
        # default thread pool makes a single prediction seconds slow.
        with _one_thread():
            return model.predict_proba(x)

    def _full(self, proba: np.ndarray, model: Any, temperature: float = 1.0) -> np.ndarray:
        """Columns in ``self.classes`` order (a model may have seen only some classes), tempered."""
        out = np.zeros((proba.shape[0], len(self.classes)))
        for j, c in enumerate(model.classes_):
            out[:, int(c)] = proba[:, j]
        return temper(out, temperature)

    def predict_features(self, x: np.ndarray) -> np.ndarray:
        """Per-frame class probabilities (N, C) for feature rows (N, F), columns as ``classes``."""
        x = np.asarray(x, np.float64).reshape(-1, len(FEATURE_NAMES))
        return self._full(self._proba(self.frame_model, x), self.frame_model, self.frame_temperature)

    def as_dict(self, p: np.ndarray) -> dict[str, float]:
        """One row of class probabilities (as :meth:`predict_features` gives) as {exercise: p}."""
        return {c: float(p[i]) for i, c in enumerate(self.classes) if c in EXERCISES}

    def predict_pose(self, pose: Pose) -> dict[str, float]:
        """Exercise probabilities for a single pose (a photo)."""
        return self.as_dict(self.predict_features(poses_features([pose]))[0])

    def predict_poses(self, poses: Sequence[Pose | None]) -> np.ndarray:
        """Per-frame probabilities (T, C); rows of missing poses are NaN."""
        f = poses_features(poses)
        out = np.full((len(poses), len(self.classes)), np.nan)
        ok = np.array([p is not None for p in poses], bool)
        if ok.any():
            out[ok] = self.predict_features(f[ok])
        return out

    def _window_probs(self, poses: Sequence[Pose | None], times: np.ndarray, feats: np.ndarray,
                      frame_p: np.ndarray) -> np.ndarray | None:
        ok = np.isfinite(frame_p[:, 0])
        if not ok.any():
            return None
        mean = frame_p[ok].mean(axis=0)
        if self.window_model is None or ok.sum() < 5:
            return mean
        w = window_features(poses, times, feats)
        wp = self._full(self._proba(self.window_model, w[None].astype(np.float64)), self.window_model,
                        self.window_temperature)[0]
        logp = WINDOW_WEIGHT * np.log(wp + 1e-4) + (1 - WINDOW_WEIGHT) * np.log(mean + 1e-4)
        p = np.exp(logp - logp.max())
        return p / p.sum()

    def predict_window_full(self, poses: Sequence[Pose | None], times: Sequence[float]) -> np.ndarray:
        """Class probabilities (C,) for a pose track, ``other`` included.

        Tracks longer than ``WINDOW_S`` are cut into overlapping windows; windows that look like an
        exercise outweigh idle ones (a set with some standing around before it is still that set).
        """
        t = np.asarray(times, np.float64)
        if len(poses) != len(t):
            raise ValueError(f"{len(poses)} poses but {len(t)} times")
        if len(t) == 0:
            return np.eye(len(self.classes))[self.classes.index(OTHER)]
        feats = poses_features(poses)
        frame_p = np.full((len(poses), len(self.classes)), np.nan)
        ok = np.array([p is not None for p in poses], bool)
        if ok.any():
            frame_p[ok] = self.predict_features(feats[ok])
        starts = [t[0]]
        if t[-1] - t[0] > WINDOW_S * 1.5:
            starts = list(np.arange(t[0], t[-1] - WINDOW_S + 1e-9, STRIDE_S))
        probs, weights = [], []
        other = self.classes.index(OTHER) if OTHER in self.classes else None
        for s in starts:
            m = (t >= s) & (t < s + WINDOW_S) if len(starts) > 1 else np.ones(len(t), bool)
            idx = np.flatnonzero(m)
            if len(idx) == 0:
                continue
            p = self._window_probs([poses[i] for i in idx], t[idx], feats[idx], frame_p[idx])
            if p is None:
                continue
            probs.append(p)
            weights.append(((1 - p[other]) ** 2 if other is not None else 1.0) + 1e-3)
        if not probs:
            return np.eye(len(self.classes))[other] if other is not None else np.zeros(len(self.classes))
        pw = np.average(np.array(probs), axis=0, weights=np.array(weights))
        return pw / pw.sum()

    def predict_window(self, poses: Sequence[Pose | None], times: Sequence[float]) -> dict[str, float]:
        """Exercise probabilities for a pose track (video), using motion as well as posture."""
        return self.as_dict(self.predict_window_full(poses, times))


def temper(p: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``p`` (N, C) softened (T > 1) or sharpened (T < 1), rows renormalised."""
    if temperature == 1.0:
        return p
    q = np.power(np.clip(p, 1e-12, 1.0), 1.0 / temperature)
    return q / q.sum(axis=1, keepdims=True)


def fit_temperature(p: np.ndarray, y: np.ndarray, grid: np.ndarray | None = None) -> float:
    """The temperature minimising the negative log-likelihood of labels ``y`` under ``p`` (N, C)."""
    grid = np.round(np.arange(0.8, 3.01, 0.1), 2) if grid is None else grid
    if len(y) == 0:
        return 1.0
    nll = [-np.mean(np.log(temper(p, t)[np.arange(len(y)), y] + 1e-12)) for t in grid]
    return float(grid[int(np.argmin(nll))])


def decide(probs: dict[str, float], threshold: float) -> tuple[str, float]:
    """The label and its confidence; ``("unknown", p)`` when the best exercise has p < threshold.

    Keys that are not exercises (``other``, ``unknown``) never win.
    """
    ex = {k: float(v) for k, v in probs.items() if k in EXERCISES}
    if not ex:
        return UNKNOWN, 0.0
    best = max(ex, key=ex.__getitem__)
    p = ex[best]
    if p < threshold:
        return UNKNOWN, p
    return best, p


#: :func:`set_candidate`: how far the best exercise must lead the next one.
SET_MARGIN = 2.0


def _lead(probs: dict[str, float], names: tuple[str, ...], threshold: float) -> float | None:
    """The share of the exercises' probability that ``names`` hold together, when it is at least
    ``threshold`` and ``SET_MARGIN`` × the best exercise outside them; else None."""
    ex = {k: float(v) for k, v in probs.items() if k in EXERCISES}
    total = sum(ex.values())
    if total <= 0.0:
        return None
    held = sum(ex.get(k, 0.0) for k in names)
    other = max((v for k, v in ex.items() if k not in names), default=0.0)
    if held / total < threshold or held < SET_MARGIN * other:
        return None
    return held / total


def set_candidate(probs: dict[str, float], threshold: float) -> tuple[str, float] | None:
    """The exercise a counted set may confirm when :func:`decide` said ``unknown``, with its share.

    Real sets spend much of their time standing or resting, which the recogniser reads as "not an
    exercise" (``1 - sum`` of ``probs``). Among the exercises alone the best one must still clear
    ``threshold`` and lead the next by ``SET_MARGIN`` (squat vs deadlift stays ``unknown``); the
    caller then counts its reps and names it only if they form a set.
    """
    ex = {k: float(v) for k, v in probs.items() if k in EXERCISES}
    if not ex:
        return None
    best = max(ex, key=ex.__getitem__)
    share = _lead(ex, (best,), threshold)
    return None if share is None else (best, share)


#: Exercises that look alike frame by frame (a deadlift's floor from the side, a squat's bottom with the
#: arms down) and that :func:`gymvision.recognition.posture.squat_or_deadlift` tells apart.
LOOKALIKES = ("squat", "deadlift")


def lookalike_share(probs: dict[str, float], threshold: float) -> float | None:
    """The share of the exercises held by squat and deadlift together when, as a pair, they lead as
    :func:`set_candidate` asks of one exercise (share ≥ ``threshold``, ``SET_MARGIN`` × the best other)."""
    return _lead(probs, LOOKALIKES, threshold)
