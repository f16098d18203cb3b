"""Photo analysis service and the shaping of results for the API (the ``analyze --json`` object)."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image

from ..exercises import normalise_name
from ..media import MediaError, decode_image
from ..results import AnalysisResult
from ..settings import Settings
from .engine import EngineHolder, lower_thread_priority
from .errors import ApiError
from .store import Store
from .uploads import IMAGE_TYPES, VIDEO_TYPES, random_name

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def display_name(filename: str | None, default: str = "upload") -> str:
    """The user's file name, reduced to a harmless base name for display and logs."""
    name = _UNSAFE.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return name[:120] or default


def parse_exercise(value: str | None) -> str | None:
    """An optional forced exercise from a form/query field (422 when not a known name)."""
    if value is None or not value.strip():
        return None
    try:
        return normalise_name(value)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc


def api_result(res: AnalysisResult, name: str, media_id: str | None, set_id: str | None) -> dict[str, Any]:
    """The contract object for the API: as ``analyze --json``, plus links; no server paths."""
    d = res.to_dict(include_signal=True)
    d["file"] = name
    d.pop("annotated", None)
    d["annotated_url"] = f"/api/media/{media_id}" if media_id else None
    d["set_id"] = set_id
    return d


class Samples:
    """Sample images shipped in ``gymvision/samples`` (listed, never addressed by path)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            folder = Path(str(resources.files("gymvision") / "samples"))
        self.folder = folder

    def listing(self) -> dict[str, str]:
        """Sample file name → kind ("image" | "video"), for the accepted formats only."""
        if not self.folder.is_dir():
            return {}
        kinds = {f".{e}": "image" for e in (*IMAGE_TYPES, "jpeg")}
        kinds |= {f".{e}": "video" for e in VIDEO_TYPES}
        return {p.name: kinds[p.suffix.lower()] for p in sorted(self.folder.iterdir())
                if p.is_file() and p.suffix.lower() in kinds}

    def names(self) -> list[str]:
        return list(self.listing())

    def path(self, name: str) -> tuple[Path, str]:
        """The sample's path and kind (404 for anything not in the listing)."""
        kind = self.listing().get(name)
        if kind is None:
            raise ApiError(404, f"No sample named {name!r}.")
        return self.folder / name, kind


class PhotoService:
    """Analyses photos on a small, bounded pool of threads (each keeps its own pose graph)."""

    def __init__(self, settings: Settings, engines: EngineHolder, store: Store, media_dir: Path) -> None:
        self.settings = settings
        self.engines = engines
        self.store = store
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(settings.image_workers, thread_name_prefix="photo",
                                        initializer=lower_thread_priority)
        self._waiting = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def analyze(self, owner: str, path: Path, name: str, *, exercise: str | None = None,
                      source: str = "photo", mime: str = "image/jpeg") -> dict[str, Any]:
        """Analyse one stored photo off the event loop; log it as a set; return the API object.

        The photo is kept (until the TTL) as the owner's source media, so that its prediction can be
        explained later (``explain_url``); the caller deletes it if this raises.
        """
        self.engines.get()  # 503 while loading
        with self._lock:
            if self._waiting >= self.settings.image_queue:
                raise ApiError(503, "The server is busy analysing other photos; try again shortly.",
                               {"Retry-After": "2"})
            self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._analyze, owner, path, name, exercise, source,
                                              mime)
        finally:
            with self._lock:
                self._waiting -= 1

    def _analyze(self, owner: str, path: Path, name: str, exercise: str | None,
                 source: str, mime: str) -> dict[str, Any]:
        try:
            with Image.open(path) as img:
                w, h = img.size
        except (OSError, ValueError) as exc:
            raise ApiError(422, "Could not read the image: the file is damaged or not a real "
                                f"{path.suffix.lstrip('.').upper()} ({exc.__class__.__name__}).") from exc
        if w * h > self.settings.max_image_pixels:
            raise ApiError(413, f"Image too large: {w}×{h} px; the limit is "
                                f"{self.settings.max_image_pixels // 1_000_000} megapixels.")
        try:
            rgb = decode_image(path, self.settings.max_image_pixels)
        except MediaError as exc:
            raise ApiError(422, f"Could not read the image: {exc}.") from exc
        out = self.media_dir / random_name("jpg")
        try:
            res = self.engines.get().analyze_image(rgb, name, exercise=exercise, out_path=out)
        except Exception as exc:
            out.unlink(missing_ok=True)
            log.exception("photo analysis failed")
            raise ApiError(500, f"Analysis failed: {exc.__class__.__name__}: {exc}") from exc
        media_id = self.store.add_media(owner, out, "image/jpeg") if out.exists() else None
        d = api_result(res, name, media_id, None)
        source_id = self.store.add_media(owner, path, mime)
        d["explain_url"] = f"/api/explain/{source_id}" if res.people else None
        rec = self.store.add_set(owner, source=source, name=name, result=d, media_id=media_id)
        d["set_id"] = rec.id
        return d
