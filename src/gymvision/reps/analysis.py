"""Batch entry point: rep events with phases, ROM, confidence, form cues and camera advice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..results import Pose, RepEvent
from .detect import detect_reps
from .signals import SPECS


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
    first = SPECS[exercise].turn_high
    events = [RepEvent(i + 1, r.start_s, r.turn_s, r.end_s, r.rom_deg, confidence=r.confidence,
                       concentric_first=first) for i, r in enumerate(det.reps)]
    advice: list[str] = []
    if with_form:
        from ..form import evaluate_reps

        advice = evaluate_reps(exercise, times, poses, events)
    ok = np.isfinite(det.angle)
    return RepAnalysis(events, advice, [round(float(v), 3) for v in det.t[ok]],
                       [round(float(v), 2) for v in det.angle[ok]])
