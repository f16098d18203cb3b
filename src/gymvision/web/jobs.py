"""Video jobs: a bounded queue and a fixed pool of worker threads running the pipeline.

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

from ..media import MediaError, probe_video
from ..settings import Settings
from .analysis import api_result
from .engine import EngineHolder
from .errors import ApiError
from .store import NotFound, Store
from .uploads import random_name

log = logging.getLogger(__name__)


@dataclass
class _Task:
    job_id: str
    owner: str
    path: Path
    name: str
    exercise: str | None
    source: str


class JobService:
    """Queue and workers for video analysis."""

    _STOP = object()

    def __init__(self, settings: Settings, engines: EngineHolder, store: Store, media_dir: Path) -> None:
        self.settings = settings
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
        self.engines.get()
        job = self.store.add_job(owner, name)
        try:
            self._queue.put_nowait(_Task(job.id, owner, path, name, exercise, source))
        except queue.Full:
            self.store.update_job(job.id, status="failed", error="queue full")
            raise ApiError(503, f"Too many videos waiting ({self.settings.video_queue}); "
                                "try again in a minute.", {"Retry-After": "30"}) from None
        with self._lock:
            self._progress[job.id] = 0.0
        log.info("queued job %s (%s)", job.id, name)
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
                task.path.unlink(missing_ok=True)
                with self._lock:
                    self._progress.pop(task.job_id, None)

    def _fail(self, job_id: str, message: str) -> None:
        try:
            self.store.update_job(job_id, status="failed", error=message)
        except Exception:
            log.exception("could not mark job %s failed", job_id)

    def _run(self, task: _Task) -> None:
        engine = self.engines.get(None)
        self.store.update_job(task.job_id, status="running", progress=0.0)
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
