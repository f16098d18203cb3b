"""Recognition and rep counting on real videos you have on disk (none ship with the project).

``benchmarks/data/real_videos.csv`` lists 111 short public clips (gym and home, phones and stock
footage) with the repository, path and commit they came from and their rep counts, counted by eye
from frame sheets (a deadlift counts at its lockout, lowered in the clip or not). Its ``set`` column
says how each clip was used: ``tuning`` clips (45) were looked at while the counters were developed;
``held_out`` ones (25) were counted first on the code of 28 Nov 2026 (commit 532f4b1), before any
change was made for them; ``fresh`` ones (9, seven of them one person at home) were first counted on
the code of 28 Nov 2026, third session (commit 3b54345), and nothing has been changed for them;
``fresh2`` ones (12: seven deadlifts, four of them with kettlebells and one with a band, two squats, two
dumbbell presses, a bench press) were found and counted on 28 Nov 2026, fifth session, and first run on
the code of commit 788fc7c; two changes were then made for what they showed (see docs/measurements.md);
``fresh3`` ones (6 kettlebell deadlift sets of 10 by the lifter of four ``fresh2`` clips, filmed from
the side and at 45° front, correct or with a named fault) were first run on 28 Nov 2026, night (the
deadlift hip-hinge commit, 960e23a's code), and nothing has been changed for them.
``fresh4`` ones (14: four squats, three bench presses, three push-up sets, two shoulder presses, two
deadlifts; most of them a single rep filmed by a phone; found and counted by a helper session on
29 Nov 2026 from repositories not used before) were first run on the code of commit 942c2f0, and
nothing has been changed for them.
The clips carry no licence that would let us ship them: fetch them yourself
(or use your own clips with a CSV of the same columns) into one folder, then

    .venv/bin/python benchmarks/bench_real.py --videos DIR [--csv FILE] [--cache DIR] 2>/dev/null

Each clip goes through the whole pipeline once (BlazePose, recognition, counting). Printed per clip and
overall: the recognised exercise; the batch count and the live tracker's count on the same poses told
the true exercise (live counts end as a live set saved at the clip's end: ``finish``); the end-to-end
count of video analysis (``Pipeline.summarise_track``, 0 when the exercise was not recognised) and of a
live session replaying the poses (``Session.process_pose``, 0 unless its reps were counted as the true
exercise); OBO, normalised MAE and the exact share for each, over all clips and per set; per active
form rule, the reps it judged and cued in video analysis told the exercise, and the clips it cued (these
clips are not labelled for faults: a cue is not known to be right or wrong here); the live
label shown on every frame (right, ``unknown``, wrong); and analysis time against video time. Then
every second frame's pose judged alone, as a photo is (``Pipeline.decide`` on the single-frame
model): the share named right, ``unknown`` or wrong, averaged over clips, per exercise and per set,
and the most common wrong names. Frames of standing between reps should come out ``unknown``; wrong
names are the failures. ``--photos N`` also sends N frames of each clip (evenly spaced inside it)
through the whole photo path (``Pipeline.analyze_image``: BlazePose on the still, then the same
decision) and prints the same shares for them.

``--cache`` keeps each clip's poses so that a rerun measures the counters without the pose model.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from bench_form_e2e import cued
from gymvision.form import rules_for
from gymvision.media import iter_frames, probe_video
from gymvision.pipeline import Pipeline
from gymvision.reps import LiveRepTracker, analyze_reps

DEFAULT_CSV = Path(__file__).parent / "data" / "real_videos.csv"


def _poses(pipeline: Pipeline, path: Path, cache: Path | None) -> tuple[list, float, float]:
    """(time, pose) track, seconds spent, video seconds."""
    hit = cache / f"{path.stem}.pkl" if cache else None
    if hit is not None and hit.exists():
        with open(hit, "rb") as fh:
            track = pickle.load(fh)
        return track, 0.0, track[-1][0] if track else 0.0
    t0 = time.perf_counter()
    res = pipeline.analyze_video(path)
    spent = time.perf_counter() - t0
    track = list(res.poses or [])
    if hit is not None:
        hit.parent.mkdir(parents=True, exist_ok=True)
        with open(hit, "wb") as fh:
            pickle.dump(track, fh)
    return track, spent, res.duration_s or 0.0


def _scores(true: list[int], counted: list[int]) -> str:
    t, c = np.asarray(true), np.asarray(counted)
    err = np.abs(c - t)
    return (f"OBO {np.mean(err <= 1):.2f}  nMAE {np.mean(err / np.maximum(t, 1)):.3f}  "
            f"exact {np.mean(err == 0):.2f}")


#: How a frame's name compares with the clip's exercise.
KINDS = ("right", "unknown", "wrong")


def _tally(out: Counter, label: str, exercise: str) -> None:
    """Count ``label`` as right, unknown or wrong for ``exercise`` (a wrong one also as ``("as", label)``)."""
    kind = "right" if label == exercise else "unknown" if label == "unknown" else "wrong"
    out[kind] += 1
    if kind == "wrong":
        out[("as", label)] += 1


def _frame_names(pipeline: Pipeline, track: list, exercise: str) -> Counter:
    """How every second posed frame of ``track`` is named alone (as a photo): right / unknown / wrong,
    and each wrong name as ``("as", name)``."""
    poses = [p for _, p in track[::2] if p is not None]
    out: Counter = Counter()
    if not poses:
        return out
    for probs, pose in zip(pipeline.recognizer.predict_poses(poses), poses, strict=True):
        _tally(out, pipeline.decide(pipeline.recognizer.as_dict(probs), [pose])[0], exercise)
    return out


def _photo_names(pipeline: Pipeline, path: Path, exercise: str, n: int) -> Counter:
    """How ``n`` evenly spaced frames of the clip at ``path`` are named through the photo path."""
    duration = probe_video(path).duration_s
    want = [duration * (k + 1) / (n + 1) for k in range(n)]
    out: Counter = Counter()
    for frame in iter_frames(path, sample_fps=5):
        if want and frame.t >= want[0] and frame.rgb is not None:
            want.pop(0)
            _tally(out, pipeline.analyze_image(frame.rgb, name=path.name).exercise, exercise)
    return out


def _print_frames(frames: list[tuple[str, str, Counter]], title: str) -> None:
    groups: dict[str, list[Counter]] = defaultdict(list)
    wrong: Counter = Counter()
    for ex, group, c in frames:
        if sum(c[k] for k in KINDS):
            groups["all"].append(c)
            groups[ex].append(c)
            groups[f"set {group}"].append(c)
        wrong.update({(ex, k[1]): v for k, v in c.items() if isinstance(k, tuple)})
    print(f"\n{title}, share per clip averaged over clips:")
    for name in ["all", *sorted(k for k in groups if k != "all")]:
        cs = groups[name]
        share = {k: np.mean([c[k] / sum(c[j] for j in KINDS) for c in cs]) for k in KINDS}
        print(f"  {name:16} clips {len(cs):2d}  right {share['right']:.3f}  unknown {share['unknown']:.3f}  "
              f"wrong {share['wrong']:.3f}")
    print("  most common wrong names (frames): " + ", ".join(
        f"{ex} as {lab} {n}" for (ex, lab), n in wrong.most_common(6)))


def _tally_cues(cues: dict[str, list], exercise: str, clip: str, events: list) -> None:
    """Per active rule of ``exercise``: reps it judged and reps it cued, and the clips it cued."""
    for rule in rules_for(exercise):
        if not rule.active:
            continue
        c = cues[f"{exercise}:{rule.fault}"]
        judged = [e for e in events if rule.metric in e.metrics]
        hit = [e for e in judged if cued(rule, e)]
        c[0] += len(judged)
        c[1] += len(hit)
        c[2] += [clip] * len(hit)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=Path, required=True,
                    help="folder holding the clips (searched recursively)")
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--cache", type=Path, default=None, help="folder for the clips' poses (reused on reruns)")
    ap.add_argument("--photos", type=int, default=0, metavar="N",
                    help="also name N frames of each clip through the photo path")
    args = ap.parse_args()
    found = {p.name: p for p in args.videos.rglob("*") if p.is_file()}
    with open(args.csv, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in found]
    if not rows:
        raise SystemExit(f"none of the clips in {args.csv} is under {args.videos}")
    pipeline = Pipeline()
    true, batch, live, e2e, live_e2e, labels, live_labels, sets = [], [], [], [], [], [], [], []
    frames: list[tuple[str, str, Counter]] = []
    live_frames: Counter = Counter()  # frames whose live label was right, unknown, wrong
    photos: list[tuple[str, str, Counter]] = []
    spent = video = 0.0
    cues: dict[str, list] = defaultdict(lambda: [0, 0, []])  # rule -> [reps judged, reps cued, clips cued]
    print(f"{'clip':44} {'exercise':15} true batch live  recognised      e2e  live: named    e2e")
    for r in rows:
        ex, n = r["exercise"], int(r["true_reps"])
        track, s, d = _poses(pipeline, found[r["file"]], args.cache)
        spent, video = spent + s, video + (d if s else 0.0)
        times, poses = [t for t, _ in track], [p for _, p in track]
        analysis = analyze_reps(ex, times, poses)
        b = analysis.count
        _tally_cues(cues, ex, r["file"], analysis.events)
        tracker = LiveRepTracker(ex, with_form=False)
        for t, p in track:
            tracker.update(float(t), p)
        tracker.finish()  # the recording ends: as a live set saved or stopped there
        res = pipeline.summarise_track(track, r["file"])  # what `gymvision analyze` does after the pose
        label, end = res.exercise, res.reps
        with pipeline.session() as session:  # the webcam's path, on the same poses
            for t, p in track:
                _tally(live_frames, session.process_pose(float(t), p).exercise, ex)
            session.finish()
            live_label, live_end = session.set_exercise, session.reps
        true.append(n)
        batch.append(b)
        live.append(tracker.count)
        e2e.append(end if label == ex else 0)
        live_e2e.append(live_end if live_label == ex else 0)
        labels.append((label, ex))
        live_labels.append(live_label)
        sets.append(r.get("set") or "all")
        frames.append((ex, sets[-1], _frame_names(pipeline, track, ex)))
        if args.photos:
            photos.append((ex, sets[-1], _photo_names(pipeline, found[r["file"]], ex, args.photos)))
        print(f"{r['file']:44} {ex:15} {n:4d} {b:5d} {tracker.count:4d}  {label:15} {e2e[-1]:3d}  "
              f"{live_label:15} {live_e2e[-1]:3d}")
    rec = np.array([lab == ex for lab, ex in labels])
    unk = np.array([lab == "unknown" for lab, _ in labels])
    print(f"\n{len(rows)} clips; recognition: right {rec.mean():.2f}, unknown {unk.mean():.2f}, "
          f"wrong {np.mean(~rec & ~unk):.2f}")
    print(f"batch, told the exercise:  {_scores(true, batch)}")
    print(f"live, told the exercise:   {_scores(true, live)}")
    live_rec = np.array([lab == ex for lab, (_, ex) in zip(live_labels, labels, strict=True)])
    print(f"live, named as: right {live_rec.mean():.2f}, unknown "
          f"{np.mean([lab == 'unknown' for lab in live_labels]):.2f}")
    right, unknown, wrong = (live_frames[k] / max(sum(live_frames[j] for j in KINDS), 1) for k in KINDS)
    print(f"live label, all frames:    right {right:.3f}, unknown {unknown:.3f}, wrong {wrong:.3f}")
    print(f"end to end:                {_scores(true, e2e)}")
    print(f"end to end, live:          {_scores(true, live_e2e)}")
    for name in sorted(set(sets)) if len(set(sets)) > 1 else []:
        k = [i for i, s in enumerate(sets) if s == name]
        print(f"  {name:9} clips {len(k):2d}: batch {_scores([true[i] for i in k], [batch[i] for i in k])}")
        print(f"  {'':9}           live  {_scores([true[i] for i in k], [live[i] for i in k])}")
        print(f"  {'':9}           e2e   {_scores([true[i] for i in k], [e2e[i] for i in k])}")
        print(f"  {'':9}      live e2e   {_scores([true[i] for i in k], [live_e2e[i] for i in k])}")
    for ex in sorted({ex for _, ex in labels}):
        k = [i for i, (_, e) in enumerate(labels) if e == ex]
        print(f"  {ex:15} clips {len(k):2d}  batch {_scores([true[i] for i in k], [batch[i] for i in k])}")
    print("\nform cues in video analysis told the exercise (clips not labelled for faults: see"
          " bench_real_form.py for labelled ones):")
    for key in sorted(cues):
        judged, cued_reps, clips = cues[key]
        named = ", ".join(f"{c} {k}" for c, k in sorted(Counter(clips).items()))
        print(f"  {key:30} reps judged {judged:3d}  cued {cued_reps:3d}" + (f"  ({named})" if named else ""))
    _print_frames(frames, "single frames of the pose track named alone (as photos are)")
    if photos:
        _print_frames(photos, f"{args.photos} frames per clip through the photo path")
    if spent > 0:
        print(f"analysis speed (clips not from the cache): {video / spent:.2f}x real time "
              f"({video:.0f} s of video in {spent:.0f} s)")


if __name__ == "__main__":
    main()
