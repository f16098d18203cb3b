"""The one pipeline behind every interface: pose → features → recognition → reps → form → outputs."""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .exercises import EXERCISES, UNKNOWN, normalise_name
from .landmarks import L
from .media import (
    MediaError,
    VideoWriter,
    animated,
    decode_image,
    iter_frames,
    media_kind,
    probe_video,
    resize_max_side,
    sniff_kind,
)
from .pose import PeopleDetector, PoseEstimator, prominence, same_person
from .render import FrameAnnotator
from .results import AnalysisResult, Detection, FrameResult, Pose, RepEvent
from .settings import Settings

if TYPE_CHECKING:
    from .reps import LiveRepTracker, RepAnalysis

log = logging.getLogger(__name__)

Progress = Callable[[float], None]

#: Recognition window for video (seconds) and its step.
WINDOW_S = 3.0
WINDOW_STEP_S = 0.5
#: Live: how often the exercise is re-estimated, and how long the live window is.
LIVE_RECOGNISE_EVERY_S = 0.5
LIVE_WINDOW_S = 4.0
#: Live, a set goes on while its reps come within this many seconds of each other. Mid-set, the
#: recogniser's switch from the set's exercise to its look-alike (squat, deadlift) stands only where
#: the way the hands carry the load agrees, and a label reading ``unknown`` does not hold back the
#: set's next reps.
SET_CONTINUE_S = 8.0
LOWER_BODY = (L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE)
UPPER_BODY = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST)


#: Shoulders guessed beyond the frame's edge in this share of the frames get camera advice (a real
#: squat filmed with the head and trunk above the frame: 40 %; none of 78 other real clips over 0).
SHOULDERS_OUT_SHARE = 0.25
#: A video whose person is found in under this share of its frames gets advice on what hides them (real
#: clips: a bench press from the side found in 7 of 65 frames and one from the foot end in 8 of 65,
#: both counted 0 with nothing said; a seated press 24 of 64; every other real clip 52 % or more).
SEEN_MIN_SHARE = 0.5


def _outside(pose: Pose, joints: tuple[int, ...]) -> bool:
    """Whether all of ``joints`` lie outside the image (BlazePose places joints it cannot see)."""
    w, h = pose.image_size
    xy = pose.xy[list(joints)]
    return bool(np.all((xy[:, 0] < 0) | (xy[:, 0] > w) | (xy[:, 1] < 0) | (xy[:, 1] > h)))


def visibility_advice(poses: Sequence[Pose | None]) -> list[str]:
    """Camera-placement advice from how much of the body the camera sees."""
    seen = [p for p in poses if p is not None]
    if not seen:
        return ["No person found: make sure your whole body is in the frame, well lit, "
                "and the camera is 2–4 m away at hip height."]
    vis = np.stack([p.visibility for p in seen])
    advice = []
    if len(seen) < SEEN_MIN_SHARE * len(poses):
        advice.append(f"The person was found in only {len(seen)} of {len(poses)} frames: keep your whole "
                      "body in view, not hidden by equipment or cut by the frame's edge, and film with the "
                      "light on you rather than behind you.")
    if float(np.median(vis[:, list(LOWER_BODY)].max(axis=1))) < 0.5:
        advice.append("Your legs and feet are not visible: step back or lower the camera so your feet "
                      "are in frame.")
    if float(np.median(vis[:, list(UPPER_BODY)].max(axis=1))) < 0.5:
        advice.append("Your arms are not visible: make sure shoulders, elbows and wrists are in frame.")
    elif sum(_outside(p, UPPER_BODY[:2]) for p in seen) >= SHOULDERS_OUT_SHARE * len(seen):
        # (BlazePose guesses joints beyond the frame's edge, seen or not: their place tells)
        advice.append("Your shoulders leave the frame: step back or tilt the camera so your head and "
                      "shoulders stay in view (trunk lean and depth are judged from them).")
    def extent(p: Pose) -> float:  # the longer side of the body box as a share of the frame (planks lie flat)
        x1, y1, x2, y2 = p.bbox()
        return max((x2 - x1) / p.image_size[0], (y2 - y1) / p.image_size[1])

    small = [p for p in seen if extent(p) < 0.3]
    if len(small) > 0.5 * len(seen):
        advice.append("You appear small in the frame: move the camera closer (2–3 m).")
    return advice


_HIPS, _KNEES = (L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE)
_SHOULDERS, _ELBOWS = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_ELBOW, L.RIGHT_ELBOW)
#: Joints (one body side suffices) that must be seen to name each exercise.
EVIDENCE: dict[str, tuple[tuple[int, int], ...]] = {
    "squat": (_HIPS, _KNEES),
    "deadlift": (_HIPS, _KNEES),
    "leg_extension": (_HIPS, _KNEES),
    "push_up": (_SHOULDERS, _ELBOWS, _HIPS),
    "bench_press": (_SHOULDERS, _ELBOWS),
    "shoulder_press": (_SHOULDERS, _ELBOWS),
}


