"""benchmarks/bench_real_form.py end to end on rendered clips: the real pose model, the real rules."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from gymvision.demo import write_exercise_video

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_real_form.py"


@pytest.mark.slow
def test_bench_real_form_scores_a_clean_and_a_piked_push_up_set(tmp_path: Path) -> None:
    """A clean set and one piked on every rep, filmed from the side: the clean one is judged and not
    cued, the piked one is cued by the pike rule; the poses are cached for a rerun."""
    videos, cache = tmp_path / "videos", tmp_path / "cache"
    videos.mkdir()
    write_exercise_video(videos / "clean.mp4", "push_up", n_reps=3, view="side_left", seed=200)
    write_exercise_video(videos / "piked.mp4", "push_up", n_reps=3, view="side_left", seed=200,
                         faults=("pike",), fault_reps=[0, 1, 2])
    table = tmp_path / "clips.csv"
    with open(table, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "exercise", "label", "repo", "path", "commit", "licence",
                                           "fault"])
        w.writeheader()
        for name, label, fault in (("clean.mp4", "clean", ""), ("piked.mp4", "faulty", "pike"),
                                   ("absent.mp4", "clean", "")):
            w.writerow({"file": name, "exercise": "push_up", "label": label, "repo": "-", "path": name,
                        "commit": "-", "licence": "generated", "fault": fault})
    cmd = [sys.executable, str(BENCH), "--videos", str(videos), "--csv", str(table), "--cache", str(cache)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600).stdout
    rows = {line.split()[0]: line.split()[1:5] for line in out.splitlines()
            if line.split() and line.split()[0] in ("clean", "faulty")}
    assert rows["clean"] == ["1", "1", "1", "0"]  # clips, with reps, judged, cued (absent.mp4 skipped)
    assert rows["faulty"] == ["1", "1", "1", "1"]
    pike = {ln.split()[1]: ln.split()[2:4] for ln in out.splitlines() if ln.startswith("push_up:pike")}
    assert pike == {"clean": ["1", "0"], "faulty": ["1", "1"], "its_fault": ["1", "1"]}  # named its fault
    assert "recognised (not told the exercise): push_up 2" in out
    assert sorted(p.name for p in cache.iterdir()) == ["clean.pkl", "piked.pkl"]
