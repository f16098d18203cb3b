"""Background jobs (video analysis, photo explanations): a bounded queue and a fixed worker pool.

A full queue answers 503 instead of growing; a job that crashes marks itself failed and the worker
goes on. Job status lives in SQLite (progress is kept in memory and written at coarse steps), so a
restart reports jobs that were cut short as failed instead of losing them.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..media import MediaError, decode_image, probe_video
from ..settings import Settings
from .analysis import api_result
from .engine import EngineHolder, lower_thread_priority, release_memory
from .errors import ApiError
from .store import NotFound, Store
from .uploads import random_name

log = logging.getLogger(__name__)

#: Occlusion settings for the web: coarser than the CLI's defaults, so an answer comes in seconds.
EXPLAIN_PARAMS = {"max_side": 400, "window": 40, "stride": 30}


@dataclass
class _Task:
    job_id: str
    owner: str
    path: Path
    name: str
    exercise: str | None
    source: str
    kind: str = "video"  # "video" | "explain"
    delete_input: bool = True


class JobService:
    """Queue and workers for video analysis and photo explanations (each worker: one job at a time)."""

    _STOP = object()

    def __init__(self, settings: Settings, engines: EngineHolder, store: Store, media_dir: Path,
                 sources_dir: Path | None = None) -> None:
        self.settings = settings
        self.sources_dir = Path(sources_dir) if sources_dir is not None else None
        self.engines = engines
        self.store = store
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=settings.video_queue)
        self._progress: dict[str, float] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        n = self.store.fail_unfinished_jobs("The server restarted before this job finished; upload again.")
        if n:
            log.warning("marked %d unfinished job(s) from a previous run as failed", n)
        for i in range(self.settings.video_workers):
            t = threading.Thread(target=self._worker, name=f"video-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask workers to finish their current job and exit (queued jobs stay marked queued)."""
        for _ in self._threads:
            try:
                self._queue.put_nowait(self._STOP)
            except queue.Full:
                break
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    # ---- API ----------------------------------------------------------------------------------
    def validate(self, path: Path) -> None:
        """Refuse (422) a video that cannot be opened or is too long, before it takes a queue slot."""
        try:
            info = probe_video(path)
        except MediaError as exc:
            raise ApiError(422, f"Could not read the video: {exc}.") from exc
        except Exception as exc:
            raise ApiError(422, "Could not read the video: the file is damaged or uses an unsupported "
                                f"codec ({exc.__class__.__name__}).") from exc
        limit = self.settings.max_video_seconds
        if info.duration_s > limit:
            raise ApiError(413, f"Video too long: {info.duration_s:.0f} s; the limit is {limit:.0f} s.")

    def submit(self, owner: str, path: Path, name: str, exercise: str | None = None,
               source: str = "video") -> str:
        """Queue a stored video; returns the job id (503 when the queue is full)."""
        return self._enqueue(_Task("", owner, path, name, exercise, source))

    def submit_explain(self, owner: str, source_id: str) -> str:
        """Queue an occlusion-sensitivity explanation of one of the owner's analysed photos."""
        try:
            path, mime = self.store.get_media(owner, source_id)
        except NotFound:
            raise ApiError(404, "No such photo (photos expire, and are visible only to the browser "
                                "session that uploaded them).") from None
        if not mime.startswith("image/") or (self.sources_dir and path.parent != self.sources_dir):
            raise ApiError(404, "Only uploaded photos can be explained.")
        if not path.is_file():
            raise ApiError(404, "This photo has expired; upload it again.")
        return self._enqueue(_Task("", owner, path, "explanation", None, "explain", kind="explain",
                                   delete_input=False))

    def _enqueue(self, task: _Task) -> str:
        self.engines.get()
        job = self.store.add_job(task.owner, task.name)
        task.job_id = job.id
        try:
            self._queue.put_nowait(task)
        except queue.Full:
            self.store.update_job(job.id, status="failed", error="queue full")
            raise ApiError(503, f"Too many jobs waiting ({self.settings.video_queue}); "
                                "try again in a minute.", {"Retry-After": "30"}) from None
        with self._lock:
            self._progress[job.id] = 0.0
        log.info("queued %s job %s (%s)", task.kind, job.id, task.name)
        return job.id

    def get(self, owner: str, job_id: str) -> dict[str, Any]:
        """Status, progress (0–1) and, when done, the result object."""
        try:
            job = self.store.get_job(owner, job_id)
        except NotFound:
            raise ApiError(404, "No such job (jobs expire, and are visible only to the browser "
                                "session that uploaded them).") from None
        with self._lock:
            progress = self._progress.get(job_id, job.progress)
        d: dict[str, Any] = {"job": job.id, "status": job.status, "name": job.name,
                             "progress": round(1.0 if job.status == "done" else progress, 3),
                             "error": job.error, "queue_position": None}
        if job.status == "queued":
            d["queue_position"] = self.queued_before(job_id)
        if job.status == "done":
            d["result"] = job.result
            d["set_id"] = job.set_id
        return d

    def queued_before(self, job_id: str) -> int:
        with self._queue.mutex:
            ids = [t.job_id for t in self._queue.queue if isinstance(t, _Task)]
        return ids.index(job_id) if job_id in ids else 0

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    # ---- workers ------------------------------------------------------------------------------
    def _worker(self) -> None:
        lower_thread_priority(10)  # videos are batch work: live streams and the event loop come first
        while True:
            task = self._queue.get()
            if task is self._STOP:
                return
            try:
                self._run(task)
            except Exception:  # never let a job kill the worker
                log.exception("job %s crashed", task.job_id)
                self._fail(task.job_id, "The analysis crashed; the error was logged on the server.")
            finally:
                if task.delete_input:
                    task.path.unlink(missing_ok=True)
                with self._lock:
                    self._progress.pop(task.job_id, None)
                release_memory()

    def _fail(self, job_id: str, message: str) -> None:
        try:
            self.store.update_job(job_id, status="failed", error=message)
        except Exception:
            log.exception("could not mark job %s failed", job_id)

    def _run(self, task: _Task) -> None:
        engine = self.engines.get(None)
        self.store.update_job(task.job_id, status="running", progress=0.0)
        if task.kind == "explain":
            self._explain(task, engine)
            return
        last_written = [0.0]

        def progress(frac: float) -> None:
            frac = float(min(max(frac, 0.0), 1.0))
            with self._lock:
                self._progress[task.job_id] = frac
            if frac - last_written[0] >= 0.25:
                last_written[0] = frac
                self.store.update_job(task.job_id, status="running", progress=frac)

        out = self.media_dir / random_name("mp4")
        t0 = time.perf_counter()
        try:
            res = engine.analyze_video(task.path, progress=progress, out_path=out,
                                       exercise=task.exercise, name=task.name)
        except MediaError as exc:
            out.unlink(missing_ok=True)
            self._fail(task.job_id, f"Could not analyse the video: {exc}.")
            return
        except Exception:
            out.unlink(missing_ok=True)
            raise
        if res.error:
            out.unlink(missing_ok=True)
            self._fail(task.job_id, res.error)
            return
        media_id = self.store.add_media(task.owner, out, "video/mp4") if out.exists() else None
        d = api_result(res, task.name, media_id, None)
        rec = self.store.add_set(task.owner, source=task.source, name=task.name, result=d,
                                 media_id=media_id)
        d["set_id"] = rec.id
        self.store.update_job(task.job_id, status="done", progress=1.0, result=d, set_id=rec.id)
        log.info("job %s done in %.1f s: %s, %s reps", task.job_id, time.perf_counter() - t0,
                 res.exercise, res.reps)

    def _explain(self, task: _Task, engine: Any) -> None:
        from ..datasets.explain import explain_image

        try:
            rgb = decode_image(task.path, self.settings.max_image_pixels)
        except MediaError as exc:
            self._fail(task.job_id, f"Could not read the photo: {exc}.")
            return

        def progress(done: int, total: int) -> None:
            with self._lock:
                self._progress[task.job_id] = done / max(total, 1)

        from ..pose import PoseEstimator

        s = self.settings
        try:
            # MediaPipe marks the arrays it is given read-only, and the occlusion loop writes into
            # the array it passes on: hand the pose model copies.
            with PoseEstimator(s.pose_model, static=True,
                               min_detection_confidence=s.min_detection_confidence) as est:
                res = explain_image(engine, rgb, progress=progress, **EXPLAIN_PARAMS,
                                    pose_fn=lambda img: est.process(img.copy()))
        except ValueError as exc:
            self._fail(task.job_id, f"Nothing to explain: {exc}.")
            return
        out = self.media_dir / random_name("png")
        out.write_bytes(res.png)
        media_id = self.store.add_media(task.owner, out, "image/png")
        d = res.to_dict()
        d["heatmap_url"] = f"/api/media/{media_id}"
        self.store.update_job(task.job_id, status="done", progress=1.0, result=d)
        log.info("explain job %s done in %.1f s", task.job_id, res.seconds)