def has_evidence(exercise: str, poses: Sequence[Pose | None], min_visibility: float = 0.5) -> bool:
    """Whether the joints that define ``exercise`` were seen (median over the poses) at all."""
    seen = [p for p in poses if p is not None]
    if exercise not in EVIDENCE or not seen:
        return False
    vis = np.median(np.stack([p.visibility for p in seen]), axis=0)
    return all(max(vis[a], vis[b]) >= min_visibility for a, b in EVIDENCE[exercise])


#: Reps (of at least this confidence) that make a set: enough to name an exercise the recogniser
#: found likely but not sure (:func:`gymvision.recognition.set_candidate`).
SET_REPS = 2
SET_REP_CONFIDENCE = 0.3
#: ... only where the recogniser gave the exercises together at least this probability (video: over
#: the clip; live: the median of its readings since the set's first rep): below it, it is sure that
#: none is done, however the little left is shared (generated idle clips: a person lying still read
#: 0.04 in all, push-up leading, and the breathing counted as three push-ups; walking counted as
#: squats. Real clips that a set named: 0.50–0.79 in video, 0.27 live).
SET_MIN_P = 0.1
#: Live: how many of the recogniser's readings (one per ``LIVE_RECOGNISE_EVERY_S``) are kept for the
#: set floor (``Session._set_mass``): two minutes.
SET_MASS_HISTORY = 240


def exercise_mass(probs: dict[str, float]) -> float:
    """The probability the recogniser gives the exercises together (the rest: no exercise is done)."""
    return sum(v for k, v in probs.items() if k in EXERCISES)


def confirms_set(events: Sequence[RepEvent]) -> bool:
    """Whether counted reps show a set: repetition is what idle movement (a bend, lying down) lacks."""
    return sum(e.confidence >= SET_REP_CONFIDENCE for e in events) >= SET_REPS


class WindowProbs(NamedTuple):
    """The recogniser's reading of one window of a track: its span (s), frames with a pose, probabilities."""

    start_s: float
    end_s: float
    seen: int
    probs: dict[str, float]


#: A lone rep (a heavy single) names the likely exercise of an ``unknown`` video when it is counted
#: with at least this confidence and the windows over it name that exercise (``confirms_single``).
SINGLE_REP_CONFIDENCE = 0.6


def confirms_single(exercise: str, events: Sequence[RepEvent], windows: Sequence[WindowProbs],
                    threshold: float) -> bool:
    """Whether one counted rep, where no set was counted, shows ``exercise``: a rep of at least
    ``SINGLE_REP_CONFIDENCE`` over which some window reads ``exercise`` at ``threshold`` or more, and
    the windows over it together give it ``SET_MARGIN`` times any other exercise. A real single pull
    reads deadlift on the windows over it (0.5–0.8), while the clip's average stays unsure: standing
    before and after it reads as no exercise."""
    from .recognition.model import SET_MARGIN

    for rep in events:
        over = [w.probs for w in windows if w.end_s > rep.start_s and w.start_s < rep.end_s]
        if rep.confidence < SINGLE_REP_CONFIDENCE or not over:
            continue
        sums = {k: sum(p.get(k, 0.0) for p in over) for k in EXERCISES}
        rival = max(v for k, v in sums.items() if k != exercise)
        if max(p.get(exercise, 0.0) for p in over) >= threshold and sums[exercise] >= SET_MARGIN * rival:
            return True
    return False


def likely_exercise(probs: dict[str, float], poses: Sequence[Pose | None], threshold: float
                    ) -> tuple[str, float] | None:
    """The exercise (and its share) a counted set may confirm when :meth:`Pipeline.decide` said
    ``unknown``: one exercise that clearly leads (:func:`~gymvision.recognition.set_candidate`), or a
    squat-or-deadlift close call that the way the hands carry the load settles
    (:func:`~gymvision.recognition.posture.squat_or_deadlift`; the pair's share is reported)."""
    from .recognition import set_candidate
    from .recognition.model import lookalike_share
    from .recognition.posture import squat_or_deadlift

    candidate = set_candidate(probs, threshold)
    if candidate is not None:
        return candidate
    share = lookalike_share(probs, threshold)
    if share is None:
        return None
    name = squat_or_deadlift(poses)
    return None if name is None else (name, share)


#: Squat and deadlift are a close call when the runner-up holds at least this share of the two's
#: probability (real clips: a kettlebell deadlift from 45° in front read squat 0.64, deadlift 0.35; a
#: front-view barbell squat 0.65 / 0.34; every other real squat or deadlift clip gave the runner-up
#: under 0.25 of the pair, or was left ``unknown``).
LOOKALIKE_CLOSE = 0.3


def settle_lookalike(label: str, conf: float, probs: dict[str, float], poses: Sequence[Pose | None]
                     ) -> tuple[str, float]:
    """A video named squat or deadlift in a close call (``LOOKALIKE_CLOSE``): the way the hands carry
    the load over the clip (:func:`~gymvision.recognition.posture.squat_or_deadlift`) may name the
    other one, with the pair's share of the exercises as its confidence. Undecided, it stays."""
    from .recognition.model import LOOKALIKES
    from .recognition.posture import squat_or_deadlift

    if label not in LOOKALIKES:
        return label, conf
    other = LOOKALIKES[1 - LOOKALIKES.index(label)]
    pair = sum(probs.get(k, 0.0) for k in LOOKALIKES)
    if pair <= 0.0 or probs.get(other, 0.0) < LOOKALIKE_CLOSE * pair or squat_or_deadlift(poses) != other:
        return label, conf
    return other, pair / max(exercise_mass(probs), 1e-9)


