"""The live channel: one WebSocket per open page, carrying the events its user may see.

A channel lives no longer than the credential it was opened with. Revocations (sign-out,
a revoked token, a disabled member, a password reset) end it at once through the bus;
a watch re-checks the credential when the session would expire, and every minute in any
case, so a session that just runs out ends its channel too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import urlsplit

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from appliance import clock
from appliance.accounts.credentials import valid_until
from appliance.accounts.shapes import Principal
from appliance.errors import PermissionDenied
from appliance.events import Event
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep
from appliance.storage import Database

__all__ = ["routes", "CLOSE_SIGNED_OUT", "same_origin", "credential_lapsed"]

CLOSE_SIGNED_OUT = 4401  # the server ended the subscription: sign in again
RECHECK_SECONDS = 60.0  # the longest a channel goes without re-checking its credential
_encoder = msgspec.json.Encoder()


@websocket("/api/live")
async def live(socket: WebSocket, bus: BusDep, db: DatabaseDep, principal: PrincipalDep) -> None:
    same_origin(socket)
    await socket.accept()
    # Subscribed before "ready": a page acts (and a reconnected one resyncs) once it hears it, so a
    # change published at that moment must already reach this channel.
    with bus.subscription(principal.user_id, principal.credential_id) as events:
        seen = bus.seen_by(principal.user_id)  # more than the page's own count: it missed some, resync
        ready = {"topic": "live", "action": "ready", "id": principal.user_id, "data": {"seen": seen}}
        await socket.send_text(_encoder.encode(ready).decode())
        pump = asyncio.create_task(_pump(socket, events))
        watch = asyncio.create_task(credential_lapsed(db, principal))
        listen = asyncio.create_task(_until_closed(socket))
        done, pending = await asyncio.wait({pump, watch, listen}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
    if listen not in done:
        await _close_quietly(socket, CLOSE_SIGNED_OUT)


def same_origin(socket: WebSocket) -> None:
    """Browsers send Origin on WebSockets; refuse pages from other sites (cookie hijacking)."""
    origin = socket.headers.get("origin")
    if origin and urlsplit(origin).netloc != socket.headers.get("host"):
        raise PermissionDenied("the live channel only serves Atom's own pages")


async def _pump(socket: WebSocket, events: AsyncIterator[Event]) -> None:
    async for event in events:
        await socket.send_text(_encoder.encode(event).decode())


async def credential_lapsed(db: Database, principal: Principal) -> None:
    """Return once the credential behind this channel has lapsed or been revoked.

    The first check runs after the subscription is in place, so a revocation that landed
    between authenticating this socket and subscribing is not missed.
    """
    while (until := await valid_until(db, principal)) is not None:
        await asyncio.sleep(_seconds_before(until))


def _seconds_before(until: datetime) -> float:
    left = (until - clock.now()).total_seconds()
    return min(max(left, 0.0) + 0.05, RECHECK_SECONDS)


async def _until_closed(socket: WebSocket) -> None:
    try:
        while True:
            await socket.receive_data("text")
    except (WebSocketDisconnect, RuntimeError):
        return


async def _close_quietly(socket: WebSocket, code: int) -> None:
    try:
        await socket.close(code=code)
    except (RuntimeError, WebSocketDisconnect):
        pass


routes = [live]
