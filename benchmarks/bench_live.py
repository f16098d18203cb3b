"""Live webcam benchmark: a scripted WebSocket client on loopback sending 640×480 JPEGs at 30 fps.

One stream: processed fps and frame-to-result latency (p50/p95). Four concurrent streams: the
p95 of ``GET /health`` while they run, and the server's peak resident memory. Frames come from
the shipped mannequin squat clip (or, without it, the shipped photo of a real person moving over
a backdrop), so the pose model really tracks and reps are counted. Starts its own
``gymvision serve`` on a free port unless ``--url`` is given.

    .venv/bin/python benchmarks/bench_live.py [--seconds 20] [--streams 4] [--exercise squat]

Targets (issue 5, 2 cores): ≥ 20 fps, p95 ≤ 100 ms for one stream; /health p95 ≤ 50 ms and
RSS ≤ 1 GB with 4 streams.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import websockets
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_server(pose_model: str = "full", extra: list[str] | None = None,
                 env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Run ``gymvision serve`` on a free loopback port with a throw-away data dir; yield (url, pid)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        cmd = [sys.executable, "-c", "from gymvision.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(port), "--pose-model", pose_model,
               "--data-dir", data, "--log-level", "warning", *(extra or [])]
        proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with code {proc.returncode}")
                try:
                    r = httpx.get(f"{url}/health", timeout=2)
                    if r.status_code == 200:
                        break
                    if r.json().get("status") == "error":
                        raise RuntimeError(f"server cannot load its models: {r.json().get('error')}")
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            else:
                raise RuntimeError("server did not become ready in 180 s")
            yield url, proc.pid
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def make_frames(seconds: float = 10.0, size: tuple[int, int] = (640, 480), quality: int = 80) -> list[bytes]:
    """JPEG frames (looped by the sender): the shipped mannequin squat clip if present, so reps are
    counted as in real use, else the shipped photo of a real person drifting over a backdrop."""
    from gymvision.demo import person_frames, sample_image_path
    from gymvision.media import iter_frames

    clip = sample_image_path("demo_squat.mp4")
    if clip.exists():
        frames = (vf.rgb for vf in iter_frames(clip, sample_fps=30.0, size=size) if vf.t < seconds)
    else:
        frames = person_frames(seconds, fps=30.0, size=size)
    out = []
    for rgb in frames:
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
        out.append(buf.getvalue())
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def stream(ws_url: str, frames: list[bytes], seconds: float, fps: float = 30.0,
                 warmup: float = 2.0) -> dict[str, float]:
    """Send frames at ``fps`` like a camera (never waiting for answers); measure the answers."""
    sent: dict[int, float] = {}
    got: list[tuple[int, float]] = []
    async with websockets.connect(ws_url, max_size=None) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        start = time.perf_counter()
        done = asyncio.Event()

        async def sender() -> None:
            i = 0
            while True:
                target = start + i / fps
                now = time.perf_counter()
                if now - start >= seconds:
                    break
                if target > now:
                    await asyncio.sleep(target - now)
                await ws.send(frames[i % len(frames)])
                sent[i + 1] = time.perf_counter()
                i += 1
            await asyncio.sleep(0.5)
            done.set()

        async def receiver() -> None:
            while not done.is_set():
                try:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 0.2))
                except TimeoutError:
                    continue
                if msg.get("type") == "frame":
                    got.append((msg["frame"], time.perf_counter()))

        await asyncio.gather(sender(), receiver())
    measured = [(n, t) for n, t in got if sent[n] - start >= warmup]
    lat = [(t - sent[n]) * 1000 for n, t in measured]
    span = seconds - warmup
    n_sent = sum(1 for t in sent.values() if t - start >= warmup)
    return {"sent_fps": n_sent / span, "processed_fps": len(measured) / span,
            "latency_p50_ms": pct(lat, 50), "latency_p95_ms": pct(lat, 95),
            "dropped_pct": 100 * (1 - len(measured) / max(n_sent, 1))}


async def health_probe(url: str, stop: asyncio.Event, period: float = 0.1) -> list[float]:
    times = []
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            r = await client.get(f"{url}/health")
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
            await asyncio.sleep(period)
    return times


async def rss_probe(pid: int | None, stop: asyncio.Event) -> float:
    peak = 0.0
    while not stop.is_set() and pid:
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.5)
    return peak


async def run(url: str, pid: int | None, seconds: float, streams: int,
              exercise: str | None = None) -> dict[str, object]:
    frames = make_frames()
    ws_url = url.replace("http", "ws", 1) + "/ws/live" + (f"?exercise={exercise}" if exercise else "")
    idle_rss = rss_mb(pid) if pid else float("nan")
    one = await stream(ws_url, frames, seconds)
    stop = asyncio.Event()
    probes = [asyncio.create_task(health_probe(url, stop)), asyncio.create_task(rss_probe(pid, stop))]
    many = await asyncio.gather(*(stream(ws_url, frames, seconds) for _ in range(streams)))
    stop.set()
    health, peak = await asyncio.gather(*probes)
    return {
        "one_stream": {k: round(v, 1) for k, v in one.items()},
        f"{streams}_streams": {
            "processed_fps_each": [round(m["processed_fps"], 1) for m in many],
            "latency_p95_ms_each": [round(m["latency_p95_ms"], 1) for m in many],
            "health_p50_ms": round(pct(health, 50), 1), "health_p95_ms": round(pct(health, 95), 1),
            "server_rss_peak_mb": round(peak, 1), "server_rss_idle_mb": round(idle_rss, 1),
        },
        "cpus": os.cpu_count(), "seconds": seconds,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="benchmark a running server instead of starting one")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--pose-model", default="full", choices=["lite", "full", "heavy"])
    ap.add_argument("--exercise", help="force the exercise (the live session then skips recognition)")
    args = ap.parse_args()
    if args.url:
        result = asyncio.run(run(args.url.rstrip("/"), None, args.seconds, args.streams, args.exercise))
    else:
        with start_server(args.pose_model) as (url, pid):
            result = asyncio.run(run(url, pid, args.seconds, args.streams, args.exercise))
    result["pose_model"] = args.pose_model
    result["exercise"] = args.exercise or "recognised"
    result["load_average"] = os.getloadavg()[0]
    print(json.dumps(result, indent=1))
    one, many = result["one_stream"], result[f"{args.streams}_streams"]
    print(f"\none stream: {one['processed_fps']} fps processed of {one['sent_fps']} sent, latency p50 "
          f"{one['latency_p50_ms']} ms, p95 {one['latency_p95_ms']} ms (targets >= 20 fps, p95 <= 100 ms)")
    print(f"{args.streams} streams: /health p95 {many['health_p95_ms']} ms (target <= 50), server RSS peak "
          f"{many['server_rss_peak_mb']} MB (target <= 1024)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
