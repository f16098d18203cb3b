"""Run the rules of an exercise on each rep: cues, measured values, camera advice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..reps.signals import SPECS
from ..results import Pose, RepEvent
from .rules import Rule, rules_for
from .window import RepWindow

#: A landmark needed by a rule must have at least this median visibility over the rep.
MIN_RULE_VISIBILITY = 0.5
#: A rep with a longer stretch without a pose (the detector lost the person) is not judged: the
#: bottom or the lockout may be exactly what was missed.
MAX_GAP_S = 0.3
_GAP_ADVICE = "keep your whole body in frame and well lit"

_PART_ADVICE = {
    "ankle": "step back so your feet are in frame", "heel": "step back so your feet are in frame",
    "foot": "step back so your feet are in frame",
    "knee": "step back so your whole body is in frame", "hip": "step back so your whole body is in frame",
    "wrist": "keep your arms in frame", "elbow": "keep your arms in frame",
    "shoulder": "keep your upper body in frame", "ear": "keep your head in frame",
}


_PLURAL = {"hip": "hips", "knee": "knees", "ankle": "ankles", "heel": "heels", "foot": "feet",
           "wrist": "wrists", "elbow": "elbows", "shoulder": "shoulders", "ear": "head"}


@dataclass
class FormResult:
    """Outcome of the rules on one rep."""

    cues: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    faults: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)
    withheld: dict[str, str] = field(default_factory=dict)  # fault name -> advice
    withheld_for: dict[str, str] = field(default_factory=dict)  # fault name -> "visibility" | "view"
    advice: list[str] = field(default_factory=list)
    view: str = "unknown"
    #: Withheld (inactive) rules: fault name -> whether it would have fired (benchmark only; never shown).
    shadow: dict[str, bool] = field(default_factory=dict)
    cue_of: dict[str, str] = field(default_factory=dict)  # fault name -> its cue in ``cues``

    def flag(self, fault: str, cue: str) -> None:
        """Record ``fault`` with its ``cue``."""
        self.faults.add(fault)
        self.cue_of[fault] = cue
        self.cues.append(cue)

    def unflag(self, fault: str) -> None:
        """Withdraw ``fault`` and its cue (see :func:`compare_within_set`)."""
        self.faults.discard(fault)
        cue = self.cue_of.pop(fault, None)
        if cue in self.cues:
            self.cues.remove(cue)

    def withhold(self, fault: str, reason: str, why: str, advise: bool = True) -> None:
        """Record that ``fault`` was not judged (``why``: "visibility" | "view"), with camera advice."""
        self.withheld[fault] = reason
        self.withheld_for[fault] = why
        if advise:
            _add(self.advice, reason)


def _visible(w: RepWindow, rule: Rule) -> tuple[str | None, list[str]]:
    """The side to measure on (None if the rule can't be measured) and the parts that are missing."""
    if not rule.parts:
        return "left", []
    sides = ("left", "right")
    missing_by_side = {s: [p for p in rule.parts if w.visibility(p, s) < MIN_RULE_VISIBILITY
                           or not w.in_frame(p, s)] for s in sides}
    if rule.both_sides:
        missing = sorted(set(missing_by_side["left"]) | set(missing_by_side["right"]))
        return (None, missing) if missing else ("both", [])
    ok = [s for s in sides if not missing_by_side[s]]
    if not ok:
        best = min(sides, key=lambda s: len(missing_by_side[s]))
        return None, missing_by_side[best]
    side = w.best_side(rule.parts)
    return (side if side in ok else ok[0]), []


def evaluate_rep(exercise: str, times: Sequence[float], poses: Sequence[Pose | None],
                 event: RepEvent, seen_until: float | None = None) -> FormResult:
    """Apply the exercise's rules to one rep (``times``/``poses`` may cover more than the rep).

    ``seen_until``: live, the time of the newest frame; the rep's end may be predicted past it, and
    the frames not yet filmed are no gap in the pose."""
    res = FormResult()
    rules = rules_for(exercise)
    if not rules:
        return res
    spec = SPECS.get(exercise)
    w = RepWindow.build(times, poses, event, lying=spec is not None and not spec.upright)
    if w is None:
        return res
    res.view = w.view.name
    gap = w.max_gap(seen_until) > MAX_GAP_S
    for rule in rules:
        if not rule.active:
            if not gap:
                _shadow(res, w, rule)
            continue
        if gap:
            res.withhold(rule.fault, _GAP_ADVICE, "visibility")
            continue
        if w.view.name != "unknown" and w.view.name not in rule.views:
            # the view first: from the side the far knee is hidden by nature, and "film from the
            # front to check your knees" is the advice that helps, not "nothing hides your knees"
            res.withhold(rule.fault, rule.view_advice, "view")
            continue
        side, missing = _visible(w, rule)
        if side is None:
            outside = [p for p in missing if not (w.in_frame(p, "left") or w.in_frame(p, "right"))]
            if outside:
                advice = _PART_ADVICE.get(outside[0], "keep your whole body in frame")
            else:  # in the picture but hidden (by the bar, the plates, the bench or the body)
                advice = f"move the camera so that nothing hides your {_PLURAL.get(missing[0], missing[0])}"
            res.withhold(rule.fault, advice, "visibility")
            continue
        if w.view.name not in rule.views:
            res.withhold(rule.fault, rule.view_advice, "view")
            continue
        side = side if side != "both" else w.best_side(rule.parts)
        value = rule.measure(w, side)
        if value != value:
            res.withhold(rule.fault, rule.view_advice or "keep your whole body in frame", "visibility",
                         advise=False)
            continue
        res.checked.add(rule.fault)
        res.metrics[rule.metric] = float(value)
        if rule.flags(value, w, side):
            res.flag(rule.fault, rule.cue.format(n=event.index, v=value))
    return res


def compare_within_set(exercise: str, results: Sequence[FormResult]) -> None:
    """Withdraw, in place, the faults that are only doubtful (``Rule.sure``) from reps as good as the
    set's best one: the pose model's error, not the lifter's (a locked-out arm overhead reads as low
    as 158° through BlazePose). Live, ``results`` are the set's reps so far."""
    for rule in rules_for(exercise):
        if rule.sure is None:
            continue
        vals = [r.metrics[rule.metric] for r in results if rule.metric in r.metrics]
        if not vals:
            continue
        best = min(vals) if rule.above else max(vals)
        for r in results:
            v = r.metrics.get(rule.metric, float("nan"))
            if rule.fault in r.faults and not rule.sure_fault(v) and abs(best - v) <= rule.set_margin:
                r.unflag(rule.fault)


def _shadow(res: FormResult, w: RepWindow, rule: Rule) -> None:
    """Measure an inactive rule where it would have been checked; no cue, metric or advice."""
    side, _ = _visible(w, rule)
    if side is None or w.view.name not in rule.views:
        return
    side = side if side != "both" else w.best_side(rule.parts)
    value = rule.measure(w, side)
    if value == value:
        res.shadow[rule.fault] = rule.flags(value, w, side)


def _add(items: list[str], item: str) -> None:
    if item and item not in items:
        items.append(item)


_CHECK = " to check "


def merge_advice(items: Sequence[str]) -> list[str]:
    """One line per way of filming: "film from the side to check squat depth" and "film from the side
    to check your back angle" become "film from the side to check squat depth and your back angle".
    Other lines are kept as they are, in order, without repeats."""
    lines: dict[tuple[str, bool], list[str]] = {}  # (line or way of filming, is a way) -> what it checks
    for item in items:
        how, sep, what = item.partition(_CHECK)
        checks = lines.setdefault((how if sep else item, bool(sep)), [])
        if sep:
            _add(checks, what)
    return [head + _CHECK + _join(checks) if way else head for (head, way), checks in lines.items()]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def evaluate_reps(exercise: str, times: Sequence[float], poses: Sequence[Pose | None],
                  events: Sequence[RepEvent]) -> list[str]:
    """Fill ``cues`` and ``metrics`` of each event in place; return the set's camera advice."""
    advice: list[str] = []
    results = [evaluate_rep(exercise, times, poses, ev) for ev in events]
    compare_within_set(exercise, results)
    for ev, res in zip(events, results, strict=True):
        ev.cues = res.cues
        ev.metrics.update(res.metrics)
        for a in res.advice:
            _add(advice, a)
    return merge_advice(advice)
