"""Causal, frame-by-frame rep counting for live sessions.

A small state machine on the One-Euro-filtered, oriented vertical channel ``x`` (turning points are
maxima; the vertical channel is the better conditioned one from most views, see ``signals``):
``rest`` → (x leaves the rest level) → ``out`` → (x falls back from its extreme) → ``back`` → rep
reported when x is back near the rest level, or has stalled / reversed after returning at least half
way (a lifter who stops short of lockout still gets the rep). Thresholds adapt to the median range of
the person's last reps. The rep is reported when it ends, well within 0.5 s.

A second machine runs the same way on the joint angle; its reps count only while the vertical channel
is mostly unseen or weak (recent range < 45 % of the exercise's typical one and under half the
angle's: a limb filmed end-on), or runs against the lift (a camera looking down: flipped after two
similar reps against it while the channels anti-correlate), and never twice. The first rep of a set
has no typical range to be judged by, so it must be sizeable and brisk; a small or slow one is counted
only when a similar rep follows within a few seconds, and is then reported with it, one rep late (as
a doubtful first deadlift pull is). No rep counts while the hips travel sideways (walking). Rep
boundaries are timed afterwards on lag-free smoothed samples with the batch detector's minimum-jerk
model.
"""

from __future__ import annotations

import functools
import logging
from collections import deque
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..landmarks import L
from ..results import Pose, RepEvent
from .detect import (
    GATE_FRAC,
    GLITCH_MAX_S,
    HOLD_S,
    MAX_GAP_S,
    ONSET_FRAC,
    REL_ROM,
    REST_SLACK_V,
    SEATED_SLACK_V,
    SIMILAR,
    SMOOTH_S,
    VEL_FRAC,
    Continuity,
    _velocity,
    clip_view,
    min_jerk,
    returns_to,
)
from .filters import OneEuro, median_gaps, savgol_gaps
from .signals import (
    ARMS,
    LEGS,
    MIN_VISIBILITY,
    SEATED_MAX,
    SIGNAL_MIN_VIS,
    UPRIGHT_MIN,
    Frame,
    PoseArrays,
    channels_of,
    frame_of,
    get_spec,
    person_changed,
    vertical_scalar,
)

if TYPE_CHECKING:
    from ..form import FormResult

log = logging.getLogger(__name__)

#: Fraction of the range that must be recovered before a rep is reported at once.
REPORT_FRAC = 0.85
#: Share of the range a rep must come back before a stall (or the end of a recorded clip) reports it.
HALF_BACK = 0.5
#: Time the signal must stall after returning ``HALF_BACK`` before the rep is reported anyway.
STALL_S = 0.3
#: The joint angle must change by at least this share of the exercise's minimum range (either way:
#: live there is no clip to tell a clean angle from one squeezed by the view).
LIVE_MIN_ANGLE_FRAC = 0.2
#: Filtered samples kept to time the rep in progress (enough for a 15 s rep at 60 fps).
TRACE_LEN = 1000
#: A rep's end is predicted at most this long after it is reported (see ``_refine``).
END_AHEAD_S = 0.6
#: Poses kept for the form rules of the rep in progress.
BUFFER_S = 20.0
#: Samples of each channel kept to judge which one follows the lift (about 8 s at 30 fps).
QUALITY_LEN = 240
#: A rep in progress survives a gap of the channel this long (a wrist hidden behind the head).
LIVE_MAX_GAP_S = 2.0 * MAX_GAP_S
#: Body-scale ratio between consecutive frames taken as a new person (with no jump of the landmarks):
#: larger than batch's, for a single frame's scale changes with the pose (a deadlift filmed from the
#: front rises from 0.7 to 1.0 of its standing scale between two frames at 15 fps).
LIVE_JUMP_RATIO = 1.8
#: The vertical channel is in % of a reference body scale: this percentile of the last ``SCALE_LEN``
#: frames' scales (a single frame's scale shrinks as limbs foreshorten, never grows: a median of the
#: last few seconds drifted with the pose, by a fifth during a slow deadlift).
SCALE_Q = 50
SCALE_LEN = 300
#: A seated lift starts with the hips at most this far over the knees (% of body scale): looser than
#: batch's ``SEATED_MAX`` since a camera looking down sees level thighs at up to ~60 % (a standing quad
#: stretch or a bend starts at 70–100 %); knees far over the hips are a camera above the knees.
SEATED_MAX_LIVE = SEATED_MAX + SEATED_SLACK_V  # 65 %
#: Frames between re-judging the channels.
QUALITY_EVERY = 10
#: The joint-angle channel counts instead of the vertical one when the vertical one is mostly unseen,
#: or when its recent range (share of the exercise's typical range) is below ``WEAK_VERT`` while the
#: angle's is at least ``ANGLE_GAIN`` times larger (a limb filmed end-on, a camera looking down).
WEAK_VERT = 0.45
ANGLE_GAIN = 2.0
#: The first rep of a set (no rep in the last ``SET_GAP_S``) has no typical range to be judged against,
#: and bending to load or grip the bar, stretching or walking look like one: it must reach this share
#: of the exercise's typical range, go out within ``FIRST_OUT_MAX_S`` and last at most
#: ``FIRST_MAX_S`` (on the synthetic clips real first reps reach ≥ 0.49 of it in 95 %, go out in
#: ≤ 4.4 s and last ≤ 6 s; idle movements are slower or smaller more often than not).
FIRST_MIN_SHARE = 0.45
FIRST_OUT_MAX_S = 4.5
FIRST_MAX_S = 6.0
#: ... not counting the time held within this share of the range of the turn.
TURN_HOLD_FRAC = 0.1
SET_GAP_S = 15.0
#: A doubtful first rep vouches for a similar one starting within this time after it.
DOUBT_S = 6.0
#: A vouched-for pull may end this long after its voucher starts (refined boundaries meet mid-way).
DOUBT_OVERLAP_S = 0.5
#: Reps counted on the angle channel must still move the vertical channel the lift's way by this
#: share of its minimum range (the knee swing of walking does not lower the hips); the first rep of a
#: set by the larger share.
ANGLE_MIN_VERT_FRAC = 0.2
ANGLE_MIN_VERT_FRAC_FIRST = 0.4
#: The joint-angle machine counts only where the vertical channel is weak or unseen; its reps must be
#: well seen (visibility of the joint's landmarks): a hidden elbow wandering on a still body made reps.
ALT_MIN_CONFIDENCE = 0.45
#: A rep during which the hips travel sideways more than this many body scales is walking (a squat's
#: or a deadlift's hips move back well under one).
WALK_MAX_SCALES = 1.2
#: The vertical channel runs against the lift (a camera looking down: the foot of a leg extension
#: comes towards it and sinks in the image) when two similar reps in a row on the joint angle moved it
#: against the lift while its correlation with the angle over the last ``QUALITY_LEN`` frames was
#: below ``FLIP_CORR`` (arms lowered after a set also run the two apart, but once); it is taken as
#: upright again when the correlation rises above ``UNFLIP_CORR``. Both channels must move (recent
#: range ≥ ``FLIP_MIN_SHARE`` of their typical one) for the correlation to be judged.
FLIP_CORR = -0.5
UNFLIP_CORR = 0.0
FLIP_MIN_SHARE = 0.1
#: The first rep of a set must look like the lift, not like reaching down to load a plate or pick
#: something up (% of the body scale). A squat starts standing (trunk up, see ``UPRIGHT_MIN``) and
#: keeps the trunk up: folded to less than ``FOLD_MAX`` of its starting height (shoulders over hips)
#: with the hands below the hips, it is a reach (on the synthetic clips real first squats keep ≥ 0.83
#: of it, and a barbell, goblet or front squat holds the hands up anyway). A deadlift starts with the
#: bar on the floor over the mid-foot: hands at least ``FLOOR_BELOW_KNEES`` below the knees and at
#: most ``FLOOR_AHEAD_MAX`` in front of (or behind) the ankles (real first reps: ≥ 20 % below,
#: ≤ 46 % ahead, a camera above included).
#: A push-up lowers the shoulders towards the hands: shoulders over hips never rise by more than
#: ``PUSH_UP_RISE_MAX`` at the bottom (real first reps: ≤ 0, from every camera; a bench re-rack seen
#: from the feet sits up: +12).
FOLD_MAX = 0.8
PUSH_UP_RISE_MAX = 5.0
#: ... unless the shoulders drop down the image by this much (% of the body scale): filmed from the
#: front, the hips hide behind the body and BlazePose redraws them far below the shoulders at the
#: bottom (a real first push-up: trunk +37, shoulders down 93; sitting and leaning forward on the
#: synthetic clips: +17, 16; synthetic push-ups that rise at all: down 200).
PUSH_UP_DROP_MIN = 40.0
REACH_BELOW_HIPS = 0.0
FLOOR_BELOW_KNEES = 15.0
FLOOR_AHEAD_MAX = 50.0
#: How far short of the two (hands below the knees, ahead of the feet) a first deadlift rep may fall and
#: still count when a similar one follows (BlazePose on rendered sets from 45°: -2 to 27 % below the
#: knees, 20-72 % ahead).
FLOOR_DOUBT = (20.0, 25.0)
#: A bench press brings the bar down over the chest, the forearms upright under it. A first rep whose
#: hands end far towards the hips along the trunk, less half the forearms' rise (wrist over elbow, which
#: adds to the reach in an image taken from the head end), by more than ``BAR_REACH_MAX`` is arms
#: lowered to the sides after re-racking, not a rep (bench reps on the synthetic clips: at most 71;
#: arms lowered after a re-rack: 39–115, over 75 in 13 of 17).
BAR_REACH_MAX = 75.0
#: A push-up moves the shoulders, the hands stay planted: a rep of the shoulders-over-hands channel in
#: which neither seen shoulder's own height changes by ``SHOULDERS_MOVE_MIN`` (% of the body scale; the
#: channel's own minimum range is 15) is the hands moving, sitting or lying with the arms busy. On the
#: synthetic clips real reps move them by ≥ 21 (filmed from above; mostly 30-200), idle false reps by
#: 1-10 in 9 of 10. The joint-angle machine counts where that channel is weak (filmed from the feet,
#: the shoulders move 7-12): its reps are not checked.
SHOULDERS_MOVE_MIN = 12.0
#: A squat starts standing, the thighs about as tall in the image as the shins from every camera (real
#: first reps on the synthetic clips: ≥ 0.83 of them at rest); seated, filmed from the front, the thighs
#: point at the camera (0.3-0.5): a first "squat" that starts with thighs under ``THIGH_SHIN_MIN`` of the
#: shins is getting up or shifting on a seat.
THIGH_SHIN_MIN = 0.6


