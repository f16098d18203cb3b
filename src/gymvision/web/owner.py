"""Per-browser ownership: a random owner id in a signed, HttpOnly cookie.

Every upload, job, set and media file is stored with its owner id and only served back to a request
carrying the same cookie. The signing key lives in ``data_dir/secret.key`` (created once, mode 0600),
so cookies stay valid across server restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

COOKIE_NAME = "gymvision_owner"
COOKIE_MAX_AGE = 365 * 24 * 3600


def load_or_create_key(path: Path) -> bytes:
    """The server's signing key, created with owner-only permissions on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


class OwnerSigner:
    """Issues and verifies owner cookies (``<id>.<hmac-sha256>``)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, owner: str) -> str:
        return hmac.new(self._key, owner.encode(), hashlib.sha256).hexdigest()[:32]

    def new(self) -> tuple[str, str]:
        """A fresh owner id and its cookie value."""
        owner = secrets.token_urlsafe(16)
        return owner, f"{owner}.{self._mac(owner)}"

    def verify(self, cookie: str | None) -> str | None:
        """The owner id in a valid cookie, else None."""
        if not cookie or "." not in cookie:
            return None
        owner, mac = cookie.rsplit(".", 1)
        if owner and hmac.compare_digest(mac, self._mac(owner)):
            return owner
        return None
