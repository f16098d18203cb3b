"""Upload validation and storage: type from magic bytes, size limits, random names on disk."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..media import sniff_format
from .errors import ApiError

log = logging.getLogger(__name__)

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "heic": "image/heic",
               "avif": "image/avif"}
VIDEO_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "avi": "video/x-msvideo",
               "mkv": "video/x-matroska", "webm": "video/webm"}
#: Every accepted format's MIME type.
MIME_TYPES = {**IMAGE_TYPES, **VIDEO_TYPES}
ACCEPTED = "png, jpg, webp or heic photos; mp4, mov, avi, mkv or webm videos"


@dataclass(frozen=True)
class FileType:
    """What the content of an upload is, whatever its name says."""

    ext: str
    kind: str  # "image" | "video"

    @property
    def mime(self) -> str:
        return MIME_TYPES[self.ext]


def sniff(head: bytes) -> FileType | None:
    """Recognise an accepted format from the first bytes of a file (None if not accepted)."""
    found = sniff_format(head)
    if found is None or found[0] not in MIME_TYPES:
        return None
    return FileType(*found)


def random_name(ext: str) -> str:
    """A random file name that reveals nothing and cannot traverse paths."""
    return f"{secrets.token_hex(16)}.{ext}"


class UploadStore:
    """Writes validated uploads to ``data_dir/uploads`` under random names."""

    CHUNK = 1 << 20

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes

    def save(self, src: BinaryIO, allowed: tuple[str, ...] = ("image", "video")) -> tuple[Path, FileType]:
        """Copy an upload to disk after sniffing its type; raise 413/415/422 on bad input."""
        head = src.read(64)
        if not head:
            raise ApiError(422, "The uploaded file is empty.")
        ftype = sniff(head)
        if ftype is None or ftype.kind not in allowed:
            raise ApiError(415, f"Unsupported file type: send {ACCEPTED}. "
                                "The type is read from the file's content, not its name.")
        path = self.root / random_name(ftype.ext)
        size = len(head)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(head)
                while chunk := src.read(self.CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ApiError(413, self.too_large_message())
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        log.info("stored upload %s (%s, %d bytes)", path.name, ftype.ext, size)
        return path, ftype

    def copy_in(self, src: Path, ext: str) -> Path:
        """A private copy of a trusted file (a shipped sample) under a random name."""
        import shutil

        path = self.root / random_name(ext)
        shutil.copyfile(src, path)
        return path

    def too_large_message(self) -> str:
        return f"File too large: the limit is {self.max_bytes // (1 << 20)} MB."


class BodySizeLimit:
    """ASGI middleware refusing request bodies above a limit with 413, before they are spooled.

    Checks ``Content-Length`` up front and counts streamed bytes for chunked uploads.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefixes: tuple[str, ...] = ("/api/",)) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._reject(send)
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        import json

        body = json.dumps({"detail": f"Request too large: the limit is {self.max_bytes // (1 << 20)} MB."})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})


class _TooLarge(Exception):
    pass
