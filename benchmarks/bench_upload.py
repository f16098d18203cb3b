"""Video upload benchmark: 20 concurrent small video uploads, every job must finish, none lost.

Each upload comes from its own client (its own session cookie), as 20 users would. Reports how many
jobs finished, failed or were refused, the wall time, and per-job time from upload to result.
Starts its own ``gymvision serve`` on a free port unless ``--url`` is given.

    .venv/bin/python benchmarks/bench_upload.py [--uploads 20] [--seconds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_live import start_server


def make_video(path: Path, seconds: float, size: tuple[int, int] = (480, 360), fps: float = 30.0) -> Path:
    """A small H.264 MP4 of a real person moving (the shipped sample image over a backdrop)."""
    from gymvision.demo import write_person_video

    return write_person_video(path, seconds=seconds, fps=fps, size=size)


async def one_upload(url: str, data: bytes, i: int, timeout: float) -> dict[str, object]:
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        r = await client.post("/api/analyze", files={"file": (f"set{i:02d}.mp4", data, "video/mp4")})
        if r.status_code != 202:
            return {"i": i, "status": f"http {r.status_code}", "detail": r.json().get("detail")}
        job_id = r.json()["job"]
        while time.perf_counter() - t0 < timeout:
            job = (await client.get(f"/api/jobs/{job_id}")).json()
            if job["status"] in ("done", "failed"):
                ok = job["status"] == "done" and job["result"]["file"] == f"set{i:02d}.mp4"
                media = 0
                if ok:
                    media = (await client.get(job["result"]["annotated_url"])).status_code
                return {"i": i, "status": job["status"] if media == 200 or not ok else "no media",
                        "error": job.get("error"), "seconds": time.perf_counter() - t0}
            await asyncio.sleep(0.25)
    return {"i": i, "status": "timeout"}


async def run(url: str, data: bytes, uploads: int, timeout: float) -> dict[str, object]:
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one_upload(url, data, i, timeout) for i in range(uploads)))
    wall = time.perf_counter() - t0
    done = [r for r in results if r["status"] == "done"]
    secs = [float(r["seconds"]) for r in done]
    return {"uploads": uploads, "done": len(done), "not_done": [r for r in results if r["status"] != "done"],
            "wall_s": round(wall, 1), "video_bytes": len(data),
            "job_s_p50": round(float(np.percentile(secs, 50)), 1) if secs else None,
            "job_s_max": round(max(secs), 1) if secs else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="benchmark a running server instead of starting one")
    ap.add_argument("--uploads", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=2.0, help="length of each video")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--video-workers", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = make_video(Path(tmp) / "clip.mp4", args.seconds).read_bytes()
        if args.url:
            result = asyncio.run(run(args.url.rstrip("/"), data, args.uploads, args.timeout))
        else:
            with start_server(extra=["--video-workers", str(args.video_workers)]) as (url, _pid):
                result = asyncio.run(run(url, data, args.uploads, args.timeout))
    print(json.dumps(result, indent=1))
    print(f"\n{result['done']}/{args.uploads} jobs done in {result['wall_s']} s "
          f"(per job p50 {result['job_s_p50']} s, max {result['job_s_max']} s); "
          f"lost or failed: {len(result['not_done'])}")
    return 0 if result["done"] == args.uploads else 1


if __name__ == "__main__":
    sys.exit(main())
