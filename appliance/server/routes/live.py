"""The live channel: one WebSocket per open page, carrying the events its user may see."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from appliance.accounts.models import Principal
from appliance.errors import PermissionDenied
from appliance.events import EventBus
from appliance.server.deps import BusDep, PrincipalDep

__all__ = ["routes", "CLOSE_SIGNED_OUT"]

CLOSE_SIGNED_OUT = 4401  # the server ended the subscription: sign in again
_encoder = msgspec.json.Encoder()


@websocket("/api/live")
async def live(socket: WebSocket, bus: BusDep, principal: PrincipalDep) -> None:
    _same_origin(socket)
    await socket.accept()
    await socket.send_text(_encoder.encode({"topic": "live", "action": "ready", "id": principal.user_id}).decode())
    pump = asyncio.create_task(_pump(socket, bus, principal))
    listen = asyncio.create_task(_until_closed(socket))
    done, pending = await asyncio.wait({pump, listen}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    if pump in done:
        await _close_quietly(socket, CLOSE_SIGNED_OUT)


def _same_origin(socket: WebSocket) -> None:
    """Browsers send Origin on WebSockets; refuse pages from other sites (cookie hijacking)."""
    origin = socket.headers.get("origin")
    if origin and urlsplit(origin).netloc != socket.headers.get("host"):
        raise PermissionDenied("the live channel only serves Atom's own pages")


async def _pump(socket: WebSocket, bus: EventBus, principal: Principal) -> None:
    async for event in bus.subscribe(principal.user_id, principal.session_id):
        await socket.send_text(_encoder.encode(event).decode())


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
