"""The analysis engine behind the web app: one shared :class:`~gymvision.pipeline.Pipeline`.

The Pipeline holds read-only models only (photos use one pose graph per thread, videos and live
sessions create their own), so one instance serves every worker. It is loaded in the background
at start-up; ``/health`` turns 200 once it is ready.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..results import AnalysisResult, FrameResult, RepEvent
from ..settings import Settings
from .errors import ApiError

log = logging.getLogger(__name__)


class LiveSession(Protocol):
    """What the web app needs from :class:`gymvision.pipeline.Session`."""

    events: list[RepEvent]

    def process(self, frame_rgb: np.ndarray, t: float) -> FrameResult: ...

    def finish(self) -> list[RepEvent]: ...

    def close(self) -> None: ...


class Engine(Protocol):
    """What the web app needs from :class:`gymvision.pipeline.Pipeline`."""

    def analyze_image(self, image_rgb: np.ndarray, name: str = "image", exercise: str | None = None,
                      out_path: Path | None = None) -> AnalysisResult: ...

    def analyze_video(self, path: Path, progress: Callable[[float], None] | None = None,
                      out_path: Path | None = None, exercise: str | None = None,
                      name: str | None = None) -> AnalysisResult: ...

    def session(self, exercise: str | None = None) -> Any: ...


EngineFactory = Callable[[Settings], Engine]


def default_engine_factory(settings: Settings) -> Engine:
    """The real pipeline (imports MediaPipe and the recogniser lazily)."""
    from ..pipeline import Pipeline

    return Pipeline(settings)


def release_memory() -> None:
    """Hand freed heap back to the OS after a pose graph is closed (glibc keeps ~200 MB otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def lower_thread_priority(niceness: int = 5) -> None:
    """Make the calling worker thread (and the pose-graph threads it starts) yield the CPU to the
    event loop, so /health, uploads and WebSocket I/O stay responsive when analysis saturates the
    cores. Linux only; a no-op elsewhere or when not permitted."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class EngineHolder:
    """Loads the engine once in a background thread; hands it out when ready."""

    def __init__(self, settings: Settings, factory: EngineFactory) -> None:
        self.settings = settings
        self._factory = factory
        self._engine: Engine | None = None
        self._ready = threading.Event()
        self.error: str | None = None
        self.load_seconds: float | None = None

    def load_async(self) -> threading.Thread:
        thread = threading.Thread(target=self._load, name="engine-load", daemon=True)
        thread.start()
        return thread

    def _load(self) -> None:
        t0 = time.perf_counter()
        try:
            self._engine = self._factory(self.settings)
        except Exception as exc:
            log.exception("loading the analysis models failed")
            self.error = f"{exc.__class__.__name__}: {exc}"
        else:
            self.load_seconds = time.perf_counter() - t0
            log.info("models loaded in %.1f s", self.load_seconds)
            release_memory()  # loading leaves a lot of freed heap behind
        self._ready.set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._engine is not None

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout) and self._engine is not None

    def get(self, timeout: float | None = 0.0) -> Engine:
        """The engine, or 503 while it is loading (or if it failed to load)."""
        if not self._ready.wait(timeout):
            raise ApiError(503, "The analysis models are still loading; try again in a few seconds.",
                           {"Retry-After": "5"})
        if self._engine is None:
            raise ApiError(503, f"The analysis models failed to load: {self.error}. "
                                "Run scripts/install.sh and restart the server.")
        return self._engine
