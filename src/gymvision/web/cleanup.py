"""Expiry of uploads and results after ``upload_ttl_s`` (logged sets themselves are kept)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from .store import Store

log = logging.getLogger(__name__)


class Janitor:
    """Deletes expired media (and their records) and orphaned files in the storage folders."""

    def __init__(self, store: Store, folders: list[Path], ttl_s: float, interval_s: float) -> None:
        self.store = store
        self.folders = folders
        self.ttl_s = ttl_s
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def sweep(self, now: float | None = None) -> int:
        """One pass; returns the number of files deleted."""
        cutoff = (time.time() if now is None else now) - self.ttl_s
        removed = 0
        for path in self.store.expire(cutoff):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        for folder in self.folders:
            if not folder.is_dir():
                continue
            for f in folder.iterdir():
                try:
                    if f.is_file() and f.stat().st_mtime < cutoff:
                        f.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        if removed:
            log.info("cleanup: removed %d expired file(s)", removed)
        return removed

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.sweep)
            except Exception:
                log.exception("cleanup failed")
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
