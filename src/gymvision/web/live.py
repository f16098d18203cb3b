"""Live webcam coaching over a WebSocket: one pipeline Session per connection, latest frame wins.

Protocol (all on ``/ws/live``):
- browser → server, binary: one JPEG (or PNG) frame.
- browser → server, text JSON: ``{"type": "exercise", "exercise": "squat" | null}`` (force or
  recognise; starts a new set), ``{"type": "save"}`` (log the current set and start a new one).
- server → browser, text JSON: ``{"type": "ready"}``, then per processed frame
  ``{"type": "frame", "frame": n, ...FrameResult.to_dict(), "width", "height", "proc_ms",
  "dropped"}`` (``frame`` counts the binary messages received, from 1), ``{"type": "saved",
  "set": {...}}`` and ``{"type": "error", "detail": "..."}``.

Frames are decoded and analysed on a thread pool, never on the event loop. While one frame is being
analysed, newer frames replace the waiting one (the skipped ones are counted as ``dropped``), so
the overlay never lags behind the camera and memory never grows.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import cv2
import numpy as np
from PIL import Image
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..exercises import UNKNOWN, normalise_name
from ..results import FrameResult
from ..settings import Settings
from .analysis import api_result
from .engine import EngineHolder, lower_thread_priority, release_memory
from .errors import ApiError
from .store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_FRAME_PIXELS = 4096 * 4096
#: WebSocket close codes: policy violation, server overloaded ("try again later").
CLOSE_POLICY, CLOSE_TRY_LATER = 1008, 1013


def decode_frame(data: bytes) -> np.ndarray:
    """A JPEG/PNG frame to RGB; ValueError with a readable message when it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            w, h = img.size
    except Exception as exc:
        raise ValueError("frame is not a JPEG or PNG image") from exc
    if w * h > MAX_FRAME_PIXELS:
        raise ValueError(f"frame too large ({w}×{h}); send at most 1920×1080")
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError("frame could not be decoded")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class _Stream:
    """State of one WebSocket connection."""

    def __init__(self, service: LiveService, ws: WebSocket, owner: str, exercise: str | None) -> None:
        self.service = service
        self.ws = ws
        self.owner = owner
        self.exercise = exercise
        self.session: Any = None
        self.lock = threading.Lock()  # one frame at a time per session, and close after the last
        self.start = time.monotonic()
        self.set_start = self.start
        self.received = 0
        self.dropped = 0
        self.processed = 0
        self.pending: tuple[int, bytes, float] | None = None
        self.wake = asyncio.Event()
        self.last: FrameResult | None = None
        self.last_size: tuple[int, int] | None = None
        self.error_sent_at = 0.0

    # ---- work on the pool threads -------------------------------------------------------------
    def _new_session(self) -> None:
        engine = self.service.engines.get(None)
        with self.lock:
            old, self.session = self.session, engine.session(self.exercise)
            if old is not None:
                old.close()
            self.last = None

    def _process(self, data: bytes, t: float) -> tuple[FrameResult, tuple[int, int], float]:
        rgb = decode_frame(data)
        t0 = time.perf_counter()
        with self.lock:
            fr = self.session.process(rgb, t)
        return fr, (rgb.shape[1], rgb.shape[0]), (time.perf_counter() - t0) * 1000.0

    def _close(self) -> None:
        with self.lock:
            if self.session is not None:
                self.session.close()
                self.session = None
        release_memory()

    def _save(self, explicit: bool = False) -> dict[str, Any] | None:
        """Log the current set: when reps were counted, or on request if the exercise was recognised."""
        with self.lock:
            session, last = self.session, self.last
            if session is not None:
                session.finish()  # a last rep on its way back when the set ended counts
            events = list(getattr(session, "events", []) or [])
        if last is None or not (events or (explicit and last.exercise != UNKNOWN)):
            return None
        # what the reps were counted as: the label itself may read unknown for a moment mid-set
        exercise = session.set_exercise if events else last.exercise
        duration = time.monotonic() - self.set_start
        from ..results import AnalysisResult

        res = AnalysisResult(file="webcam", kind="video", exercise=exercise,
                             confidence=last.confidence, reps=len(events), rep_events=events,
                             advice=list(last.advice), probabilities=dict(last.probabilities),
                             duration_s=round(duration, 2), people=last.people)
        if self.last_size:
            res.width, res.height = self.last_size
        d = api_result(res, "webcam", None, None)
        rec = self.service.store.add_set(self.owner, source="live", name="webcam", result=d)
        log.info("live set logged: %s, %d reps", res.exercise, len(events))
        return rec.to_dict(detail=False)

    # ---- event loop side ----------------------------------------------------------------------
    async def _run_pool(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.service.pool, fn, *args)

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(payload, separators=(",", ":")))

    async def _error(self, detail: str) -> None:
        now = time.monotonic()
        if now - self.error_sent_at > 1.0:  # at most one error message a second
            self.error_sent_at = now
            await self._send({"type": "error", "detail": detail})

    async def _processor(self) -> None:
        try:
            await self._process_forever()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket went away while sending: the receive loop ends too
            log.debug("live stream processor stopped: %r", exc)

    async def _process_forever(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            item, self.pending = self.pending, None
            if item is None:
                continue
            n, data, t = item
            try:
                fr, size, proc_ms = await self._run_pool(self._process, data, t)
            except ValueError as exc:
                await self._error(str(exc))
                continue
            except Exception as exc:
                log.exception("live frame failed")
                await self._error(f"analysis failed: {exc.__class__.__name__}")
                continue
            self.last, self.last_size = fr, size
            self.processed += 1
            msg = fr.to_dict()
            msg.update(type="frame", frame=n, width=size[0], height=size[1], proc_ms=round(proc_ms, 1),
                       dropped=self.dropped, processed=self.processed)
            await self._send(msg)

    async def _control(self, text: str) -> None:
        try:
            msg = json.loads(text)
            kind = msg.get("type")
        except (ValueError, AttributeError):
            await self._error("control messages must be JSON objects with a 'type'")
            return
        if kind in ("save", "exercise"):
            if kind == "exercise":
                try:
                    value = msg.get("exercise")
                    exercise = normalise_name(str(value)) if value else None
                except ValueError as exc:
                    await self._error(str(exc))
                    return
            saved = await self._run_pool(self._save, kind == "save")
            if kind == "exercise":
                self.exercise = exercise
            await self._run_pool(self._new_session)
            self.set_start = time.monotonic()
            await self._send({"type": "saved", "set": saved, "exercise": self.exercise})
        else:
            await self._error(f"unknown control message {kind!r}")

    async def run(self) -> None:
        max_bytes = self.service.settings.max_live_frame_kb * 1024
        await self._run_pool(self._new_session)
        await self._send({"type": "ready", "exercise": self.exercise, "max_frame_bytes": max_bytes})
        worker = asyncio.create_task(self._processor())
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    data = message["bytes"]
                    self.received += 1
                    if len(data) > max_bytes:
                        await self._error(f"frame too large ({len(data) // 1024} KB); "
                                          f"the limit is {max_bytes // 1024} KB")
                        continue
                    if self.pending is not None:
                        self.dropped += 1  # latest frame wins
                    self.pending = (self.received, data, time.monotonic() - self.start)
                    self.wake.set()
                elif message.get("text") is not None:
                    await self._control(message["text"])
        except WebSocketDisconnect:
            pass
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            try:
                await self._run_pool(self._save)
            except Exception:
                log.exception("could not log the live set")
            try:
                await self._run_pool(self._close)
            except RuntimeError:  # the pool is shut down (server stopping): close here
                self._close()


class LiveService:
    """Admits live streams up to ``max_live_streams`` and runs them on a shared thread pool."""

    def __init__(self, settings: Settings, engines: EngineHolder, store: Store) -> None:
        self.settings = settings
        self.engines = engines
        self.store = store
        # Each stream has at most one frame in work; running more frames at once than there are
        # cores only adds GIL contention, which is what delays the event loop (/health, uploads).
        workers = max(1, min(settings.max_live_streams, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="live", initializer=lower_thread_priority)
        self._active = 0
        self._lock = threading.Lock()

    @property
    def active(self) -> int:
        return self._active

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def serve(self, ws: WebSocket, owner: str) -> None:
        """Run one live connection to its end."""
        await ws.accept()
        try:
            exercise = ws.query_params.get("exercise") or None
            exercise = normalise_name(exercise) if exercise else None
        except ValueError as exc:
            await ws.send_text(json.dumps({"type": "error", "detail": str(exc)}))
            await ws.close(CLOSE_POLICY)
            return
        try:
            self.engines.get()
        except ApiError as exc:
            await ws.send_text(json.dumps({"type": "error", "detail": exc.message}))
            await ws.close(CLOSE_TRY_LATER)
            return
        with self._lock:
            admitted = self._active < self.settings.max_live_streams
            if admitted:
                self._active += 1
        if not admitted:
            await ws.send_text(json.dumps({"type": "error", "detail": "Too many live streams right now "
                                           f"(limit {self.settings.max_live_streams}); try again later."}))
            await ws.close(CLOSE_TRY_LATER)
            return
        log.info("live stream opened (%d active)", self._active)
        stream = _Stream(self, ws, owner, exercise)
        try:
            await stream.run()
        finally:
            with self._lock:
                self._active -= 1
            log.info("live stream closed: %d frames received, %d processed, %d dropped",
                     stream.received, stream.processed, stream.dropped)
