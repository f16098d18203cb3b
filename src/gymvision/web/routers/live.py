"""The live webcam WebSocket (the protocol is described in :mod:`gymvision.web.live`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket

from ..live import CLOSE_POLICY
from ..services import get_services

router = APIRouter(tags=["live"])


def _same_origin(ws: WebSocket) -> bool:
    """Refuse cross-site pages (cross-site WebSocket hijacking); clients without Origin are allowed."""
    origin = ws.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == (ws.headers.get("host") or "").lower()


@router.websocket("/ws/live")
async def live(ws: WebSocket) -> None:
    """Binary JPEG frames in, one JSON result per processed frame out (latest frame wins)."""
    if not _same_origin(ws):
        await ws.close(CLOSE_POLICY)
        return
    await get_services(ws).live.serve(ws, ws.state.owner)
