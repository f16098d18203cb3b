"""Batch entry point: rep events with phases, ROM, confidence, form cues and camera advice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..results import Pose, RepEvent
from .detect import RepSpan, detect_reps
from .signals import SPECS

#: A pose that jumps this many times, or is missing from this share of the frames between the first and
#: last one seen, makes the count doubtful (rendered sets through BlazePose: every clip miscounted
#: jumped 3-14 times or lost 82-94 % of its frames; 60 of 65 counted within one jumped at most once).
UNSTABLE_JUMPS = 3
UNSTABLE_LOST = 0.25
#: A rep whose span holds a jump of the pose (another person, or the body misread) is half as certain.
JUMP_MARGIN_S = 0.25
JUMP_FACTOR = 0.5


@dataclass
class RepAnalysis:
    """What ``analyze_reps`` returns: events, camera advice and the smoothed signal (for charts)."""

    events: list[RepEvent] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    signal_t: list[float] = field(default_factory=list)
    signal_v: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.events)


def analyze_reps(exercise: str, times: Sequence[float], poses: Sequence[Pose | None], *,
                 with_form: bool = True) -> RepAnalysis:
    """Count the reps of ``exercise`` in a pose sequence and coach each one.

    Exercises without a counter (e.g. "unknown") give an empty analysis.
    """
    if exercise not in SPECS or len(times) == 0:
        return RepAnalysis()
    det = detect_reps(exercise, times, poses)
    if det.lone:
        det.reps = sorted(det.reps + _also_live(exercise, times, poses, det.lone), key=lambda r: r.start_s)
    first = SPECS[exercise].turn_high
    events = [RepEvent(i + 1, r.start_s, r.turn_s, r.end_s, r.rom_deg,
                       confidence=r.confidence * (JUMP_FACTOR if _jumped(det.jumps, r) else 1.0),
                       concentric_first=first) for i, r in enumerate(det.reps)]
    advice = tracking_advice(len(det.jumps), det.lost)
    if with_form:
        from ..form import evaluate_reps

        advice += [a for a in evaluate_reps(exercise, times, poses, events) if a not in advice]
    ok = np.isfinite(det.angle)
    return RepAnalysis(events, advice, [round(float(v), 3) for v in det.t[ok]],
                       [round(float(v), 2) for v in det.angle[ok]])


def _also_live(exercise: str, times: Sequence[float], poses: Sequence[Pose | None],
               lone: list[RepSpan]) -> list[RepSpan]:
    """The reps of sets too short to count on their own (a heavy single or double) that the live tracker
    counts too: its first-rep checks (starts standing, no folding over to pick something up, the hands
    do not end by the hips, ...) are what tells a single rep from a lone bend."""
    from .live import LiveRepTracker

    tracker = LiveRepTracker(exercise, with_form=False)
    for t, p in sorted(zip(times, poses, strict=True), key=lambda tp: tp[0]):
        tracker.update(float(t), p)
    tracker.finish()
    return confirmed(lone, tracker.events)


def confirmed(lone: list[RepSpan], live: Sequence[RepEvent]) -> list[RepSpan]:
    """The batch reps in ``lone`` that a live rep confirms: each live rep the one it overlaps most,
    among those not confirmed yet (the two time a rep differently: a live rep may reach into the next
    batch rep)."""
    taken: set[int] = set()
    for ev in live:
        overlap = [min(r.end_s, ev.end_s) - max(r.start_s, ev.start_s) if i not in taken else 0.0
                   for i, r in enumerate(lone)]
        if overlap and max(overlap) > 0:
            taken.add(int(np.argmax(overlap)))
    return [r for i, r in enumerate(lone) if i in taken]


def _jumped(jumps: np.ndarray, rep: RepSpan) -> bool:
    """Whether the pose jumped during ``rep`` (or within ``JUMP_MARGIN_S`` of it)."""
    return bool(np.any((jumps >= rep.start_s - JUMP_MARGIN_S) & (jumps <= rep.end_s + JUMP_MARGIN_S)))


def tracking_advice(jumps: int, lost: float) -> list[str]:
    """Say so when the pose was tracked too poorly for a reliable count."""
    if jumps < UNSTABLE_JUMPS and lost < UNSTABLE_LOST:
        return []
    what = []
    if lost >= UNSTABLE_LOST:
        what.append(f"the body was lost in {100 * lost:.0f} % of the frames")
    if jumps >= UNSTABLE_JUMPS:
        what.append(f"the pose jumped {jumps} times")
    return [f"Tracking was unreliable ({' and '.join(what)}: folded over, hidden by equipment or seen "
            "end-on), so the rep count may be off: film from the side or at 45° with your whole body "
            "in frame."]
