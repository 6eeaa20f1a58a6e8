"""Where a request comes from: the box's own host names, other sites, Atom's own processes.

Three checks at the edge, each closing a way for someone outside the household's browsers to
act on Atom:
- `HostCheck`: a request must name one of the box's own hosts (its names, its addresses, the
  names an admin added), so a site that points its DNS name at the box (DNS rebinding) is refused.
- `check_same_site_json`: public unsafe routes (first-run setup, sign-in) take only JSON, and
  refuse requests a browser marks as sent by another site. A cross-site form can post
  `text/plain` without a preflight; it cannot post `application/json`.
- `from_this_box`: the service token is accepted only from the box's own addresses.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from appliance.errors import PermissionDenied, UnsupportedMediaType
from appliance.settings import Settings
from appliance.system.network import lan_addresses, own_hosts
from appliance.system.tls import certificate_names

__all__ = ["HostCheck", "allowed_hosts", "check_same_site_json", "from_this_box", "host_name"]

_CROSS_SITE = frozenset({"cross-site", "same-site"})  # same-site: another port or subdomain


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The host names requests may name: the box's own, its certificate's, and `server.allowed_hosts`."""
    certified = certificate_names(Path(settings.server.tls_cert_file)) if settings.tls else []
    return frozenset(h.lower() for h in (*own_hosts(), *certified, *settings.server.allowed_hosts))


def host_name(host_header: str) -> str:
    """`atom.local:8080` → `atom.local`; `[::1]:8080` → `::1`."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0].lower()
    return host_header.rpartition(":")[0].lower() if host_header.count(":") == 1 else host_header.lower()


class HostCheck:
    """Answers 400 to requests whose Host is not one of the box's names (DNS rebinding)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "*" not in self.allowed and not self._allowed(scope):
            await _refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"host":
                return host_name(value.decode("latin-1")) in self.allowed
        return False


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": "unknown host"})
        return
    response = ASGIResponse(body=_UNKNOWN_HOST, status_code=400, media_type="application/json")
    await response(scope, receive, send)


_UNKNOWN_HOST = (
    b'{"status_code":400,"detail":"this host name is not one of Atom\'s: open Atom by its own name or '
    b'address, or an admin adds the name to server.allowed_hosts"}'
)


def check_same_site_json(connection: ASGIConnection) -> None:
    """For public routes that change state: JSON only, and never from another site's page."""
    media_type = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("send the body as JSON (Content-Type: application/json)")
    if connection.headers.get("sec-fetch-site", "").lower() in _CROSS_SITE:
        raise PermissionDenied("Atom only accepts this from its own pages")
    origin = connection.headers.get("origin")
    if origin and urlsplit(origin).netloc.lower() != connection.headers.get("host", "").lower():
        raise PermissionDenied("Atom only accepts this from its own pages")


def from_this_box(connection: ASGIConnection) -> bool:
    """True when the peer is this machine: loopback, or one of its own LAN addresses."""
    peer = connection.client.host if connection.client else ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return address.is_loopback or peer in lan_addresses()
