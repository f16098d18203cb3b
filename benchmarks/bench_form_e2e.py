"""Form rules through the real pose model: rendered sets with injected faults → Pipeline → P/R per rule.

Each active rule gets clips filmed from a view it is judged from (side rules from the left and the
right, knees from the front, shoulder-press lockout from the front and at 45°, bench depth from the foot
of the bench): a mannequin (gymvision.demo.render_mannequin) moved by the synthetic generator, 6 reps of
which 3 carry the fault. BlazePose finds the landmarks, so visibility gating, view estimate and
measurements run as on a real video; the exercise is given, so recognition plays no part. Every rule
of the exercise is scored on every rep it judged (a clip with another fault gives clean reps for it).
Prints per rule: precision, recall, reps judged and reps withheld, and the time taken.

    .venv/bin/python benchmarks/bench_form_e2e.py [--seeds 2] [--only squat ...] 2>/dev/null
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_reps import match
from gymvision.demo import write_exercise_video
from gymvision.exercises import EXERCISES
from gymvision.form import rules_for
from gymvision.form.rules import Rule
from gymvision.form.view import FOOT_END, SAGITTAL, SIDE
from gymvision.pipeline import Pipeline
from gymvision.results import RepEvent

N_REPS = 6
FAULTY = (1, 3, 4)


def view_for(rule: Rule, seed: int) -> str:
    """A generator view from which ``rule`` is judged (alternating between two where it can)."""
    if rule.views == SIDE:
        return ("side_left", "side_right")[seed % 2]
    if rule.views == FOOT_END:
        return "foot_end"
    if rule.views == SAGITTAL:
        return ("side_left", "front_diag")[seed % 2]
    if "diag" in rule.views:
        return ("front", "front_diag")[seed % 2]
    return "front"


def cued(rule: Rule, ev: RepEvent) -> bool:
    """Whether the rep got ``rule``'s cue (not just a value past its threshold: see
    ``form.compare_within_set``)."""
    return rule.cue.format(n=ev.index, v=ev.metrics[rule.metric]) in ev.cues


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--only", nargs="+", default=None, help="exercises (default: all six)")
    ap.add_argument("--save", type=Path, default=None,
                    help="folder to pickle each clip's poses and truth into (for diagnosis)")
    args = ap.parse_args()
    pipeline = Pipeline()
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wall = dur = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for ex in args.only or EXERCISES:
            rules = [r for r in rules_for(ex) if r.active]
            for rule in rules:
                for seed in range(args.seeds):
                    view = view_for(rule, seed)
                    path = Path(tmp) / f"{ex}_{rule.fault}_{view}_{seed}.mp4"
                    seq = write_exercise_video(path, ex, n_reps=N_REPS, view=view, seed=200 + seed,
                                               faults=(rule.fault,), fault_reps=list(FAULTY))
                    t0 = time.perf_counter()
                    res = pipeline.analyze_video(path, exercise=ex)
                    wall += time.perf_counter() - t0
                    dur += res.duration_s or 0.0
                    pairs = match(res.rep_events, seq.reps)
                    if args.save:
                        args.save.mkdir(parents=True, exist_ok=True)
                        with open(args.save / f"{path.stem}.pkl", "wb") as fh:
                            pickle.dump({"poses": res.poses, "truth": seq.reps, "events": res.rep_events}, fh)
                    line = []
                    for other in rules:
                        c = tally[(ex, other.fault)]
                        for ev, truth in pairs:
                            if other.metric not in ev.metrics:
                                c["withheld"] += 1
                                continue
                            has = other.fault in truth.faults
                            flagged = cued(other, ev)
                            c["tp"] += has and flagged
                            c["fp"] += (not has) and flagged
                            c["fn"] += has and not flagged
                            c["tn"] += (not has) and not flagged
                        if other is rule:
                            judged = [(ev, t) for ev, t in pairs if other.metric in ev.metrics]
                            line.append(" ".join(f"{'F' if other.fault in t.faults else '.'}"
                                                 f"{'!' if cued(other, ev) else '-'}"
                                                 for ev, t in judged))
                    print(f"{ex:15} {rule.fault:16} {view:11} reps {len(seq.reps)} -> {res.reps or 0:2d}  "
                          f"judged (truth, cue): {line[0] or 'none'}", flush=True)
    print(f"\n{'rule':32} {'P':>5} {'R':>5} {'faulty':>6} {'clean':>6} {'withheld':>8}")
    for (ex, fault), c in sorted(tally.items()):
        tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{ex + ':' + fault:32} {prec:5.2f} {rec:5.2f} {tp + fn:6d} {fp + tn:6d} {c['withheld']:8d}")
    tp = sum(c["tp"] for c in tally.values())
    fp = sum(c["fp"] for c in tally.values())
    fn = sum(c["fn"] for c in tally.values())
    print(f"{'ALL':32} {tp / max(tp + fp, 1):5.2f} {tp / max(tp + fn, 1):5.2f}")
    print(f"analysis speed: {dur / max(wall, 1e-9):.2f}x real time ({dur:.0f} s of video in {wall:.0f} s)")


if __name__ == "__main__":
    main()
