"""ASGI middleware: owner cookie on every request, and security headers on every response."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .owner import COOKIE_MAX_AGE, COOKIE_NAME, OwnerSigner

CSP = ("default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
       "connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"permissions-policy", b"camera=(self), microphone=()"),
]


def _cookie(headers: list[tuple[bytes, bytes]]) -> str | None:
    for k, v in headers:
        if k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                if name == COOKIE_NAME:
                    return value
    return None


class OwnerMiddleware:
    """Puts the caller's owner id in ``scope["state"]["owner"]``, issuing a signed cookie if needed.

    WebSocket connections without a valid cookie get a throw-away owner (the page always loads over
    HTTP first, which sets the cookie).
    """

    def __init__(self, app: ASGIApp, signer: OwnerSigner) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        owner = self.signer.verify(_cookie(scope.get("headers") or []))
        new_cookie = None
        if owner is None:
            owner, new_cookie = self.signer.new()
        scope.setdefault("state", {})["owner"] = owner
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if new_cookie is not None:
                    headers.append((b"set-cookie", (
                        f"{COOKIE_NAME}={new_cookie}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; "
                        f"SameSite=Lax{secure}").encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