class _Marks(NamedTuple):
    """Where the body is in one frame, for the gates of a rep's rest and turn (see ``_marks``); NaN
    where unseen. Lengths in % of the body scale, image axes."""

    hands_below_hips: float
    hands_below_knees: float
    hands_ahead: float  # in front of (or behind) the ankles
    forearm_rise: float  # wrist over elbow, the more upright arm
    hands_reach: float  # along the trunk from the shoulders towards the hips, the further hand
    shoulder_left_y: float  # each shoulder's height in the image
    shoulder_right_y: float
    thigh_shin: float  # the thighs' height in the image over the shins' (legs seen clearly)
    hand_over_shoulder: float  # the wrist over its shoulder when only one arm is clearly seen (side on)


_UNSEEN = _Marks(*(float("nan"),) * len(_Marks._fields))


@dataclass
class _Rep:
    start_t: float
    start_angle: float
    peak_x: float
    peak_t: float
    peak_angle: float
    near_first: float
    near_last: float
    back_min: float = float("inf")
    back_min_t: float = 0.0
    start_x: float = float("nan")
    start_up: float = float("nan")
    start_thigh: float = float("nan")
    peak_up: float = float("nan")
    start_marks: _Marks = _UNSEEN
    peak_marks: _Marks = _UNSEEN
    amp: float = float("nan")
    bend: float = 0.0  # the angle's largest change from the start (not only at the turn)
    n_valid: int = 0
    n_frames: int = 0
    q_sum: float = 0.0


#: A frame held back: (time, pose, the pose as read (``signals.frame_of``), whether it starts another
#: person: ``LIVE_JUMP_RATIO``).
_HeldFrame = tuple[float, Pose | None, Frame | None, bool]


@dataclass
class _Held:
    """Frames held back after an identity break, in case the body comes back (``detect.GLITCH_MAX_S``)."""

    t0: float
    before: tuple[np.ndarray, np.ndarray, float]  # the last pose before the break: xy, visibility, scale
    frames: list[_HeldFrame]


