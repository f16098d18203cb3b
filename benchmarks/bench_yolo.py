"""Pose-recogniser pipeline vs YOLO-ONNX detector + pose on the same generated video (2 cores).

Generates a 1280×720, 30 fps H.264 video of a real person (the shipped sample photo, moving), then
times, each in its own process:

* ``pose``       — ``Pipeline.analyze_video`` with the pose recogniser (no detector);
* ``detector``   — the ONNX detector alone (onnxruntime) on frames sampled every
  ``gymvision.yolo.vote.DETECTOR_EVERY_S`` (the exercise label is per video, so the pipeline runs
  it at that rate, not on every analysed frame);
* ``pose+yolo``  — ``Pipeline.analyze_video`` with ``detector=yolo-onnx:PATH``. When the pipeline does
  not call the detector on video frames, the detector's measured cost is added to the pose run and
  the row is marked ``(est.)``.

Without ``--onnx`` a randomly initialised six-class detector is exported from ``--model`` (speed does
not depend on the weights; this needs the ``[yolo]`` extra). Only onnxruntime runs the detector.

    .venv-yolo/bin/python benchmarks/bench_yolo.py [--seconds 20] [--model yolov8n.yaml --imgsz 640]
    .venv/bin/python benchmarks/bench_yolo.py --onnx runs/yolo/train/weights/best.onnx
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class CountingDetector:
    """Wraps a detector and counts/ times its calls."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls, self.seconds = inner, 0, 0.0
        self.names = inner.names

    def detect(self, rgb: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return self.inner.detect(rgb, *args, **kwargs)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - t0


def run_pipeline(video: Path, pose_model: str, onnx: Path | None) -> dict[str, Any]:
    from gymvision.pipeline import Pipeline
    from gymvision.settings import Settings

    settings = Settings(pose_model=pose_model, detector=f"yolo-onnx:{onnx}" if onnx else None)
    pipeline = Pipeline(settings)
    counter = None
    if pipeline.detector is not None:
        counter = CountingDetector(pipeline.detector)
        pipeline.detector = counter
    t0 = time.perf_counter()
    res = pipeline.analyze_video(video)
    wall = time.perf_counter() - t0
    assert res.error is None, res.error
    return {"wall_s": wall, "duration_s": res.duration_s, "frames": res.frames, "exercise": res.exercise,
            "pose_frames": len(res.poses or []), "detector_calls": counter.calls if counter else 0,
            "detector_s": counter.seconds if counter else 0.0, "analysis_fps": settings.analysis_fps}


def run_detector(video: Path, onnx: Path, sample_fps: float, threads: int | None) -> dict[str, Any]:
    from gymvision.media import iter_frames, probe_video
    from gymvision.yolo import OnnxDetector

    det = OnnxDetector(onnx, threads=threads)
    info = probe_video(video)
    t_decode, t_det, n = 0.0, 0.0, 0
    t0 = time.perf_counter()
    for vf in iter_frames(video, sample_fps=sample_fps):
        t1 = time.perf_counter()
        t_decode += t1 - t0
        det.detect(vf.rgb)
        t0 = time.perf_counter()
        t_det += t0 - t1
        n += 1
    return {"frames": info.frames, "duration_s": info.duration_s, "detected_frames": n,
            "detector_s": t_det, "decode_s": t_decode, "ms_per_frame": 1000 * t_det / max(1, n),
            "input": list(det.input_size)}


def _sub(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--onnx", type=Path, help="Exported detector; default: export an untrained --model.")
    ap.add_argument("--model", default="yolov8n.yaml", help="Model YAML for the untrained detector.")
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--pose-model", default="full")
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the detector-only row.")
    ap.add_argument("--json", type=Path, help="Also write the results here.")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--fps", type=float, default=15.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one == "pipeline":
        print(json.dumps(run_pipeline(args.video, args.pose_model, args.onnx)))
        return
    if args.one == "detector":
        print(json.dumps(run_detector(args.video, args.onnx, args.fps, args.threads)))
        return

    from gymvision.demo import write_person_video
    from gymvision.yolo.vote import DETECTOR_EVERY_S

    with tempfile.TemporaryDirectory() as tmp:
        onnx = args.onnx
        if onnx is None:
            from gymvision.yolo.export import export_untrained

            cwd = os.getcwd()
            os.chdir(tmp)  # Ultralytics writes the export beside the model name
            try:
                onnx = export_untrained(args.model, args.imgsz, Path(tmp) / "untrained.onnx")
            finally:
                os.chdir(cwd)
        video = Path(tmp) / "bench.mp4"
        write_person_video(video, seconds=args.seconds, fps=30.0, size=(1280, 720))
        pose = _sub("--one", "pipeline", "--video", str(video), "--pose-model", args.pose_model)
        det = _sub("--one", "detector", "--video", str(video), "--onnx", str(onnx), "--fps",
                   str(1.0 / DETECTOR_EVERY_S), "--threads", str(args.threads))
        both = _sub("--one", "pipeline", "--video", str(video), "--pose-model", args.pose_model,
                    "--onnx", str(onnx))
    est = both["detector_calls"] == 0
    both_wall = both["wall_s"] + (det["detector_s"] if est else 0.0)
    rows = [("pose (recogniser)", pose["wall_s"]), ("detector only", det["detector_s"] + det["decode_s"]),
            ("pose+yolo" + (" (est.)" if est else ""), both_wall)]
    frames, duration = pose["frames"], pose["duration_s"]
    print(f"video: {args.seconds:.0f} s, 1280x720, 30 fps ({frames} frames); pose model {args.pose_model}, "
          f"analysed at {pose['analysis_fps']:.0f} fps; detector {onnx.name if args.onnx else args.model} "
          f"input {det['input'][1]}x{det['input'][0]}, {det['ms_per_frame']:.1f} ms/frame, run every "
          f"{DETECTOR_EVERY_S} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'pipeline':22} {'wall s':>7} {'frames/s':>9} {'real-time x':>12}")
    for name, wall in rows:
        print(f"{name:22} {wall:7.2f} {frames / wall:9.1f} {duration / wall:12.2f}")
    if est:
        print("(est.) = the pipeline did not run the detector on video frames; its measured cost was added")
    if args.json:
        args.json.write_text(json.dumps({"pose": pose, "detector": det, "pose_yolo": both,
                                         "pose_yolo_estimated": est}, indent=1))


if __name__ == "__main__":
    main()
