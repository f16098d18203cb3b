"""Exercise recognition benchmark: synthetic held-out camera views, real ML Kit rows, video windows.

    .venv/bin/python benchmarks/bench_recognition.py            # full run (a few minutes on 2 cores)
    .venv/bin/python benchmarks/bench_recognition.py --quick    # smaller sample
    .venv/bin/python benchmarks/bench_recognition.py --model my.joblib

Prints: single-frame top-1 on synthetic sequences filmed from the views held out of the validation
model (per class, with the confusion matrix; "other" = non-exercise poses); the same for whole clips
(``predict_window``) including idle clips, which should come out ``unknown``; and on the real ML Kit
BlazePose rows (push-ups vs squats): top-1 over the six exercises, decided label with the unknown
threshold, how many rows were called one of the other four exercises, and the unknown rate.
Synthetic seeds start at 5,000,000, far from the training seeds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from gymvision.exercises import EXERCISES, UNKNOWN
from gymvision.features import poses_features
from gymvision.recognition import CLASSES, ExerciseRecognizer, decide
from gymvision.recognition.training import HOLDOUT_VIEWS, OTHER_KINDS
from gymvision.synth import VIEWS, generate_idle, generate_sequence

MLKIT = Path(__file__).resolve().parents[2] / "shared" / "data" / "mlkit_fitness_pose_samples"
SEED0 = 5_000_000


def _table(title: str, labels: list[str], cm: np.ndarray, cols: list[str] | None = None) -> None:
    cols = cols or labels
    print(f"\n{title} (rows: truth, columns: predicted)")
    w = max(len(c) for c in [*labels, *cols]) + 1
    print(" " * w + "".join(f"{c[:8]:>9}" for c in cols) + "   recall (non-exercise: unknown rate)")
    for i, lab in enumerate(labels):
        n = cm[i].sum()
        hit = cols.index(lab) if lab in cols else cols.index(UNKNOWN) if UNKNOWN in cols else None
        rec = cm[i, hit] / n if hit is not None and n else float("nan")
        print(f"{lab:<{w}}" + "".join(f"{v:>9d}" for v in cm[i]) + f"   {rec:6.3f}")


def bench_frames(rec: ExerciseRecognizer, views: tuple[str, ...], n_seq: int, threshold: float) -> None:
    cm = np.zeros((len(CLASSES), len(CLASSES)), int)
    decided = Counter()
    k = 0
    for ci, label in enumerate(CLASSES):
        for j in range(n_seq):
            view = views[j % len(views)]
            seed = SEED0 + 1000 * ci + j
            if label in EXERCISES:
                s = generate_sequence(label, n_reps=2, seed=seed, view=view, fps=10)
                keep = np.zeros(len(s.times), bool)
                for r in s.reps:
                    keep |= (s.times >= r.start_s) & (s.times <= r.end_s)
            else:
                kind = OTHER_KINDS[j % len(OTHER_KINDS)]
                s = generate_idle(kind, duration_s=5.0, seed=seed, view=view, fps=10)
                keep = np.ones(len(s.times), bool)
            idx = [i for i in np.flatnonzero(keep)[::3] if s.poses[i] is not None]
            p = rec.predict_features(poses_features([s.poses[i] for i in idx]))
            for row in p:
                cm[ci, int(row.argmax())] += 1
                lab, _ = decide(dict(zip(CLASSES, row.tolist(), strict=True)), threshold)
                decided[(label, lab)] += 1
            k += 1
    n = cm.sum()
    ex = len(EXERCISES)
    print(f"\nSingle frames, synthetic, views {', '.join(views)}: {n} frames from {k} clips")
    print(f"  top-1 over all {len(CLASSES)} classes: {np.trace(cm) / n:.3f}")
    cme = cm[:ex, :ex]
    print(f"  exercise frames, top-1 over the six exercises: {np.trace(cme) / cme.sum():.3f}")
    _table("Confusion, single frames", list(CLASSES), cm)
    ok = sum(v for (t, lab), v in decided.items() if t == lab)
    unk = sum(v for (t, lab), v in decided.items() if t in EXERCISES and lab == UNKNOWN)
    n_ex = sum(v for (t, _), v in decided.items() if t in EXERCISES)
    other_ok = sum(v for (t, lab), v in decided.items() if t == "other" and lab == UNKNOWN)
    n_other = sum(v for (t, _), v in decided.items() if t == "other")
    print(f"  decided (threshold {threshold}): exercise frames correct {ok / n_ex:.3f}, "
          f"unknown {unk / n_ex:.3f};"
          f" non-exercise frames -> unknown {other_ok / max(n_other, 1):.3f}")


def bench_windows(rec: ExerciseRecognizer, views: tuple[str, ...], n_seq: int, threshold: float) -> None:
    labels = [*EXERCISES, *OTHER_KINDS, "rerack"]
    cols = [*EXERCISES, UNKNOWN]
    cm = np.zeros((len(labels), len(cols)), int)
    t0 = time.perf_counter()
    frames = 0
    for li, label in enumerate(labels):
        for j in range(n_seq):
            view = views[j % len(views)]
            seed = SEED0 + 500_000 + 1000 * li + j
            if label in EXERCISES:
                s = generate_sequence(label, n_reps=int(3 + j % 4), seed=seed, view=view, fps=15)
            else:
                s = generate_idle(label, duration_s=8.0, seed=seed, view=view, fps=15)
            lab, _ = decide(rec.predict_window(s.poses, s.times), threshold)
            cm[li, cols.index(lab)] += 1
            frames += len(s.poses)
    dt = time.perf_counter() - t0
    ex = len(EXERCISES)
    acc = np.trace(cm[:ex, :ex]) / cm[:ex].sum()
    idle_unknown = cm[ex:, -1].sum() / cm[ex:].sum()
    print(f"\nVideo clips (predict_window), synthetic, views {', '.join(views)}: {cm.sum()} clips")
    print(f"  exercise clips top-1 (decided, threshold {threshold}): {acc:.3f}")
    print(f"  non-exercise clips called unknown: {idle_unknown:.3f}   "
          f"({frames / dt:.0f} frames/s incl. generation)")
    _table("Confusion, clips", labels, cm, cols)


def bench_mlkit(rec: ExerciseRecognizer, threshold: float) -> None:
    if not MLKIT.is_dir():
        print(f"\nML Kit rows: skipped, {MLKIT} not found")
        return
    from gymvision.recognition.mlkit import load_mlkit_rows

    rows = load_mlkit_rows(MLKIT)
    p = rec.predict_features(poses_features([r.pose for r in rows]))
    truth = np.array([EXERCISES.index(r.exercise) for r in rows])
    top1 = p[:, :len(EXERCISES)].argmax(axis=1)
    labels = [decide(dict(zip(CLASSES, row.tolist(), strict=True)), threshold)[0] for row in p]
    print(f"\nML Kit rows (real BlazePose landmarks, {len(rows)} rows, never used for training)")
    print(f"  top-1 over the six exercises: {np.mean(top1 == truth):.3f}")
    correct = np.mean([lab == r.exercise for lab, r in zip(labels, rows, strict=True)])
    wrong = np.mean([lab not in (UNKNOWN, r.exercise) for lab, r in zip(labels, rows, strict=True)])
    other4 = np.mean([lab not in (UNKNOWN, "push_up", "squat") for lab in labels])
    unk = np.mean([lab == UNKNOWN for lab in labels])
    print(f"  decided (threshold {threshold}): correct {correct:.3f}, unknown {unk:.3f}, "
          f"wrong exercise {wrong:.3f}, called one of the other four exercises {other4:.3f}")
    by = Counter((r.exercise, r.phase, lab) for r, lab in zip(rows, labels, strict=True))
    for ex in ("push_up", "squat"):
        for ph in ("up", "down"):
            n = sum(v for (e, p_, _), v in by.items() if e == ex and p_ == ph)
            parts = ", ".join(f"{lab} {v}" for (e, p_, lab), v in sorted(by.items(), key=lambda kv: -kv[1])
                              if e == ex and p_ == ph)
            print(f"    {ex:<8} {ph:<5} n={n:<4} {parts}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None, help="recogniser file (default: shipped)")
    ap.add_argument("--quick", action="store_true", help="smaller synthetic sample")
    ap.add_argument("--threshold", type=float, default=0.55, help="unknown threshold (Settings default)")
    args = ap.parse_args(argv)
    rec = ExerciseRecognizer.load(args.model)
    held = rec.meta.get("heldout")
    if held:
        print(f"Model metadata: validation model trained without views {rec.meta.get('heldout_views')}: "
              f"frame top-1 {held['frame_top1']:.3f}, "
              f"window-model top-1 {held.get('window_model_top1', 0):.3f}")
    n_frames = 6 if args.quick else 15
    n_win = 3 if args.quick else 8
    bench_frames(rec, HOLDOUT_VIEWS, n_frames, args.threshold)
    bench_mlkit(rec, args.threshold)
    bench_windows(rec, HOLDOUT_VIEWS, n_win, args.threshold)
    if not args.quick:
        bench_windows(rec, tuple(v for v in VIEWS if v not in HOLDOUT_VIEWS), n_win, args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
