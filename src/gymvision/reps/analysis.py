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
#: A rep cut off this close to the start or end of the recording: the clip starts or ends mid-rep.
EDGE_NEAR_S = 1.0


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
    unconfirmed: list[RepSpan] = []
    if det.lone:
        confirmed_lone = _also_live(exercise, times, poses, det.lone)
        unconfirmed = [r for r in det.lone if r not in confirmed_lone]
        det.reps = sorted(det.reps + confirmed_lone, key=lambda r: r.start_s)
    first = SPECS[exercise].turn_high
    events = [RepEvent(i + 1, r.start_s, r.turn_s, r.end_s, r.rom_deg,
                       confidence=r.confidence * (JUMP_FACTOR if _jumped(det.jumps, r) else 1.0),
                       concentric_first=first) for i, r in enumerate(det.reps)]
    advice = tracking_advice(len(det.jumps), det.lost)
    advice += count_advice(exercise, det.missed + [(r.turn_s, "check") for r in unconfirmed], len(events),
                           float(np.min(times)), float(np.max(times)))
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


def count_advice(exercise: str, missed: list[tuple[float, str]], counted: int, t0: float, t1: float
                 ) -> list[str]:
    """When no rep was counted, say why rep-sized movements were not (``Detection.missed``, in a
    recording ``t0``–``t1``): the clip may start or end mid-rep, or they did not look like whole reps
    from this camera angle. Hedged: a setup or a person standing up reads like half a rep too (real
    clips: half of such ends were not reps)."""
    if counted:
        return []
    out = []
    edges = [t for t, why in missed if why == "edge"]
    whole = "and a rep is counted only when it is seen whole"
    if any(t - t0 <= EDGE_NEAR_S for t in edges):
        out.append(f"No rep was counted: the video may start in the middle of a rep, {whole}. Start "
                   "filming before the first rep.")
    if any(t1 - t <= EDGE_NEAR_S for t in edges):
        if SPECS[exercise].turn_high:  # the lift comes first: the clip may end before it is lowered
            out.append(f"No rep was counted: the video may end before the weight is lowered, {whole}. "
                       "Keep filming until the weight is back down.")
        else:
            out.append(f"No rep was counted: the video may end in the middle of a rep, {whole}. Keep "
                       "filming until the set is over.")
    checked = sorted(t for t, why in missed if why == "check")
    if checked:
        name = exercise.replace("_", " ")
        when = ", ".join(f"{t:.1f} s" for t in checked[:3]) + (", ..." if len(checked) > 3 else "")
        many = len(checked) > 1
        out.append(f"No rep was counted: {len(checked)} movement{'s' if many else ''} of a rep's size "
                   f"(at {when}) did not look like a whole {name} rep from this camera angle. Film the "
                   "whole set from the side or at 45° with your whole body in frame.")
    return out


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
