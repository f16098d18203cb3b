"""Form cues on real videos labelled clean or faulty (none ship with the project).

``benchmarks/data/real_form_clips.csv`` lists 261 short public push-up clips (1-16 reps, most filmed
from the side or at 45°), each labelled by its source as done right (``clean``, 139) or wrong
(``faulty``, 122: hips sagging or piked, partial range, head dropped, fingertip push-ups...), and 8
kettlebell deadlift sets of 10 reps (one lifter, from the side and at 45°: clean, hips rising first,
knee dominant, rounded back). A push-up label is per clip and does not say which fault, so a rule is
scored by how often it speaks: on clean clips every cue is a false alarm; on faulty clips a cue is
expected but not every fault has a rule. Where the ``fault`` column names the fault (the deadlifts),
each rule is also scored on the clips with its own fault (``its_fault``), where it should speak. The clips
carry no licence that would let us ship them: fetch them (or your own, with a CSV of the same columns)
into one folder, then

    .venv/bin/python benchmarks/bench_real_form.py --videos DIR [--csv FILE] [--cache DIR] 2>/dev/null

Each clip goes through the pipeline (BlazePose), then the video counter and the form rules, told the
exercise. Printed: how the recogniser named the clips; per label: clips, clips with a counted rep,
clips judged by at least one rule, clips with at least one cue; per rule the same, and the spread of
its measure (per-clip median) on clean and faulty clips against its threshold; and the share of cued
clips that were labelled faulty.
``--cache`` keeps each clip's poses (as ``bench_real.py`` does) so that a rerun skips the pose model.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench_form_e2e import cued
from bench_real import _poses
from gymvision.exercises import UNKNOWN
from gymvision.form import rules_for
from gymvision.pipeline import Pipeline
from gymvision.reps import analyze_reps

DEFAULT_CSV = Path(__file__).parent / "data" / "real_form_clips.csv"
LABELS = ("clean", "faulty")
ITS_FAULT = "its_fault"  # clips whose ``fault`` column names the rule's own fault


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    q = np.percentile(values, [0, 25, 50, 75, 100])
    return " / ".join(f"{v:.1f}" for v in q)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--videos", type=Path, required=True, help="folder with the clips")
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep each clip's poses in")
    args = ap.parse_args()
    with open(args.csv, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (args.videos / r["file"]).exists()]
    if not rows:
        raise SystemExit(f"none of the clips in {args.csv} is in {args.videos}")
    pipeline = Pipeline()
    clips: dict[str, dict[str, int]] = {lab: defaultdict(int) for lab in LABELS}
    per_rule: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    recognised: dict[str, int] = defaultdict(int)
    spent = video = 0.0
    for r in rows:
        track, s, v = _poses(pipeline, args.videos / r["file"], args.cache)
        spent, video = spent + s, video + v
        lab, ex = r["label"], r["exercise"]
        times, poses = [t for t, _ in track], [p for _, p in track]
        res = analyze_reps(ex, times, poses)
        named = pipeline.summarise_track(track, r["file"]).exercise  # as `gymvision analyze` names it
        recognised[named if named in (ex, UNKNOWN) else "another exercise"] += 1
        c = clips[lab]
        c["clips"] += 1
        c["counted"] += bool(res.events)
        c["judged"] += any(e.metrics for e in res.events)
        c["cued"] += any(e.cues for e in res.events)
        for rule in rules_for(ex):
            if not rule.active:
                continue
            vals = [e.metrics[rule.metric] for e in res.events if rule.metric in e.metrics]
            if not vals:
                continue
            judged = [e for e in res.events if rule.metric in e.metrics]
            spoke = any(cued(rule, e) for e in judged)
            for group in (lab, ITS_FAULT) if r.get("fault") == rule.fault else (lab,):
                key = (f"{ex}:{rule.fault}", group)
                per_rule[key]["judged"] += 1
                per_rule[key]["cued"] += spoke
                per_rule[key]["reps"] += len(judged)
                per_rule[key]["cued_reps"] += sum(cued(rule, e) for e in judged)
                values[key].append(float(np.median(vals)))
    print(f"{'label':8} {'clips':>5} {'counted':>7} {'judged':>6} {'cued':>5}"
          "  (clips with a rep / with a rule's value / with a cue)")
    for lab in LABELS:
        c = clips[lab]
        print(f"{lab:8} {c['clips']:5d} {c['counted']:7d} {c['judged']:6d} {c['cued']:5d}  "
              f"cue rate on judged clips {c['cued'] / max(c['judged'], 1):.2f}")
    n_cued = clips["clean"]["cued"] + clips["faulty"]["cued"]
    bad = clips["faulty"]["cued"]
    print(f"cued clips labelled faulty: {bad / max(n_cued, 1):.2f} ({bad} of {n_cued})")
    named = ", ".join(f"{k} {v}" for k, v in sorted(recognised.items()))
    print(f"recognised (not told the exercise): {named}")
    print(f"\n{'rule':28} {'clips':9} {'judged':>6} {'cued':>5} {'reps':>9}"
          "  measure per clip: min / q1 / median / q3 / max (threshold)")
    for rule_key in sorted({k for k, _ in per_rule}):
        ex, fault = rule_key.split(":")
        rule = next(r for r in rules_for(ex) if r.fault == fault)
        for lab in (*LABELS, ITS_FAULT):
            n = per_rule[(rule_key, lab)]
            if lab == ITS_FAULT and not n["judged"]:
                continue
            spread = _spread(values[(rule_key, lab)])
            reps = f"{n['cued_reps']}/{n['reps']}"
            print(f"{rule_key:28} {lab:9} {n['judged']:6d} {n['cued']:5d} {reps:>9}  {spread}"
                  f" ({'>' if rule.above else '<'} {rule.threshold:g})")
    if spent:
        print(f"\nanalysis speed: {video / spent:.2f}x real time ({video:.0f} s of video in {spent:.0f} s)")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(total {time.perf_counter() - t0:.0f} s)")