def crowd_advice(people: int, video: bool = False, tracked: bool = True) -> list[str]:
    """Say so when several people are in view (we analyse one). Not when nobody could be ``tracked``:
    then no one was analysed, and "No person found" says why (a dark clip: the people detector saw 4
    "people" where the tracker found none)."""
    if people < 2 or not tracked:
        return []
    who = ("the person the tracker locked on to (the most prominent when the video starts)" if video
           else "the most prominent one (large, central, clearly visible)")
    return [f"{people} people in view: analysed {who}. Film one person at a time for reliable results."]


def fit_even(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Frame size with the longest side at most ``max_side`` and even sides (what H.264 4:2:0 needs)."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _combine(probs: list[dict[str, float]], weights: list[float] | None = None) -> dict[str, float]:
    if not probs:
        return {}
    w = np.asarray(weights if weights is not None else [1.0] * len(probs), dtype=float)
    keys = sorted({k for p in probs for k in p})
    mat = np.array([[p.get(k, 0.0) for k in keys] for p in probs])
    mean = (mat * w[:, None]).sum(axis=0) / max(w.sum(), 1e-9)
    return {k: float(v) for k, v in zip(keys, mean, strict=True)}


def _median_box(poses: Sequence[Pose | None]) -> tuple[float, float, float, float] | None:
    boxes = np.array([p.bbox() for p in poses if p is not None])
    if len(boxes) == 0:
        return None
    return tuple(float(v) for v in np.median(boxes, axis=0))  # type: ignore[return-value]


def _interpolate(a: tuple[float, Pose | None], b: tuple[float, Pose | None], t: float) -> Pose | None:
    (ta, pa), (tb, pb) = a, b
    if pa is None or pb is None or tb <= ta:
        return pa if abs(t - ta) <= abs(tb - t) else pb
    w = min(1.0, max(0.0, (t - ta) / (tb - ta)))
    return Pose(pa.xyz * (1 - w) + pb.xyz * w, np.minimum(pa.visibility, pb.visibility), pa.image_size)


class Pipeline:
    """Analyses photos, videos and live streams with one set of models.

    A Pipeline holds only read-only models (the recogniser) and settings, so one instance can serve
    many requests; per-stream state lives in :class:`Session`. Pose graphs are not thread-safe, so
    photo analysis keeps one static-mode estimator per thread.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        from .pose import check_model
        from .recognition import ExerciseRecognizer

        self.settings = settings or Settings()
        check_model(self.settings.pose_model)
        self.recognizer = ExerciseRecognizer.load(self.settings.recognizer_path)
        self.detector = None
        if self.settings.detector:
            from .yolo import load_detector

            self.detector = load_detector(self.settings.detector)
        self._local = threading.local()
        self.annotator = FrameAnnotator()

    # ---------------------------------------------------------------- helpers
    def _photo_estimator(self) -> PoseEstimator:
        est = getattr(self._local, "photo", None)
        if est is None:
            s = self.settings
            est = PoseEstimator(s.pose_model, static=True,
                                min_detection_confidence=s.min_detection_confidence)
            self._local.photo = est
        return est

    def _people_detector(self) -> PeopleDetector:
        det = getattr(self._local, "people", None)
        if det is None:
            det = PeopleDetector(self.settings.pose_model)
            self._local.people = det
        return det

    def find_person(self, rgb: np.ndarray) -> tuple[Pose | None, int]:
        """The person to analyse in a still image, and how many people are in view."""
        pose = self._photo_estimator().process(rgb)
        people = self._people_detector().detect(rgb)
        if len(people) < 2:
            return pose or (people[0] if people else None), max(len(people), int(pose is not None))
        best = max(people, key=prominence)
        if pose is None or not same_person(pose, best):
            pose = best
        return pose, len(people)

    def decide(self, probs: dict[str, float], poses: Sequence[Pose | None], named: str | None = None
               ) -> tuple[str, float]:
        """Label and confidence; ``unknown`` when unsure or when the defining joints were not seen.

        ``named``: the exercise already named (live). The evidence gate names an exercise; it does not
        unname it for a moment the joints are hidden (a deadlift's plates over the knees at the floor).
        """
        from .recognition import decide

        label, conf = decide(probs, self.settings.unknown_threshold)
        if label in EXERCISES and label != named and not has_evidence(label, poses):
            return UNKNOWN, 0.0
        return label, conf

    def detector_pick(self, rgb: np.ndarray, pose: Pose | None) -> Detection | None:
        """Best detector box (optional YOLO backend) in ``rgb``, preferring the one around the pose."""
        if self.detector is None:
            return None
        from .yolo.vote import pick_for_pose

        return pick_for_pose(self.detector.detect(rgb), pose)

    # ---------------------------------------------------------------- photos
    def analyze_image(self, image_rgb: np.ndarray, name: str = "image", exercise: str | None = None,
                      out_path: Path | None = None) -> AnalysisResult:
        """Find the person in a photo, recognise the exercise and optionally write an annotated copy."""
        h, w = image_rgb.shape[:2]
        small, scale = resize_max_side(image_rgb, self.settings.max_side)
        pose, people = self.find_person(small)
        if pose is not None and scale != 1.0:
            pose = pose.scaled(1.0 / scale, (w, h))
        res = AnalysisResult(file=name, kind="image", width=w, height=h, people=people)
        res.poses = [(0.0, pose)]
        if pose is None:
            res.advice = visibility_advice([None])
            det = self.detector_pick(image_rgb, None)
            if det is not None:
                res.exercise, res.confidence, res.detections = det.label, det.confidence, [det]
        else:
            if exercise:
                res.exercise, res.confidence = normalise_name(exercise), 1.0
            else:
                res.probabilities = self.recognizer.predict_pose(pose)
                res.exercise, res.confidence = self.decide(res.probabilities, [pose])
            det = self.detector_pick(image_rgb, pose)
            if det is not None and not exercise:
                res.exercise, res.confidence = det.label, det.confidence
                res.detections = [det]
            else:
                res.detections = [Detection(pose.bbox(), res.exercise, res.confidence)]
            res.advice = visibility_advice([pose]) + crowd_advice(people)
            if res.exercise == UNKNOWN:
                res.advice.append("Exercise not recognised with confidence: film or photograph the whole "
                                  "body from the side, mid-movement.")
        if out_path is not None:
            frame = FrameResult(0.0, pose, res.exercise, res.confidence)
            scene = image_rgb.copy()
            FrameAnnotator(show_hud=False).annotate(scene, frame)  # a photo has no rep counter
            if pose is None and res.detections:
                self.annotator.box.annotate(scene, res.detections[0].bbox, res.exercise, res.confidence)
            from PIL import Image

            Image.fromarray(scene).save(out_path)
            res.annotated = str(out_path)
        return res

    # ---------------------------------------------------------------- videos
    def analyze_video(self, path: Path, progress: Progress | None = None, out_path: Path | None = None,
                      exercise: str | None = None, name: str | None = None) -> AnalysisResult:
        """Analyse a video file: exercise, reps with timing/ROM/cues, advice; optional annotated MP4."""
        path = Path(path)
        s = self.settings
        info = probe_video(path)
        if info.duration_s > s.max_video_seconds:
            raise MediaError(f"video is {info.duration_s:.0f} s long; "
                             f"the limit is {s.max_video_seconds:.0f} s")
        size = fit_even(info.width, info.height, s.video_pose_side)
        sx = info.width / size[0]
        track: list[tuple[float, Pose | None]] = []
        total = max(info.duration_s, 1e-6)
        people, next_count = 0, 0.0
        picks: list[Detection | None] = []  # detector backend: one pick per DETECTOR_EVERY_S
        next_detect = 0.0
        with PoseEstimator(s.pose_model, static=False, min_detection_confidence=s.min_detection_confidence,
                           min_tracking_confidence=s.min_tracking_confidence) as est:
            for vf in iter_frames(path, sample_fps=s.analysis_fps, size=size):
                assert vf.rgb is not None
                if vf.t >= next_count:  # count people now and then (costly, so every few seconds)
                    people, next_count = max(people, len(self._people_detector().detect(vf.rgb))), vf.t + 3.0
                pose = est.process(vf.rgb)
                if self.detector is not None and not exercise and vf.t >= next_detect:
                    from .yolo.vote import DETECTOR_EVERY_S, scale_detection

                    pick = self.detector_pick(vf.rgb, pose)
                    picks.append(None if pick is None else scale_detection(pick, sx))
                    next_detect = vf.t + DETECTOR_EVERY_S
                if pose is not None:
                    pose = pose.scaled(sx, (info.width, info.height))
                track.append((vf.t, pose))
                if progress is not None and len(track) % 8 == 0:
                    progress(min(0.99, vf.t / total) * (0.7 if out_path else 1.0))
        if not track:
            raise MediaError("video has no decodable frames")
        if picks:  # the detector names the exercise; pose still drives reps and form
            from .yolo.vote import vote_track

            label, conf, box = vote_track(picks, threshold=s.unknown_threshold * 0.5)
            res = self.summarise_track(track, name or str(path), label if box is not None else None)
            if box is not None:
                res.confidence, res.detections = conf, [box]
        else:
            res = self.summarise_track(track, name or str(path), exercise)
        res.people = max(res.people, people)
        res.advice += crowd_advice(people, video=True, tracked=any(p is not None for _, p in track))
        res.width, res.height, res.fps = info.width, info.height, info.fps
        res.duration_s = max(info.duration_s, track[-1][0])
        res.frames = info.frames
        if out_path is not None:
            self.render_video(path, track, res, out_path,
                              progress=(lambda f: progress(0.7 + 0.3 * f)) if progress else None)
        if progress is not None:
            progress(1.0)
        return res

    def summarise_track(self, track: Sequence[tuple[float, Pose | None]], name: str,
                        exercise: str | None = None) -> AnalysisResult:
        """Turn a pose track (time, pose) into the video result: exercise, reps, cues, advice."""
        from .reps import analyze_reps

        times = [t for t, _ in track]
        poses = [p for _, p in track]
        res = AnalysisResult(file=name, kind="video", reps=0)
        res.poses = list(track)
        analysis: RepAnalysis | None = None
        n_seen = sum(p is not None for p in poses)
        res.people = int(n_seen > 0)
        if exercise:
            res.exercise, res.confidence = normalise_name(exercise), 1.0
        elif n_seen >= 3:
            windows = self.window_probs(times, poses)
            res.probabilities = self.recognise_track(times, poses, windows)
            res.exercise, res.confidence = settle_lookalike(*self.decide(res.probabilities, poses),
                                                            res.probabilities, poses)
            if res.exercise == UNKNOWN:
                analysis = self._confirm_by_set(res, times, poses, windows)
        box = _median_box(poses)
        if box is not None:
            res.detections = [Detection(box, res.exercise, res.confidence)]
        res.advice = visibility_advice(poses)
        if res.exercise in EXERCISES:
            if analysis is None:
                analysis = analyze_reps(res.exercise, times, poses)
            res.rep_events = list(analysis.events)
            res.reps = len(res.rep_events)
            res.advice += [a for a in analysis.advice if a not in res.advice]
            res.signal = {"t": [round(float(t), 3) for t in analysis.signal_t],
                          "value": [None if v is None or not math.isfinite(v) else round(float(v), 2)
                                    for v in analysis.signal_v]}
        elif n_seen:
            res.advice.append("Exercise not recognised with confidence, so reps were not counted: film the "
                              "whole body from the side or at 45°, or pass the exercise explicitly.")
        return res

    def _confirm_by_set(self, res: AnalysisResult, times: Sequence[float], poses: Sequence[Pose | None],
                        windows: Sequence[WindowProbs]) -> RepAnalysis | None:
        """Name the likely exercise of an ``unknown`` video when its counter finds a set in it, or a
        single rep that the windows over it name (:func:`confirms_single`)."""
        from .reps import analyze_reps

        probs = res.probabilities or {}
        if exercise_mass(probs) < SET_MIN_P:
            return None
        candidate = likely_exercise(probs, poses, self.settings.unknown_threshold)
        if candidate is None or not has_evidence(candidate[0], poses):
            return None
        analysis = analyze_reps(candidate[0], times, poses)
        if not (confirms_set(analysis.events) or confirms_single(
                candidate[0], analysis.events, windows, self.settings.unknown_threshold)):
            return None
        res.exercise, res.confidence = candidate
        return analysis

    def window_probs(self, times: Sequence[float], poses: Sequence[Pose | None]) -> list[WindowProbs]:
        """The recogniser's probabilities on each sliding window (``WINDOW_S`` long, every
        ``WINDOW_STEP_S``) that shows the person in enough of its frames."""
        t = np.asarray(times)
        if len(t) == 0:
            return []
        out = []
        for s0 in np.arange(t[0], max(t[0], t[-1] - WINDOW_S) + 1e-9, WINDOW_STEP_S):
            idx = np.nonzero((t >= s0) & (t < s0 + WINDOW_S))[0]
            win = [poses[i] for i in idx]
            seen = sum(p is not None for p in win)
            if seen >= max(3, 0.4 * len(win)):
                probs = self.recognizer.predict_window(win, [times[i] for i in idx])
                out.append(WindowProbs(float(s0), float(s0) + WINDOW_S, seen, probs))
        return out

    def recognise_track(self, times: Sequence[float], poses: Sequence[Pose | None],
                        windows: Sequence[WindowProbs] | None = None) -> dict[str, float]:
        """Exercise probabilities for a whole track: the mean over sliding windows (``windows``, by
        default :meth:`window_probs`), weighted by how much of each window shows the person and how
        exercise-like it looks."""
        if windows is None:
            windows = self.window_probs(times, poses)
        probs = [w.probs for w in windows]
        # windows that look like an exercise count more, so a walk-in or rest does not dilute the set;
        # an all-idle video keeps near-equal weights and stays unknown
        weights = [w.seen * (exercise_mass(w.probs) ** 2 + 0.05) for w in windows]
        if not probs:
            seen_poses = [p for p in poses if p is not None]
            probs = [self.recognizer.predict_pose(p) for p in seen_poses[:: max(1, len(seen_poses) // 10)]]
            weights = None
        return _combine(probs, weights)

    def render_video(self, path: Path, track: Sequence[tuple[float, Pose | None]], res: AnalysisResult,
                     out_path: Path, progress: Progress | None = None) -> None:
        """Second pass: draw skeleton, box, rep counter and cues on every frame; write H.264 MP4."""
        s = self.settings
        assert res.width and res.height
        size = fit_even(res.width, res.height, s.render_max_side)
        times = np.array([t for t, _ in track])
        ends = [(r.end_s, r) for r in res.rep_events]
        total = max(res.duration_s or 1.0, 1e-6)
        with VideoWriter(out_path, res.fps or 30.0, size) as writer:
            for n, vf in enumerate(iter_frames(path, size=size)):
                assert vf.rgb is not None
                i = int(np.searchsorted(times, vf.t))
                a, b = track[max(0, i - 1)], track[min(len(track) - 1, i)]
                pose = _interpolate(a, b, vf.t)
                if pose is not None:
                    pose = pose.scaled(size[0] / res.width, size)
                done = [r for e, r in ends if e <= vf.t]
                cue = None
                if done and vf.t - done[-1].end_s < 2.5 and done[-1].cues:
                    cue = done[-1].cues[0]
                frame = FrameResult(vf.t, pose, res.exercise, res.confidence, reps=len(done), cue=cue)
                writer.write(self.annotator.annotate(vf.rgb.copy(), frame))
                if progress is not None and n % 15 == 0:
                    progress(min(1.0, vf.t / total))
        res.annotated = str(out_path)

    # ---------------------------------------------------------------- files
    def analyze_path(self, path: Path, out_dir: Path | None = None, exercise: str | None = None,
                     progress: Progress | None = None, name: str | None = None) -> AnalysisResult:
        """Analyse one file of either kind; never raises for bad input (the error is in the result)."""
        path = Path(path)
        shown = name or str(path)
        kind = media_kind(path) or "unknown"
        try:
            if not path.is_file():
                raise MediaError("file not found")
            with path.open("rb") as f:
                head = f.read(64)
            if not head:
                raise MediaError("file is empty")
            sniffed = sniff_kind(head)
            kind = sniffed or kind
            if kind == "image" and animated(path):
                kind = "video"
            if kind not in ("image", "video"):
                raise MediaError("unsupported file type; use an image (jpg, png, webp, heic) or a video "
                                 "(mp4, mov, avi, mkv, webm)")
            out = None
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                out = out_dir / (path.stem + ("_annotated.png" if kind == "image" else "_annotated.mp4"))
            if kind == "image":
                rgb = decode_image(path, self.settings.max_image_pixels)
                return self.analyze_image(rgb, shown, exercise=exercise, out_path=out)
            return self.analyze_video(path, progress=progress, out_path=out, exercise=exercise, name=shown)
        except (MediaError, ValueError) as exc:
            return AnalysisResult.failure(shown, kind, str(exc))
        except Exception as exc:  # a bug or a codec crash must not stop a batch
            log.exception("analysis of %s failed", path)
            return AnalysisResult.failure(shown, kind, f"analysis failed: {exc.__class__.__name__}: {exc}")

    # ---------------------------------------------------------------- live
    def session(self, exercise: str | None = None) -> Session:
        """A streaming session (one per webcam connection or live video)."""
        return Session(self, exercise)


#: Live, a rep that takes at most this many times as long as the rep before it (or as short) is
#: like it, as reps of one set are; a 7 s bend after a 3 s pull is not (a lifter adjusting plates).
LIKE_DURATION = 2.0


def _like(rep: RepEvent, before: RepEvent) -> bool:
    a, b = rep.end_s - rep.start_s, before.end_s - before.start_s
    return max(a, b) <= LIKE_DURATION * max(min(a, b), 1e-6)


class Session:
    """Per-stream state for live analysis: pose tracker, recent window, exercise estimate, rep tracker."""

    def __init__(self, pipeline: Pipeline, exercise: str | None = None) -> None:
        self.pipeline = pipeline
        self.forced = normalise_name(exercise) if exercise else None
        self._estimator: PoseEstimator | None = None  # made on the first frame (process_pose needs none)
        self._window: deque[tuple[float, Pose | None]] = deque()
        self._label = self.forced or UNKNOWN
        self._confidence = 1.0 if self.forced else 0.0
        self._probs: dict[str, float] = {}
        self._masses: deque[tuple[float, float]] = deque(maxlen=SET_MASS_HISTORY)  # (t, exercise mass)
        self._candidate: str | None = None
        self._last_recognise = -math.inf
        self._tracker: LiveRepTracker | None = None
        self._tracker_label: str | None = None
        self.events: list[RepEvent] = []
        # While unknown: the likely exercise and its share, counted on trial by a tracker of its own
        # (with the reps it found), and the exercise a counted set confirmed (named while it stays
        # the likely one). The tracker's reps not reported yet, and what reported reps were counted as.
        self._trial: tuple[str, float] | None = None
        self._trial_tracker: tuple[str, LiveRepTracker, list[RepEvent]] | None = None
        self._confirmed: str | None = None
        self._pending: list[RepEvent] = []
        self._set_exercise: str | None = None
        self._last_cue: tuple[float, str] | None = None
        self._picks: deque[tuple[float, Detection | None]] = deque()  # detector backend only
        from .reps.detect import Continuity

        self._continuity = Continuity()  # of the pose from frame to frame
        self._jumps: deque[float] = deque()  # times in the window the pose jumped

    @property
    def reps(self) -> int:
        return len(self.events)

    @property
    def set_exercise(self) -> str:
        """The exercise the set's reps were counted as (the latest one); else the current label,
        which may be ``unknown`` for a moment in the middle of a set (the floor of a deadlift)."""
        return self._set_exercise or self._label

    def process(self, frame_rgb: np.ndarray, t: float) -> FrameResult:
        """Analyse one frame taken at time ``t`` (seconds) and return what is known now."""
        s = self.pipeline.settings
        if self._estimator is None:
            self._estimator = PoseEstimator(s.pose_model, static=False,
                                            min_detection_confidence=s.min_detection_confidence,
                                            min_tracking_confidence=s.min_tracking_confidence)
        h, w = frame_rgb.shape[:2]
        small, scale = resize_max_side(frame_rgb, s.video_pose_side)
        small_pose = self._estimator.process(small)
        pose = small_pose
        if pose is not None and scale != 1.0:
            pose = pose.scaled(1.0 / scale, (w, h))
        if self.pipeline.detector is not None and self._recognise_due(t):
            pick = self.pipeline.detector_pick(small, small_pose)
            self._picks.append((t, pick))
            while self._picks and self._picks[0][0] < t - LIVE_WINDOW_S:
                self._picks.popleft()
        return self.process_pose(t, pose)

    def _recognise_due(self, t: float) -> bool:
        return not self.forced and t - self._last_recognise >= LIVE_RECOGNISE_EVERY_S

    def process_pose(self, t: float, pose: Pose | None) -> FrameResult:
        """Everything :meth:`process` does after the pose model, for a pose found at time ``t``
        (seconds) by other means: a recorded track replayed, another pose model."""
        self._window.append((t, pose))
        while self._window and self._window[0][0] < t - LIVE_WINDOW_S:
            self._window.popleft()
        self._note_jump(t, pose)
        if self._recognise_due(t):
            self._last_recognise = t
            self._recognise()
        new_reps, signal = self._count(t, pose)
        cue = self._last_cue[1] if self._last_cue and t - self._last_cue[0] < 4.0 else None
        advice = visibility_advice([p for _, p in self._window][-15:]) + self._tracking_advice()
        return FrameResult(t, pose, self._label, self._confidence, dict(self._probs), self.reps, new_reps,
                           cue, advice, signal, int(pose is not None))

    def _count(self, t: float, pose: Pose | None) -> tuple[list[RepEvent], float | None]:
        """Feed the rep trackers; the reps to report now and the current exercise's signal.

        The tracker of the last exercise named keeps counting through spells of ``unknown`` (a lift's
        floor hides the knees for a second); its reps are reported once the exercise is named again.
        While unknown, a likely exercise (``self._trial``) is counted on trial by a tracker of its
        own; when its reps make a set (:func:`confirms_set`) the exercise is named, the trial tracker
        becomes the tracker and the reps are reported together.
        """
        if self._label in EXERCISES and self._tracker_label != self._label:
            self._tracker, self._pending = self._start_tracker(self._label)
            self._tracker_label = self._label
        signal = None
        if self._tracker is not None:
            rep, signal = self._tracker.update(t, pose)
            self._pending += [rep] if rep else []
        trial = self._trial if self._label not in EXERCISES else None
        if trial is not None and trial[0] != self._tracker_label:
            if self._trial_tracker is None or self._trial_tracker[0] != trial[0]:
                self._trial_tracker = (trial[0], *self._start_tracker(trial[0]))
            _, tracker, found = self._trial_tracker
            rep, _ = tracker.update(t, pose)
            found += [rep] if rep else []
            if confirms_set(found):
                self._tracker, self._tracker_label, self._pending = tracker, trial[0], found
        if trial is not None and trial[0] == self._tracker_label and confirms_set(self._pending) \
                and self._set_mass(self._pending[0].start_s) >= SET_MIN_P:
            (self._label, self._confidence), self._confirmed = trial, trial[0]
        reported = self._release(t)
        return ([], None) if reported is None else (reported, signal)

    def _set_mass(self, since: float, until: float = math.inf) -> float:
        """The exercises' probability together (``exercise_mass``) in the windows read since ``since``
        (the set's first rep; up to ``until``): the median, so that one window's blip does not make a
        set of a stretch or a lying person whom the recogniser reads as doing no exercise for the rest
        of it. The latest reading where none was made then."""
        masses = [m for t, m in self._masses if since <= t <= until]
        return float(np.median(masses)) if masses else exercise_mass(self._probs)

    def _release(self, t: float) -> list[RepEvent] | None:
        """Report the tracker's pending reps that may be reported now: all of them when its exercise
        is the label, those going on with the set while the label reads ``unknown``; None while they
        wait for their exercise to be named."""
        if self._label == UNKNOWN and self._tracker_label == self._set_exercise:
            return self._report(t, self._continuing(), self._set_exercise)
        if self._label != self._tracker_label:
            return None
        self._trial_tracker = None
        # reps found while the recogniser was sure no exercise was done (the label unknown: the tracker
        # kept counting) are movements of someone lying or standing about, not the set
        reported = [r for r in self._pending if self._set_mass(r.start_s, r.end_s) >= SET_MIN_P]
        self._pending = []
        return self._report(t, reported)

    def finish(self) -> list[RepEvent]:
        """End of the stream (the set saved, the camera stopped, a recording replayed to its end): a
        last rep on its way back past half its range counts, as in video analysis
        (:meth:`LiveRepTracker.finish`), reported as the tracker's reps are. Returns the reps reported."""
        if self._tracker is None:
            return []
        rep = self._tracker.finish()
        self._pending += ([rep] if rep else []) + self._tracker.pending()
        return self._release(self._window[-1][0] if self._window else 0.0) or []

    def _continuing(self) -> list[RepEvent]:
        """The pending reps that go on with the set counted last (each starting within
        ``SET_CONTINUE_S`` of the previous rep's end, and ``_like`` it): a label that reads
        ``unknown`` for a while mid-set does not hold them back (a real deadlift double whose second
        pull read unknown was reported only if the exercise was named again, and its clip ended
        first)."""
        out: list[RepEvent] = []
        while self._pending and self.events:
            rep, before = self._pending[0], (out or self.events)[-1]
            if rep.start_s - before.end_s > SET_CONTINUE_S or not _like(rep, before):
                break
            out.append(self._pending.pop(0))
        return out

    def _start_tracker(self, exercise: str) -> tuple[LiveRepTracker, list[RepEvent]]:
        """A rep tracker for ``exercise`` that has replayed the window (the set may have begun before
        it was recognised), with the reps found there after the last one already counted."""
        from .reps import LiveRepTracker

        tracker = LiveRepTracker(exercise)
        done_s = self.events[-1].end_s if self.events else -np.inf
        found = []
        for t_old, p_old in list(self._window)[:-1]:
            early, _ = tracker.update(t_old, p_old)
            if early is not None and early.start_s >= done_s:
                found.append(early)
        return tracker, found

    def _report(self, t: float, reps: list[RepEvent], exercise: str | None = None) -> list[RepEvent]:
        """Number new reps, add them to the set (of ``exercise``, by default the label) and keep the
        latest cue."""
        if reps:
            self._set_exercise = exercise or self._label
        for rep in reps:
            rep.index = len(self.events) + 1
            self.events.append(rep)
            if rep.cues:
                self._last_cue = (t, rep.cues[0])
        return reps

    def _note_jump(self, t: float, pose: Pose | None) -> None:
        """Record a jump of the pose since the last frame that had one (the batch's identity break)."""
        from .reps.signals import body_scale

        while self._jumps and self._jumps[0] < t - LIVE_WINDOW_S:
            self._jumps.popleft()
        if pose is None:
            return
        scale = float(body_scale(pose.xyz[None], pose.visibility[None])[0])
        if self._continuity.jumped(t, pose.xy, pose.visibility, scale):
            self._jumps.append(t)

    def _tracking_advice(self) -> list[str]:
        """``reps.tracking_advice`` over the window: the pose jumping or lost while the set goes on."""
        from .reps.analysis import tracking_advice

        seen = [i for i, (_, p) in enumerate(self._window) if p is not None]
        lost = 1.0 - len(seen) / (seen[-1] - seen[0] + 1) if len(seen) >= 2 else 0.0
        return tracking_advice(len(self._jumps), lost)

    def _recognise(self) -> None:
        times = [t for t, _ in self._window]
        poses = [p for _, p in self._window]
        seen = [p for p in poses if p is not None]
        if not seen:
            self._label, self._confidence, self._probs = UNKNOWN, 0.0, {}
            return
        rec = self.pipeline.recognizer
        if len(seen) >= 8 and times[-1] - times[0] >= 1.5:
            probs = rec.predict_window(poses, times)
        else:
            probs = rec.predict_pose(seen[-1])
        label, conf = self.pipeline.decide(probs, seen[-15:], named=self._label)
        if self._picks:  # detector backend: its vote over the window names the exercise when sure
            from .yolo.vote import vote_track

            voted, voted_conf, box = vote_track([d for _, d in self._picks],
                                                threshold=self.pipeline.settings.unknown_threshold * 0.5)
            if box is not None:
                label, conf = voted, voted_conf
        self._probs = probs
        self._masses.append((times[-1], exercise_mass(probs)))
        self._trial = None
        if label == UNKNOWN and not self._picks:
            trial = likely_exercise(probs, poses, self.pipeline.settings.unknown_threshold)
            if trial is not None and (trial[0] == self._label or has_evidence(trial[0], seen[-15:])):
                self._trial = trial
                if trial[0] == self._confirmed:  # a set of it was counted: keep naming it
                    label, conf = trial
        label, conf = self._keep_set(label, conf, probs, poses, times[-1])
        # switch only when two consecutive estimates agree, so a rep's bottom does not flip the label
        if label == self._label:
            self._confidence, self._candidate = conf, None
        elif self._candidate == label or self._label == UNKNOWN:
            self._label, self._confidence, self._candidate = label, conf, None
        else:
            self._candidate = label

    def _keep_set(self, label: str, conf: float, probs: dict[str, float], poses: Sequence[Pose | None],
                  t: float) -> tuple[str, float]:
        """Mid-set, the set's exercise where the recogniser names its look-alike but the posture
        (:func:`~gymvision.recognition.posture.squat_or_deadlift`) does not: a deadlift's floor
        reads as a squat's bottom now and then, and each switch would start the count afresh.
        The confidence is then the two look-alikes' probabilities together."""
        from .recognition.model import LOOKALIKES
        from .recognition.posture import squat_or_deadlift

        held = self._set_exercise
        if (held is None or label == held or {label, held} - set(LOOKALIKES) or not self.events
                or t - self.events[-1].end_s > SET_CONTINUE_S or squat_or_deadlift(poses) == label):
            return label, conf
        return held, sum(probs.get(k, 0.0) for k in LOOKALIKES)

    def close(self) -> None:
        if self._estimator is not None:
            self._estimator.close()
            self._estimator = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
