"""FastAPI app factory: ``create_app(settings)`` wires services, middleware, routers and pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..settings import Settings
from .engine import EngineFactory
from .errors import install_handlers
from .middleware import OwnerMiddleware
from .routers import api, history, live, pages
from .services import Services
from .uploads import BodySizeLimit

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, engine_factory: EngineFactory | None = None) -> FastAPI:
    """Build the web app. ``engine_factory`` replaces the real pipeline (tests, experiments)."""
    settings = settings or Settings()
    services = Services.build(settings, engine_factory)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        log.info("GymVision web app started; data in %s", settings.data_dir)
        try:
            yield
        finally:
            await services.stop()

    app = FastAPI(
        title="GymVision", version="0.1.0", lifespan=lifespan,
        description="Exercise recognition, rep counting and form cues from photos, videos and the "
                    "webcam. `POST /api/analyze` mirrors `gymvision analyze --json`. Results are "
                    "visible only to the browser session (cookie) that created them.",
        docs_url=None, redoc_url=None,  # the stock pages load from a CDN; /docs is served offline
    )
    app.state.services = services
    install_handlers(app)
    app.include_router(api.router)
    app.include_router(history.router)
    app.include_router(live.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, html=False), name="static")
    # outermost first: size limit, then owner cookie + security headers
    app.add_middleware(OwnerMiddleware, signer=services.signer)
    app.add_middleware(BodySizeLimit, max_bytes=services.uploads.max_bytes + (1 << 20))
    return app
