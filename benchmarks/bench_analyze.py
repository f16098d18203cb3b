"""Video analysis speed and memory: real-time factor of `Pipeline.analyze_video` per pose model.

Generates a 30 s, 30 fps, 1280×720 H.264 video in which a real person (the shipped sample photo)
moves and zooms, so the pose model really detects and tracks in every frame. Each model runs in its
own process so that its peak resident memory is its own.

    .venv/bin/python benchmarks/bench_analyze.py [--seconds 30] [--models lite full heavy]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(video: Path, model: str) -> dict:
    from gymvision.pipeline import Pipeline
    from gymvision.settings import Settings

    pipeline = Pipeline(Settings(pose_model=model))
    t0 = time.perf_counter()
    res = pipeline.analyze_video(video)
    wall = time.perf_counter() - t0
    assert res.error is None, res.error
    seen = sum(p is not None for _, p in res.poses or [])
    return {"model": model, "wall_s": wall, "duration_s": res.duration_s, "frames": res.frames,
            "pose_frames": len(res.poses or []), "person_found": seen,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--models", nargs="+", default=["lite", "full", "heavy"])
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.video, args.one)))
        return
    from gymvision.demo import write_person_video

    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "bench.mp4"
        t0 = time.perf_counter()
        write_person_video(video, seconds=args.seconds, fps=30.0, size=(1280, 720))
        print(f"generated {args.seconds:.0f} s 1280x720 30 fps video in {time.perf_counter() - t0:.1f} s")
        header = ("model", "frames/s", "real-time x", "pose frames", "found", "peak MB")
        print("{:6} {:>9} {:>12} {:>12} {:>6} {:>8}".format(*header))
        for model in args.models:
            out = subprocess.run([sys.executable, __file__, "--one", model, "--video", str(video)],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            fps = r["frames"] / r["wall_s"]
            rtf = r["duration_s"] / r["wall_s"]
            found = r["person_found"] / max(1, r["pose_frames"])
            print(f"{model:6} {fps:9.1f} {rtf:12.2f} {r['pose_frames']:12d} {found:6.0%} "
                  f"{r['peak_rss_mb']:8.0f}")


if __name__ == "__main__":
    main()
