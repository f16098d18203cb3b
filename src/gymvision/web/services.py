"""The service objects of one app instance, built from Settings (no module-level state)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from starlette.requests import HTTPConnection

from ..settings import Settings
from .analysis import PhotoService, Samples
from .cleanup import Janitor
from .engine import EngineFactory, EngineHolder, default_engine_factory
from .jobs import JobService
from .live import LiveService
from .owner import OwnerSigner, load_or_create_key
from .store import Store
from .uploads import UploadStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the routers call; one instance per app."""

    settings: Settings
    store: Store
    uploads: UploadStore
    engines: EngineHolder
    photos: PhotoService
    jobs: JobService
    live: LiveService
    samples: Samples
    janitor: Janitor
    signer: OwnerSigner

    @classmethod
    def build(cls, settings: Settings, engine_factory: EngineFactory | None = None) -> Services:
        root = Path(settings.data_dir).expanduser()
        root.mkdir(parents=True, exist_ok=True)
        uploads_dir, media_dir = root / "uploads", root / "media"
        store = Store(root / "gymvision.sqlite3")
        engines = EngineHolder(settings, engine_factory or default_engine_factory)
        uploads = UploadStore(uploads_dir, settings.max_upload_mb * (1 << 20))
        return cls(
            settings=settings, store=store, uploads=uploads, engines=engines,
            photos=PhotoService(settings, engines, store, media_dir),
            jobs=JobService(settings, engines, store, media_dir, uploads_dir),
            live=LiveService(settings, engines, store),
            samples=Samples(),
            janitor=Janitor(store, [uploads_dir, media_dir], settings.upload_ttl_s,
                            settings.cleanup_interval_s),
            signer=OwnerSigner(load_or_create_key(root / "secret.key")),
        )

    async def start(self) -> None:
        self.engines.load_async()
        self.jobs.start()
        self.janitor.start()
        # No photo warm-up: a static pose graph (and its low-confidence fallback) costs ~300 MB, so
        # it is created by the first photo rather than held by servers that only stream live.

    async def stop(self) -> None:
        await self.janitor.stop()
        self.jobs.stop()
        self.photos.close()
        self.live.close()


def get_services(conn: HTTPConnection) -> Services:
    """Dependency: this app's services."""
    return conn.app.state.services


def get_owner(request: Request) -> str:
    """Dependency: the caller's owner id (set by OwnerMiddleware from the signed cookie)."""
    return request.state.owner