class LiveRepTracker:
    """Counts reps of one exercise from a stream of poses; one instance per session and exercise."""

    def __init__(self, exercise: str, *, with_form: bool = True, channel: str = "vertical") -> None:
        self.exercise = exercise
        self.spec = get_spec(exercise)
        self.with_form = with_form
        self.channel = channel  # "vertical" (the counter) or "angle" (its fallback, run alongside)
        self._sign = 1.0 if self.spec.turn_high else -1.0  # orients the channels so the lift goes up
        self._rest_min = self.spec.rest_min_v - REST_SLACK_V  # lowest start position (vertical, % scale)
        self._alt = LiveRepTracker(exercise, with_form=False, channel="angle") if channel == "vertical" \
            else None
        self._root = self  # the tracker that counts (the angle machine's is the vertical one's)
        if self._alt is not None:
            self._alt._root = self
        self._use_alt = False
        self._alt_counted = False  # the last rep counted came from the angle machine
        self.flipped = False  # angle machine: the vertical channel runs against the lift (``FLIP_CORR``)
        self._corr = 0.0  # correlation of the two channels over the last frames
        self._reversed = (float("-inf"), float("nan"))  # end and range of the last rep against the lift
        self._pairs: deque[tuple[float, float]] = deque(maxlen=QUALITY_LEN)  # (vertical, angle) x
        self._hist: deque[float] = deque(maxlen=QUALITY_LEN)
        self._seen: deque[bool] = deque(maxlen=QUALITY_LEN)
        self._n_frames = 0
        self._fed = False  # this frame's sample of the channel was usable
        self._span = (0.0, 0.0)  # of the last rep found: left the rest level, found
        self._last_rep_end = float("-inf")
        self._doubtful = (float("-inf"), float("nan"))
        self._floor_doubt = (float("-inf"), float("nan"))  # end and range of the last doubtful deadlift
        self._doubted: RepEvent | None = None  # that pull, as it would be reported if vouched for
        self._doubted_first: RepEvent | None = None  # the last small or slow first rep, as reported
        self._vouched: RepEvent | None = None  # the doubtful rep the rep just emitted vouched for
        self._hip_x: deque[tuple[float, float]] = deque(maxlen=TRACE_LEN)  # hips' image x (pixels)
        self._marks_hist: deque[_Marks] = deque(maxlen=3)
        self.count = 0
        self.events: list[RepEvent] = []
        self._advice: list[str] = []  # camera advice of the reps so far, line by line as the rules gave it
        self._set_forms: list[FormResult] = []  # the current set's reps (``form.compare_within_set``)
        self._amps: deque[float] = deque(maxlen=6)
        self._scales: deque[float] = deque(maxlen=SCALE_LEN)
        self._scale_ref: float | None = None
        self._qual = {"left": 0.0, "right": 0.0}
        self._buffer: deque[tuple[float, Pose | None]] = deque()
        self._filter = OneEuro()
        self._angle_filter = OneEuro()
        self._reset_state()
        self._last_valid_t: float | None = None
        self._continuity = Continuity()  # as batch: a break holds frames back (``update``)
        self._held: _Held | None = None
        self._queued: deque[RepEvent] = deque()  # reps found replaying held frames, reported one a frame

    # -- state -------------------------------------------------------------------------------------
    def _reset_state(self) -> None:
        self._state = "rest"
        self._rest_x = float("inf")
        self._rest_t = 0.0
        self._rest_angle = float("nan")
        self._rest_up = float("nan")
        self._torso_up = float("nan")
        self._thigh_up = float("nan")  # hips over knees (% of body scale), followed for seated lifts only
        self._rest_thigh = float("nan")
        self._marks = _UNSEEN  # this frame's
        self._rest_marks = self._marks
        self._rep: _Rep | None = None
        self._filter.reset()
        self._angle_filter.reset()
        self._recent: deque[float] = deque(maxlen=3)
        self._trace: deque[tuple[float, float, float]] = deque(maxlen=TRACE_LEN)  # (t, filtered, raw)
        self._recent_angle: deque[float] = deque(maxlen=3)

    @property
    def typical(self) -> float:
        """The person's typical range (median of recent reps, the exercise default before any)."""
        return float(np.median(self._amps)) if self._amps else self._exercise_typical

    @property
    def _exercise_typical(self) -> float:
        """The exercise's typical range on this machine's channel (degrees or % of body scale)."""
        return self.spec.typical_rom_deg if self.channel == "angle" else self.spec.typical_range_v

    @property
    def threshold(self) -> float:
        floor = self.spec.min_rom_deg if self.channel == "angle" else self.spec.min_range_v
        return max(floor, REL_ROM * self.typical)

    def _range_share(self) -> float:
        """Recent range of this channel (5th–95th percentile) as a share of the exercise's typical one."""
        if len(self._hist) < 15:
            return float("nan")
        lo, hi = np.percentile(np.fromiter(self._hist, float), [5, 95])
        return float(hi - lo) / self._exercise_typical

    def _judge_channels(self) -> None:
        alt = self._alt
        assert alt is not None
        seen_v = float(np.mean(self._seen)) if self._seen else 0.0
        seen_a = float(np.mean(alt._seen)) if alt._seen else 0.0
        if seen_v < 0.3:
            self._use_alt = seen_a >= 0.6
            return
        qv, qa = self._range_share(), alt._range_share()
        self._judge_corr(qv, qa)
        if alt.flipped:  # the vertical machine's rest is the turn: count on the angle while it is seen
            self._use_alt = seen_a >= 0.6
            return
        self._use_alt = bool(np.isfinite(qv) and np.isfinite(qa) and qv < WEAK_VERT and qa >= ANGLE_GAIN * qv)

    def _judge_corr(self, qv: float, qa: float) -> None:
        """Correlation of the two oriented channels over the last frames (0 while either is still)."""
        alt = self._alt
        assert alt is not None
        corr = 0.0
        if len(self._pairs) >= QUALITY_LEN // 4 and qv >= FLIP_MIN_SHARE and qa >= FLIP_MIN_SHARE:
            v, a = np.array(self._pairs).T
            if np.std(v) > 1e-6 and np.std(a) > 1e-6:
                corr = float(np.corrcoef(v, a)[0, 1])
        alt._corr = corr
        if corr > UNFLIP_CORR:
            alt.flipped = False

    # -- input -------------------------------------------------------------------------------------
    def _angle(self, frame: Frame) -> tuple[float, float, float, float]:
        """Angle of the chosen side(s), its quality, the vertical channel and the body scale of one frame.

        Steps the sides' quality averages and sets the trunk's uprightness: called once per frame fed.
        """
        scale_ref = self._scale_ref
        al, ql, ar, qr, vert, scale, self._torso_up = channels_of(self.exercise, frame, scale_ref)
        for side, q in (("left", ql), ("right", qr)):
            self._qual[side] += 0.1 * ((q if q == q else 0.0) - self._qual[side])
        okl = ql >= SIGNAL_MIN_VIS and al == al
        okr = qr >= SIGNAL_MIN_VIS and ar == ar
        ql_s, qr_s = self._qual["left"], self._qual["right"]
        if okl and okr and ql_s >= 0.6 and qr_s >= 0.6 and abs(ql_s - qr_s) < 0.15:
            return (al + ar) / 2, (ql + qr) / 2, vert, scale
        if okl and (self._qual["left"] >= self._qual["right"] or not okr):
            return al, ql, vert, scale
        if okr:
            return ar, qr, vert, scale
        return float("nan"), 0.0, vert, scale

    def _same_person(self, t: float, pose: Pose, scale: float) -> bool:
        return not self._continuity.jumped(t, pose.xy.astype(float), pose.visibility.astype(float), scale)

    def update(self, t: float, pose: Pose | None) -> tuple[RepEvent | None, float | None]:
        """Feed one frame; returns the rep completed at this frame (or None) and the smoothed joint angle.

        After an identity break the new body's frames are held back for up to ``GLITCH_MAX_S`` (no
        angle is returned meanwhile). If the body comes back to where it was, they were the pose
        model's glitch and are fed as unseen; otherwise they are fed as they are, after a reset of the
        rep state if the break reads as another person (live, one frame's body scale may change more
        than over batch's clip: ``LIVE_JUMP_RATIO``).
        """
        frame = None if pose is None else frame_of(self.exercise, pose)
        scale = float("nan") if frame is None else frame.scale
        before = self._continuity.last
        jumped = pose is not None and not self._same_person(t, pose, scale)
        other = jumped and before is not None and person_changed(
            before[1], before[2], before[3], pose.xy, pose.visibility, scale, t - before[0],
            max_ratio=LIVE_JUMP_RATIO)
        held = self._held
        if held is not None and jumped and returns_to(held.before, pose.xy, pose.visibility, scale):
            log.debug("body back at t=%.2f: %.2f s glitch dropped", t, t - held.t0)
            self._release([(t_old, None, None, False) for t_old, *_ in held.frames])
            jumped = other = False
        elif held is None and jumped and before is not None:
            self._held = _Held(t, before[1:], [])
        if self._held is not None and t - self._held.t0 <= GLITCH_MAX_S:
            self._held.frames.append((t, pose, frame, other))
            return self._next(None), None
        if self._held is not None:
            self._release(self._held.frames)
        if other:
            self._new_person(t)
        event, angle = self._advance(t, pose, frame)
        return self._next(event), angle

    def _next(self, event: RepEvent | None) -> RepEvent | None:
        """Queue ``event`` behind the reps found replaying held frames; the one to report now."""
        if event is not None:
            self._queued.append(event)
        return self._queued.popleft() if self._queued else None

    def _release(self, frames: list[_HeldFrame]) -> None:
        """End a hold: feed its ``frames``, resetting the rep state where another person starts."""
        self._held = None
        for t_old, p_old, f_old, other in frames:
            if other:
                self._new_person(t_old)
            replayed, _ = self._advance(t_old, p_old, f_old)
            if replayed is not None:
                self._queued.append(replayed)

    def _new_person(self, t: float) -> None:
        log.debug("person changed at t=%.2f; rep state reset", t)
        self._scales.clear()
        self._scale_ref = None
        self._reset_state()
        assert self._alt is not None
        self._alt._reset_state()
        self._alt.flipped = False

    def _advance(self, t: float, pose: Pose | None, frame: Frame | None
                 ) -> tuple[RepEvent | None, float | None]:
        """One frame of one person (``frame``: the pose as read) through both machines, its channels
        measured now (:meth:`_angle`: in the body scale of the person being followed, a new one's own
        after :meth:`_new_person`)."""
        self._buffer.append((t, pose))
        while self._buffer and self._buffer[0][0] < t - BUFFER_S:
            self._buffer.popleft()
        ang, q, vert, scale = (float("nan"), 0.0, float("nan"), float("nan")) if frame is None \
            else self._angle(frame)
        assert self._alt is not None
        if np.isfinite(scale):
            self._scales.append(scale)
            if self._scale_ref is None or len(self._scales) < 90 or self._n_frames % QUALITY_EVERY == 0:
                self._scale_ref = float(np.percentile(self._scales, SCALE_Q))
        if pose is not None:
            self._hip_x.append((t, (float(pose.xyz[L.LEFT_HIP, 0]) + float(pose.xyz[L.RIGHT_HIP, 0])) / 2))
        if self.spec.seated:
            self._thigh_up = _thigh_up(pose, scale)
        if self.spec.chest_up or self.spec.from_floor or self.spec.forearms_up or self.spec.trunk_lowers \
                or self.spec.rest_min_v > -np.inf:
            self._marks_hist.append(_marks(pose, self._scale_ref))
            # a 3-frame median of each: a hand seen through the body flickers
            med = (_median_finite([m[k] for m in self._marks_hist]) for k in range(len(_Marks._fields)))
            self._marks = self._alt._marks = _Marks(*med)
        self._alt._torso_up, self._alt._thigh_up = self._torso_up, self._thigh_up
        alt_ev, _ = self._alt._feed(t, pose, ang, vert, q)
        own_ev, angle = self._feed(t, pose, vert, ang, q)
        if self._alt._fed and self._fed:  # both channels seen this frame
            self._pairs.append((self._hist[-1], self._alt._hist[-1]))
        self._n_frames += 1
        if self._n_frames % QUALITY_EVERY == 0:
            self._judge_channels()
        return self._count(own_ev, alt_ev), angle

    @property
    def advice(self) -> list[str]:
        """Camera advice of the reps so far, one line per way of filming (``form.merge_advice``)."""
        from ..form import merge_advice

        return merge_advice(self._advice)

    def finish(self) -> RepEvent | None:
        """End of a recorded clip: a rep on its way back and past half its range counts (a video cut
        just before the lockout). Streams do not need it: a live rep is reported as it comes back."""
        assert self._alt is not None
        if self._held is not None:
            self._release(self._held.frames)
        return self._next(self._count(self._flush(), self._alt._flush()))

    def _count(self, own: RepEvent | None, alt: RepEvent | None) -> RepEvent | None:
        """Count the candidate of the channel in use (the angle machine's when the channels chose it),
        after the doubtful first pull it vouches for (reported first; the rep itself a frame later)."""
        assert self._alt is not None
        # a vouched-for pull goes with the rep emitted this frame: a machine not counted drops its own
        own_prior, alt_prior = self._vouched, self._alt._vouched
        self._vouched = self._alt._vouched = None
        if own is not None and not (self._alt.flipped and self._use_alt):
            machine, event, dedupe, prior = self, own, False, own_prior
        elif alt is not None and self._use_alt:
            machine, event, dedupe, prior = self._alt, alt, True, alt_prior
        else:
            return None
        if prior is not None and (not self.events or prior.start_s >= self.events[-1].end_s):
            counted = self._accept(prior, (prior.start_s, prior.end_s), dedupe)
            if counted is not None:
                log.debug("%s: doubtful pull %.2f-%.2f vouched for by the next", machine.channel,
                          prior.start_s, prior.end_s)
                self._queued.append(counted)
        return self._accept(event, machine._span, dedupe)

    def pending(self) -> list[RepEvent]:
        """Reps counted but not reported yet (after :meth:`finish`: a vouched-for pull's follower)."""
        out = list(self._queued)
        self._queued.clear()
        return out

    def _flush(self) -> RepEvent | None:
        rep = self._rep
        if self._state != "back" or rep is None:
            return None
        amp = rep.peak_x - self._rest_x
        returned = rep.peak_x - rep.back_min
        return self._emit(rep.back_min_t, rep, amp, returned) if returned >= HALF_BACK * amp else None

    def _feed(self, t: float, pose: Pose | None, main: float, other: float, q: float
              ) -> tuple[RepEvent | None, float | None]:
        """One frame of this channel's state machine; ``main`` is counted, ``other`` gates (both raw)."""
        vert, ang = main, other
        self._seen.append(bool(np.isfinite(main)))
        self._fed = bool(np.isfinite(main))
        if not np.isfinite(vert):
            if self._last_valid_t is not None and t - self._last_valid_t > LIVE_MAX_GAP_S:
                self._reset_state()
            if self._rep is not None:
                self._rep.n_frames += 1
            return None, None
        self._last_valid_t = t
        sign = self._sign
        self._recent.append(sign * vert)
        x = self._filter(t, float(np.median(self._recent)))  # 3-frame median drops single spikes
        self._trace.append((t, x, sign * vert))
        self._hist.append(x)
        angle = float("nan")
        if np.isfinite(ang):
            self._recent_angle.append(ang)
            angle = self._angle_filter(t, float(np.median(self._recent_angle)))
        return self._step(t, x, sign * angle, q), (angle if np.isfinite(angle) else None)

    # -- state machine -----------------------------------------------------------------------------
    def _step(self, t: float, x: float, angle: float, q: float) -> RepEvent | None:
        thr = self.threshold
        move = 0.3 * thr
        onset = ONSET_FRAC * self.typical
        if self._state == "rest":
            if x < self._rest_x:
                self._rest_x = x
                self._rest_marks = self._marks  # at the lowest point of the rest (a deadlift's bar)
            if x <= self._rest_x + onset:
                self._rest_t = t
                self._rest_up = self._torso_up
                self._rest_thigh = self._thigh_up
                if np.isfinite(angle):
                    g = self._rest_angle
                    self._rest_angle = angle if not np.isfinite(g) else g + 0.3 * (angle - g)
            elif x - self._rest_x >= move:
                self._state = "out"
                self._rep = _Rep(self._rest_t, self._rest_angle, x, t, angle, t, t,
                                 start_up=self._rest_up, peak_up=self._torso_up, start_x=self._rest_x,
                                 start_thigh=self._rest_thigh, start_marks=self._rest_marks,
                                 peak_marks=self._marks)
            return None
        rep = self._rep
        assert rep is not None
        rep.n_frames += 1
        rep.n_valid += 1
        rep.q_sum += q
        if np.isfinite(angle) and np.isfinite(rep.start_angle):
            rep.bend = max(rep.bend, abs(angle - rep.start_angle))
        amp = rep.peak_x - self._rest_x
        if t - rep.start_t > self.spec.max_duration_s:
            self._back_to_rest(t, x)
            return None
        if self._state == "out":
            sign, rest_min = self._sign, self._rest_min
            if self.channel == "vertical" and x > rep.peak_x + move and t - rep.near_first >= HOLD_S \
                    and sign * self._rest_x < rest_min <= sign * rep.peak_x:
                # left a rest that is no start position, held still at one, then went on: the weight
                # was brought to the start (a bar cleaned or dumbbells lifted to the shoulders from
                # hanging arms) and the rep starts from that hold
                self._back_to_rest(rep.peak_t, rep.peak_x)
                self._rest_angle = angle if np.isfinite(angle) else self._rest_angle
                return self._step(t, x, angle, q)
            if x > rep.peak_x:
                if x > rep.peak_x + ONSET_FRAC * max(amp, thr):
                    rep.near_first = t
                rep.peak_x, rep.peak_t = x, t
                rep.peak_up = self._torso_up
                rep.peak_marks = self._marks
                if np.isfinite(angle):
                    rep.peak_angle = angle
            if x >= rep.peak_x - ONSET_FRAC * max(amp, thr):
                rep.near_last = t
            if rep.peak_x - x >= move and amp >= thr:
                self._state = "back"
                rep.back_min, rep.back_min_t = x, t
            elif x <= self._rest_x + onset and amp < thr:
                self._back_to_rest(t, x)
            return None
        # state "back"
        if x > rep.peak_x:  # went further again (a bounce): still the same rep
            self._state = "out"
            rep.peak_x, rep.peak_t, rep.near_last = x, t, t
            return None
        if x < rep.back_min:
            rep.back_min, rep.back_min_t = x, t
        returned = rep.peak_x - rep.back_min
        if x <= self._rest_x + (1 - REPORT_FRAC) * amp:
            return self._emit(t, rep, amp, amp)  # back at the rest level: the whole way
        if returned >= HALF_BACK * amp and (x - rep.back_min >= move or t - rep.back_min_t >= STALL_S):
            return self._emit(rep.back_min_t, rep, amp, returned)
        return None

    def _back_to_rest(self, t: float, x: float) -> None:
        self._state = "rest"
        self._rep = None
        self._rest_x = x
        self._rest_t = t
        self._rest_marks = self._marks

    def _accept(self, event: RepEvent, span: tuple[float, float], dedupe: bool = False) -> RepEvent | None:
        """Count a candidate rep (the angle channel's only when the vertical one did not have it).

        ``span``: from when the channel left its rest level to when the rep was found.
        """
        if dedupe and self.events and event.turn_s <= self.events[-1].end_s:
            return None
        last = self.events[-1] if self.events else None
        if not dedupe and self._alt_counted and last is not None and \
                event.start_s <= last.turn_s <= event.end_s:
            return None  # the angle machine counted this rep first (before the channels were judged)
        if dedupe and event.confidence < ALT_MIN_CONFIDENCE:
            log.debug("angle: rep %.2f-%.2f seen too poorly (confidence %.2f)", event.start_s, event.end_s,
                      event.confidence)
            return None
        t0, t1 = min(span[0], event.start_s), max(span[1], event.end_s)
        xs = [x for tt, x in self._hip_x if t0 <= tt <= t1 and np.isfinite(x)]
        scale = self._scale_ref or float("nan")
        if xs and max(xs) - min(xs) > WALK_MAX_SCALES * scale:
            return None  # walking: a rep is done on the spot
        self.count += 1
        self._alt_counted = dedupe
        event.index = self.count
        if self.with_form:
            self._add_form(event)
        self.events.append(event)
        return event

    def _emit(self, end_t: float, rep: _Rep, amp: float, returned: float) -> RepEvent | None:
        back_min = rep.back_min
        self._state = "rest"
        self._rep = None
        self._rest_x = back_min
        self._rest_t = end_t
        self._rest_marks = self._marks
        dur = end_t - rep.start_t
        other = float("nan")
        if np.isfinite(rep.peak_angle) and np.isfinite(rep.start_angle):
            other = rep.peak_angle - rep.start_angle  # oriented change of the gating channel
        posture = self.spec.posture_ok([rep.start_up, rep.peak_up, self._torso_up], lying_check=True)
        if self.spec.seated and rep.start_thigh > SEATED_MAX_LIVE:  # (knees over hips: from above)
            posture = False  # not seated: a standing quad stretch is no leg extension
        sign = self._sign
        # a set is one of counted reps: a rep this machine found while the other one counted does not
        # start one (an angle wobbling while the vertical channel shows nothing happening)
        counted = self._root.events
        first = not self._amps or end_t - self._last_rep_end > SET_GAP_S or not counted \
            or end_t - counted[-1].end_s > SET_GAP_S
        if self.channel == "angle":
            rom = amp
            posture = posture and self._vertical_moved(other, first, amp, rep.start_t, end_t)
            start_v, peak_v = sign * rep.start_angle, sign * rep.peak_angle  # raw vertical offsets
        else:
            rom = other
            # No angle gate live: the 2D angle can move either way when a limb swings towards the
            # camera, and live there is no whole clip to judge its quality on (batch does that).
            min_angle = LIVE_MIN_ANGLE_FRAC * self.spec.min_rom_deg
            veto = self.spec.angle_veto and np.isfinite(rom) and abs(rom) < min_angle
            view = functools.cache(lambda: self._view(rep.start_t, end_t))  # at most once per rep
            if veto and self.spec.chest_up and rep.bend >= GATE_FRAC * self.spec.min_rom_deg \
                    and view() == "front":
                # squatting facing the camera the thighs point at it at the bottom and the 2D knee
                # angle straightens again: it bends on the way down and up, not at the turn
                veto = False
            if veto and not self._fits_set(amp, first):
                posture = False  # the joint hardly moved: swaying, stepping, fidgeting
            if posture and np.isfinite(rom) and abs(rom) < self.spec.side_min_rom_deg and view() == "side":
                log.debug("%s: rep %.2f bends the joint %.0f° only, filmed from the side", self.channel,
                          rep.start_t, abs(rom))
                posture = False
            start_v, peak_v = sign * rep.start_x, sign * rep.peak_x
        rest_min = self._rest_min
        # from the side the far arm, guessed, is drawn hanging by the body: the seen one tells the rest
        held = rep.start_marks.hand_over_shoulder
        if np.isfinite(start_v) and start_v < rest_min and not (self.spec.vertical == "wrist_over_shoulder"
                                                                and held >= rest_min):
            posture = False  # e.g. a "press" from hanging arms
        if np.isfinite(peak_v) and peak_v < self.spec.turn_min_v:
            posture = False  # e.g. a "push-up" with the hands swung overhead
        small_or_slow = amp < FIRST_MIN_SHARE * self.typical
        # the way out ends on arrival at the turn (``near_first``), not at its highest sample, which may
        # come late in a hold there
        if first and not small_or_slow and (rep.near_first - rep.start_t > FIRST_OUT_MAX_S
                                            or dur > FIRST_MAX_S):
            # timed on the rep's own motion: the channel may have drifted off its rest level long before
            # (standing braced after a walk-out)
            start_r, _, end_r = self._refine(rep, end_t)
            # a hold at the turn (a heavy single's lockout, a paused squat) is no slowness of movement;
            # the other channel may see it better (the vertical one drifts as the body's size is
            # re-estimated when a lifter stands tall: a real 6 s lockout read as 1.6 s on it)
            held = max(self._time_near(start_r, end_r, rep.peak_x - TURN_HOLD_FRAC * amp),
                       self._other_hold(start_r, end_r))
            small_or_slow = rep.near_first - start_r > FIRST_OUT_MAX_S or end_r - start_r - held > FIRST_MAX_S
        vouched = None  # the doubtful first rep this rep vouches for, counted before it
        if first and small_or_slow and posture:
            if not _follows(self._doubtful, rep.start_t, amp):
                # a small or slow first movement: counted only if a similar one follows, and then with it
                # (reported with that second rep, one rep late)
                self._doubtful = (end_t, amp)
                self._doubted_first = self._event(rep, end_t, rom) \
                    if self._whole_first(rep, dur, min(amp, returned)) else None
                posture = False
            else:
                prior = self._doubted_first
                if prior is not None and prior.end_s <= rep.start_t + DOUBT_OVERLAP_S:
                    vouched = prior
                self._doubted_first = None
        if first and posture and self._unlike_the_lift(rep):
            posture = False
        floor = self._from_the_floor(rep) if first and posture and self.spec.from_floor else "yes"
        if floor == "no":
            posture = False
        elif floor == "doubtful":
            # the hands by the shins are read less surely than the lift itself (BlazePose draws them
            # up to the knees and far ahead of the feet from 45°): a second such rep in a row counts,
            # and the first with it (it was a pull after all)
            posture = _follows(self._floor_doubt, rep.start_t, amp)
            if posture and self._doubted is not None and self._doubted.end_s <= rep.start_t + DOUBT_OVERLAP_S:
                vouched = self._doubted
            self._floor_doubt = (end_t, amp)
            self._doubted = None
            if not posture and dur >= self.spec.min_duration_s and min(amp, returned) >= self.threshold:
                self._doubted = self._event(rep, end_t, rom)
        if posture and self._hands_moved(rep):
            posture = False
        if not posture or dur < self.spec.min_duration_s or min(amp, returned) < self.threshold:
            log.debug("%s: rejected rep %.2f-%.2f amp %.1f/%.1f thr %.1f posture %s other %.1f dur %.2f "
                      "first %s", self.channel, rep.start_t, end_t, amp, returned, self.threshold, posture,
                      other, dur, first)
            return None
        if first:
            self._amps.clear()  # a new set: its own typical range
        self._last_rep_end = end_t
        self._span = (rep.start_t, end_t)
        self._amps.append(amp)
        self._vouched = vouched
        return self._event(rep, end_t, rom)

    def _event(self, rep: _Rep, end_t: float, rom: float) -> RepEvent:
        """The rep as reported: boundaries refined (``_refine``), confidence from how well it was seen."""
        start_t, turn, end_t = self._refine(rep, end_t)
        frames = max(rep.n_frames, 1)
        conf = (rep.n_valid / frames) * min(1.0, rep.q_sum / max(rep.n_valid, 1))
        return RepEvent(0, float(start_t), float(turn), float(end_t),
                        float(abs(rom)) if np.isfinite(rom) else 0.0,
                        confidence=float(np.clip(conf, 0.0, 1.0)), concentric_first=self.spec.turn_high)

    def _unlike_the_lift(self, rep: _Rep) -> bool:
        """Whether a first rep looks like something else: reaching down to load a plate or pick
        something up, shifting on a seat, sitting up or lowering the arms after a set.

        Squat: it does not start standing (trunk up, thighs as tall as the shins: ``THIGH_SHIN_MIN``), or
        the trunk folds over (``FOLD_MAX``) with the hands below the hips; push-up: the trunk rises;
        bench press: the hands end by the hips (``BAR_REACH_MAX``). Unseen landmarks veto nothing.
        (Deadlift: :meth:`_from_the_floor`, which a second such rep in a row overrules.)
        """
        if self.spec.trunk_lowers and rep.peak_up - rep.start_up > PUSH_UP_RISE_MAX \
                and not _shoulders_drop(rep) >= PUSH_UP_DROP_MIN:
            log.debug("%s: first rep %.2f raises the trunk (%.0f -> %.0f %%)", self.channel, rep.start_t,
                      rep.start_up, rep.peak_up)
            return True
        if self.spec.chest_up and rep.start_up < UPRIGHT_MIN:
            log.debug("%s: first rep %.2f does not start standing (trunk %.0f %%)", self.channel, rep.start_t,
                      rep.start_up)
            return True
        if self.spec.chest_up and rep.start_marks.thigh_shin < THIGH_SHIN_MIN:
            log.debug("%s: first rep %.2f does not start standing (thighs %.2f of the shins)", self.channel,
                      rep.start_t, rep.start_marks.thigh_shin)
            return True
        folded = rep.peak_up < FOLD_MAX * rep.start_up
        if self.spec.chest_up and folded and rep.peak_marks.hands_below_hips > REACH_BELOW_HIPS:
            log.debug("%s: first rep %.2f folds over (trunk %.0f -> %.0f %%, hands %.0f %% below the hips)",
                      self.channel, rep.start_t, rep.start_up, rep.peak_up, rep.peak_marks.hands_below_hips)
            return True
        rise, reach = rep.peak_marks.forearm_rise, rep.peak_marks.hands_reach
        if self.spec.forearms_up and reach - 0.5 * rise > BAR_REACH_MAX:
            log.debug("%s: first rep %.2f lowers the hands to the hips (reach %.0f %%, forearms %.0f %%)",
                      self.channel, rep.start_t, reach, rise)
            return True
        return False

    def _whole_first(self, rep: _Rep, dur: float, amp: float) -> bool:
        """Whether a doubtful first rep (small or slow) would count once a similar rep vouches for it: long
        and large enough (``amp``: the smaller of its two halves), and like the lift (the first-rep checks
        a counted rep passes: :meth:`_unlike_the_lift`, :meth:`_from_the_floor`, :meth:`_hands_moved`)."""
        if dur < self.spec.min_duration_s or amp < self.threshold or self._unlike_the_lift(rep):
            return False
        if self.spec.from_floor and self._from_the_floor(rep) != "yes":
            return False
        return not self._hands_moved(rep)

    def _from_the_floor(self, rep: _Rep) -> str:
        """Deadlift: whether a rep starts from a bar on the floor ("yes": hands ``FLOOR_BELOW_KNEES``
        below the knees and at most ``FLOOR_AHEAD_MAX`` in front of the feet; "doubtful": within
        ``FLOOR_DOUBT``; else "no"). Unseen landmarks veto nothing."""
        below_knees, ahead = rep.start_marks.hands_below_knees, rep.start_marks.hands_ahead
        if not (below_knees < FLOOR_BELOW_KNEES or ahead > FLOOR_AHEAD_MAX):
            return "yes"
        slack_below, slack_ahead = FLOOR_DOUBT
        doubtful = below_knees >= FLOOR_BELOW_KNEES - slack_below and ahead <= FLOOR_AHEAD_MAX + slack_ahead
        log.debug("%s: first rep %.2f not from the floor (hands %.0f %% below the knees, %.0f %% ahead)%s",
                  self.channel, rep.start_t, below_knees, ahead, ": doubtful" if doubtful else "")
        return "doubtful" if doubtful else "no"

    def _view(self, t0: float, t1: float) -> str:
        """The camera view over the poses between ``t0`` and ``t1`` (``detect.clip_view``)."""
        poses = [p for t, p in self._buffer if t0 <= t <= t1 and p is not None]
        return clip_view(self.spec, PoseArrays.from_poses(poses)) if poses else "unknown"

    def _hands_moved(self, rep: _Rep) -> bool:
        """Push-up counted on the vertical channel: whether neither seen shoulder's height changed by
        ``SHOULDERS_MOVE_MIN`` between the rep's rest and its turn (the channel moved by the hands).
        Unseen shoulders veto nothing."""
        if not (self.spec.trunk_lowers and self.channel == "vertical"):
            return False
        moves = [abs(m) for m in _shoulder_moves(rep)]
        if not moves or max(moves) >= SHOULDERS_MOVE_MIN:
            return False
        log.debug("%s: rep %.2f moves the hands, not the shoulders (%.0f %%)", self.channel, rep.start_t,
                  max(moves))
        return True

    def _fits_set(self, amp: float, first: bool) -> bool:
        """Whether a rep continues the set: not its first, and of the range of the set's reps.

        Such a rep is counted even where the joint angle hardly moved: a hip filmed from behind
        barely bends in the image, and nobody sways by a whole rep's range in the middle of a set.
        """
        return not first and bool(self._amps) and SIMILAR[0] <= amp / self.typical <= SIMILAR[1]

    def _vertical_moved(self, other: float, first: bool, amp: float, start_t: float, end_t: float) -> bool:
        """Angle machine: whether the vertical channel (oriented change ``other``) moved the lift's way.

        The first rep of a set must move it the lift's way (the knee swing of walking does not lower
        the hips); later ones either way. Two similar first reps in a row that move it against the
        lift while the channels run apart mean a camera looking down: the channel is flipped from then
        on and the second of them counts.
        """
        if not np.isfinite(other):
            return True
        need = (ANGLE_MIN_VERT_FRAC_FIRST if first else ANGLE_MIN_VERT_FRAC) * self.spec.min_range_v
        if self.flipped:
            other = -other
        if not first:
            return abs(other) >= need
        if other >= need:
            return True
        if -other >= need:
            similar = _follows(self._reversed, start_t, amp)
            self._reversed = self._doubtful = (end_t, amp)  # it vouches for a similar next rep
            if self._corr < FLIP_CORR and similar:
                self.flipped = True
                return True
        return False

    def _other_hold(self, t0: float, t1: float) -> float:
        """Seconds between ``t0`` and ``t1`` that the other channel's machine spent near the top of its
        trace there (within ``TURN_HOLD_FRAC`` of that stretch's range); 0 when it saw too little."""
        other = self._alt if self._alt is not None else self._root
        if other is self:
            return 0.0
        xs = [x for t, x, _ in other._trace if t0 <= t <= t1]
        if len(xs) < 3:
            return 0.0
        top, low = max(xs), min(xs)
        return other._time_near(t0, t1, top - TURN_HOLD_FRAC * (top - low))

    def _time_near(self, t0: float, t1: float, level: float) -> float:
        """Seconds between ``t0`` and ``t1`` that the filtered channel spent at or above ``level``."""
        pts = [(t, x) for t, x, _ in self._trace if t0 <= t <= t1]
        return float(sum(b[0] - a[0] for a, b in pairwise(pts) if a[1] >= level))

    def _refine(self, rep: _Rep, end_t: float) -> tuple[float, float, float]:
        """Start/turn/end of the rep with the batch detector's minimum-jerk model.

        Run on the rep's raw samples smoothed without lag (Savitzky–Golay over the past: the One-Euro
        filter that drives the state machine lags). The return half is taken to end at the rep's start
        level: when the rep is reported that level is not quite reached, so its end is predicted from
        the half-way crossing and the peak speed (up to ``END_AHEAD_S`` after the report).
        """
        turn = min(max((rep.near_first + rep.near_last) / 2, rep.start_t), end_t)
        trace = [(tt, raw) for tt, _, raw in self._trace if rep.start_t - 1.0 <= tt <= end_t + 1e-9]
        if len(trace) < 8:
            return rep.start_t, turn, end_t
        t = np.array([a for a, _ in trace])
        dt = float(np.median(np.diff(t))) or 1 / 30
        x = savgol_gaps(median_gaps(np.array([b for _, b in trace]), dt), dt, SMOOTH_S)
        first = int(np.searchsorted(t, rep.start_t))  # the peak lies in the rep, its start may not
        p = first + int(np.argmax(x[first:]))
        li = int(np.argmin(x[:p + 1])) if p > 0 else 0
        if not 0 <= li < p < len(x) - 2:
            return rep.start_t, turn, end_t
        v = _velocity(x, dt)
        mid_l, dur_l = min_jerk(t, x, v, li, p, x[li], x[p])
        mid_r, dur_r = min_jerk(t, x, v, p, len(x) - 1, x[p], x[li])
        s = int(np.searchsorted(t, mid_l))  # a speed threshold reaches further for gentle profiles
        vpk = max(float(np.max(v[li:p + 1])), 1e-6)
        while s > li and v[s - 1] > VEL_FRAC * vpk:
            s -= 1
        start = float(np.clip(min(mid_l - dur_l / 2, t[s]), rep.start_t - 1.0, min(mid_l, t[p])))
        end = float(np.clip(mid_r + dur_r / 2, max(mid_r, t[p]), end_t + END_AHEAD_S))
        top = (min(mid_l + dur_l / 2, t[p]) + max(mid_r - dur_r / 2, t[p])) / 2
        return start, float(np.clip(top, start, end)), end

    def _add_form(self, event: RepEvent) -> None:
        from ..form import compare_within_set, evaluate_rep

        sel = [(tt, p) for tt, p in self._buffer if event.start_s - 0.05 <= tt <= event.end_s + 0.05]
        if not sel:
            return
        ts, ps = zip(*sel, strict=True)
        result = evaluate_rep(self.exercise, list(ts), list(ps), event, seen_until=self._buffer[-1][0])
        if not self.events or event.start_s - self.events[-1].end_s > SET_GAP_S:
            self._set_forms.clear()  # a new set: its reps are compared among themselves
        self._set_forms.append(result)
        compare_within_set(self.exercise, self._set_forms)
        event.cues = result.cues[:1]  # at most one new cue per rep live
        event.metrics.update(result.metrics)
        self._advice += [a for a in result.advice if a not in self._advice]


