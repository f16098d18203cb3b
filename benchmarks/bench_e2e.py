"""End to end through the real pose model: rendered synthetic sets with known reps → Pipeline.

Each clip is a mannequin (gymvision.demo.render_mannequin) moved by the synthetic motion generator
and filmed from a phone-like view; BlazePose detects the figure, so recognition, counting and form
run exactly as on a real video. Prints video top-1, rep-count OBO / normalised MAE, rep-boundary
errors, the false reps on idle clips, and speed (real-time factor).

    .venv/bin/python benchmarks/bench_e2e.py [--seeds 2] [--views side_left front_diag front]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from gymvision.demo import write_exercise_video
from gymvision.exercises import EXERCISES
from gymvision.pipeline import Pipeline
from gymvision.reps import LiveRepTracker

IDLE = ("standing", "walking", "setup", "rerack")
DEFAULT_VIEWS = {"bench_press": ("side_left", "front_diag", "foot_end"),
                 "push_up": ("side_right", "front_diag", "side_left"),
                 "leg_extension": ("side_right", "front_diag", "side_left")}


def boundary_errors(truth: list, events: list) -> list[float]:
    """|start| and |end| errors of predicted reps matched to the nearest true rep (by turn time)."""
    errs = []
    for ev in events:
        best = min(truth, key=lambda r: abs(r.turn_s - ev.turn_s), default=None)
        if best is not None and abs(best.turn_s - ev.turn_s) < 1.0:
            errs += [abs(best.start_s - ev.start_s), abs(best.end_s - ev.end_s)]
    return errs


def live_count(exercise: str, track: list) -> int:
    """Reps the live tracker counts on the same poses, told the exercise (0 for "unknown")."""
    if exercise not in EXERCISES:
        return 0
    tracker = LiveRepTracker(exercise, with_form=False)
    for t, pose in track:
        tracker.update(float(t), pose)
    return tracker.count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--views", nargs="+", default=["side_left", "front_diag", "front"])
    ap.add_argument("--reps", type=int, nargs="+", default=[4, 8])
    args = ap.parse_args()
    pipeline = Pipeline()
    rows, idle_rows = [], []
    wall = dur = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for ex in (*EXERCISES, *IDLE):
            views = DEFAULT_VIEWS.get(ex, tuple(args.views))
            for seed in range(args.seeds):
                view = views[seed % len(views)] if ex in IDLE else None
                for v in ([view] if ex in IDLE else views):
                    n = args.reps[seed % len(args.reps)]
                    path = Path(tmp) / f"{ex}_{v}_{seed}.mp4"
                    seq = write_exercise_video(path, ex, n_reps=n, view=v, seed=100 + seed)
                    t0 = time.perf_counter()
                    res = pipeline.analyze_video(path)
                    wall += time.perf_counter() - t0
                    dur += res.duration_s or 0.0
                    live = live_count(ex if ex in EXERCISES else res.exercise, res.poses)
                    flagged = any(a.startswith("Tracking was unreliable") for a in res.advice)
                    row = dict(ex=ex, view=v, truth=len(seq.reps), pred=res.reps or 0, label=res.exercise,
                               conf=res.confidence, errs=boundary_errors(seq.reps, res.rep_events),
                               live=live, flagged=flagged)
                    (idle_rows if ex in IDLE else rows).append(row)
                    print(f"{ex:15} {v:11} reps {row['truth']:2d} -> {row['pred']:2d} (live {live:2d})  "
                          f"label {res.exercise:15} {res.confidence:.2f}"
                          f"{'  tracking flagged' if flagged else ''}", flush=True)
    per = defaultdict(list)
    for r in rows:
        per[r["ex"]].append(r)
    print(f"\n{'exercise':15} {'clips':>5} {'top-1':>6} {'OBO':>5} {'nMAE':>6} {'|start/end| med s':>18}")
    for ex in EXERCISES:
        rs = per[ex]
        errs = [e for r in rs for e in r["errs"]]
        print(f"{ex:15} {len(rs):5d} {np.mean([r['label'] == ex for r in rs]):6.2f} "
              f"{np.mean([abs(r['pred'] - r['truth']) <= 1 for r in rs]):5.2f} "
              f"{np.mean([abs(r['pred'] - r['truth']) / r['truth'] for r in rs]):6.3f} "
              f"{np.median(errs) if errs else float('nan'):18.2f}")
    errs = [e for r in rows for e in r["errs"]]
    print(f"{'ALL':15} {len(rows):5d} {np.mean([r['label'] == r['ex'] for r in rows]):6.2f} "
          f"{np.mean([abs(r['pred'] - r['truth']) <= 1 for r in rows]):5.2f} "
          f"{np.mean([abs(r['pred'] - r['truth']) / r['truth'] for r in rows]):6.3f} "
          f"{np.median(errs) if errs else float('nan'):18.2f}")
    for r in rows:
        r["good"] = abs(r["pred"] - r["truth"]) <= 1
    print(f"live tracker on the same poses, told the exercise: OBO "
          f"{np.mean([abs(r['live'] - r['truth']) <= 1 for r in rows]):.2f}, nMAE "
          f"{np.mean([abs(r['live'] - r['truth']) / r['truth'] for r in rows]):.3f}")
    bad = [r for r in rows if not r["good"]]
    print(f"'tracking was unreliable' advice: {sum(r['flagged'] for r in bad)} of {len(bad)} miscounted "
          f"clips, {sum(r['flagged'] for r in rows if r['good'])} of {len(rows) - len(bad)} counted "
          "within one")
    print(f"idle clips: {len(idle_rows)}, false reps: {sum(r['pred'] for r in idle_rows)}, "
          f"named an exercise: {sum(r['label'] != 'unknown' for r in idle_rows)}")
    print(f"analysis speed: {dur / max(wall, 1e-9):.2f}x real time ({dur:.0f} s of video in {wall:.0f} s)")


if __name__ == "__main__":
    main()
