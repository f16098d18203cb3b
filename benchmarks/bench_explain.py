"""Explain speed: `gymvision explain` defaults (window 32, stride 24) on a 640×480 photo.

The default photo is the shipped 640×480 mannequin squat (``samples/demo_squat.jpg``, rendered by
GymVision, a full body the real pose model detects); ``--astronaut`` uses the shipped real portrait on a
640×480 backdrop (person ≈ 45 % of the frame) and ``--close-up`` that portrait stretched to fill the
frame (worst case: every window touches the person). The pose stage runs for every window touching the
person's box and is cached for the rest. Target: ≤ 30 s on 2 cores.

    .venv/bin/python benchmarks/bench_explain.py [--pose-model full] [--repeat 1] [--out x.png] [--close-up]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np


def photo_640x480(close_up: bool = False) -> np.ndarray:
    """The person on a backdrop (≈45 % of the frame), or ``close_up``: the photo stretched to 640×480."""
    from gymvision.demo import sample_image

    person = sample_image()
    if close_up:
        return cv2.resize(person, (640, 480), interpolation=cv2.INTER_AREA)
    h = 400
    w = round(person.shape[1] * h / person.shape[0])
    person = cv2.resize(person, (w, h), interpolation=cv2.INTER_AREA)
    canvas = np.full((480, 640, 3), (200, 200, 195), np.uint8)
    x0, y0 = (640 - person.shape[1]) // 2, 480 - h
    canvas[y0:, x0:x0 + person.shape[1]] = person
    return canvas


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pose-model", default="full")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--window", type=int, default=32)
    ap.add_argument("--stride", type=int, default=24)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--close-up", action="store_true", help="Portrait filling the frame (worst case).")
    ap.add_argument("--astronaut", action="store_true", help="Real portrait on a backdrop.")
    args = ap.parse_args()

    from gymvision.datasets.explain import explain_image
    from gymvision.demo import sample_image_path
    from gymvision.pipeline import Pipeline
    from gymvision.settings import Settings

    squat = sample_image_path("demo_squat.jpg")
    if args.close_up or args.astronaut or not squat.is_file():
        rgb, name = photo_640x480(args.close_up), "astronaut close-up" if args.close_up else "astronaut"
    else:
        from gymvision.media import decode_image

        rgb, name = decode_image(squat), "demo_squat.jpg"
    t0 = time.perf_counter()
    pipeline = Pipeline(Settings(pose_model=args.pose_model))
    load_s = time.perf_counter() - t0
    runs = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = explain_image(pipeline, rgb, window=args.window, stride=args.stride)
        runs.append(time.perf_counter() - t0)
    if args.out:
        args.out.write_bytes(res.png)
    print(json.dumps({
        "image": f"{name} {rgb.shape[1]}x{rgb.shape[0]}", "pose_model": args.pose_model,
        "window": args.window, "stride": args.stride,
        "windows": res.windows, "pose_runs": res.evaluated, "cached": res.windows - res.evaluated,
        "explain_s": round(min(runs), 2),
        "per_pose_run_ms": round(1000 * min(runs) / max(1, res.evaluated), 1),
        "model_load_s": round(load_s, 2), "exercise": res.exercise, "confidence": round(res.confidence, 3),
        "top_features": [a.name for a in res.attributions[:5]], "target_s": 30.0,
        "pass": min(runs) <= 30.0,
    }))


if __name__ == "__main__":
    main()