def _follows(prev: tuple[float, float], start_t: float, amp: float) -> bool:
    """Whether a rep starting at ``start_t`` with range ``amp`` follows ``prev`` (an earlier doubtful
    rep's end and range) within ``DOUBT_S`` and is of its range (``SIMILAR``): it vouches for it."""
    end, prev_amp = prev
    return start_t - end <= DOUBT_S and SIMILAR[0] <= amp / prev_amp <= SIMILAR[1]


def _shoulder_moves(rep: _Rep) -> list[float]:
    """How far each shoulder seen at both the rep's rest and its turn moved down the image between them
    (% of the body scale)."""
    a, b = rep.start_marks, rep.peak_marks
    pairs = ((a.shoulder_left_y, b.shoulder_left_y), (a.shoulder_right_y, b.shoulder_right_y))
    return [y1 - y0 for y0, y1 in pairs if np.isfinite(y0) and np.isfinite(y1)]


def _shoulders_drop(rep: _Rep) -> float:
    """How far the lower-going seen shoulder moved down the image from the rep's rest to its turn (% of
    the body scale; NaN if neither was seen at both)."""
    return max(_shoulder_moves(rep), default=float("nan"))


def _median_finite(vals: list[float]) -> float:
    ok = sorted(v for v in vals if v == v)
    if not ok:
        return float("nan")
    n = len(ok)
    return ok[n // 2] if n % 2 else (ok[n // 2 - 1] + ok[n // 2]) / 2


def _marks(pose: Pose | None, scale: float | None) -> _Marks:
    """This frame's :class:`_Marks`."""
    nan = float("nan")
    if pose is None or not scale or not np.isfinite(scale):
        return _UNSEEN
    p, vis = pose.xyz.tolist(), pose.visibility.tolist()
    sh_l, sh_r = (100.0 * p[i][1] / scale if vis[i] >= MIN_VISIBILITY else nan
                  for i in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER))
    legs = [(p[k][1] - p[h][1], p[a][1] - p[k][1]) for h, k, a in LEGS
            if min(vis[h], vis[k], vis[a]) >= MIN_VISIBILITY]
    shin = sum(b for _, b in legs)
    thigh_shin = sum(a for a, _ in legs) / shin if legs and shin > 0 else nan
    # only clearly seen wrists: a far wrist guessed through the body lands anywhere
    wrists = [i for i in (L.LEFT_WRIST, L.RIGHT_WRIST) if vis[i] >= MIN_VISIBILITY]
    if not wrists:
        return _UNSEEN._replace(shoulder_left_y=sh_l, shoulder_right_y=sh_r, thigh_shin=thigh_shin)
    wx, wy = sum(p[i][0] for i in wrists) / len(wrists), sum(p[i][1] for i in wrists) / len(wrists)

    def mean(idx: tuple[int, int], axis: int) -> float:
        vals = [p[i][axis] for i in idx if vis[i] >= SIGNAL_MIN_VIS]
        return sum(vals) / len(vals) if vals else nan

    hips = 100.0 * (wy - mean((L.LEFT_HIP, L.RIGHT_HIP), 1)) / scale
    knees = 100.0 * (wy - mean((L.LEFT_KNEE, L.RIGHT_KNEE), 1)) / scale
    ahead = 100.0 * abs(wx - mean((L.LEFT_ANKLE, L.RIGHT_ANKLE), 0)) / scale
    ankles = [p[i][0] for i in (L.LEFT_ANKLE, L.RIGHT_ANKLE) if vis[i] >= SIGNAL_MIN_VIS]
    if len(wrists) == 1 and ankles:
        # one hand seen (the other hidden behind the body): over either foot, not the feet's middle (the
        # grip is wider than the stance, which reads as half a grip "ahead" from behind or at 45°)
        ahead = min(ahead, 100.0 * min(abs(wx - a) for a in ankles) / scale)
    ax, ay = (mean((L.LEFT_HIP, L.RIGHT_HIP), k) - mean((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), k)
              for k in (0, 1))
    norm = float(np.hypot(ax, ay))
    rises, reaches, overs = [], [], []
    for sh, el, wr in ARMS:
        if min(vis[sh], vis[el], vis[wr]) < MIN_VISIBILITY:
            continue
        rises.append(100.0 * (p[el][1] - p[wr][1]) / scale)
        overs.append(100.0 * (p[sh][1] - p[wr][1]) / scale)
        if norm > 0:
            reaches.append(100.0 * ((p[wr][0] - p[sh][0]) * ax + (p[wr][1] - p[sh][1]) * ay) / norm / scale)
    return _Marks(hips, knees, ahead, max(rises, default=nan), max(reaches, default=nan), sh_l, sh_r,
                  thigh_shin, overs[0] if len(overs) == 1 else nan)


def _thigh_up(pose: Pose | None, scale: float) -> float:
    """Hips over knees in % of the body scale (about 0 seated, a leg's length standing); NaN if unseen."""
    if pose is None or not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return vertical_scalar(pose.xyz.tolist(), pose.visibility.tolist(), "hip_over_knee", scale)
