"""ASGI middleware: request ids, access logs and security headers on every response."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from appliance.logs import request_id

__all__ = ["RequestContext", "SECURITY_HEADERS"]

log = logging.getLogger("appliance.access")

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
_ENCODED_HEADERS = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


class RequestContext:
    """Gives each request an id (or keeps a sane incoming X-Request-ID) and logs it once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or secrets.token_hex(8)
        token = request_id.set(rid)
        started, status = time.perf_counter(), {"code": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = _with_headers(message.get("headers", []), rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _log_access(scope, status["code"], time.perf_counter() - started)
            request_id.reset(token)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if 0 < len(text) <= 64 and text.replace("-", "").isalnum():
                return text
    return None


def _with_headers(headers: Any, rid: str) -> list[tuple[bytes, bytes]]:
    result = list(headers)
    present = {name.lower() for name, _ in result}
    result.append((b"x-request-id", rid.encode()))
    result.extend(header for header in _ENCODED_HEADERS if header[0] not in present)
    return result


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    path = scope.get("path", "")
    if path == "/healthz" or not log.isEnabledFor(logging.INFO):  # access lines off: build nothing
        return
    method = scope.get("method", "WS")
    extra = {"method": method, "path": path, "status": status, "ms": round(seconds * 1000, 1)}
    log.info("%s %s %s", method, path, status, extra=extra)
