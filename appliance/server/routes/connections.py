"""Connections to outside services over HTTP. Thin: unpack, call, pack.

Who is connecting is the session's member, always; another member's connection answers 404.
Tokens go into the vault and never come back out. The worker's scheduled sync comes through
the control API.
"""

from __future__ import annotations

from litestar import Router, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance import connectors
from appliance.connectors.shapes import (
    Connection,
    ConnectionCreate,
    Connector,
    ConnectStep,
    Disconnected,
    PastedAddress,
    SyncedItem,
    SyncOutcome,
)
from appliance.runtime import Runtime
from appliance.server.auth import CONTROL_PREFIX, members_only, service_only
from appliance.server.deps import DatabaseDep, PrincipalDep, RuntimeDep

__all__ = ["routes"]

_TAGS = ["connections"]


@get("/api/connectors", tags=_TAGS, guards=[members_only])
async def list_connectors() -> list[Connector]:
    """The services Atom can connect to: how each signs in, what it brings in, how to set it up."""
    return connectors.connectors()


@get("/api/connections", tags=_TAGS, guards=[members_only])
async def list_connections(db: DatabaseDep, principal: PrincipalDep) -> list[Connection]:
    """Your connections, with their state, last sync and what to do about an error."""
    return await connectors.list_connections(db, principal.user_id)


@post("/api/connections", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def connect(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[ConnectionCreate]) -> ConnectStep:
    """Start signing in (again): a device code to type, an address to open, or done (a pasted token)."""
    return _first_sync(runtime, await connectors.start(runtime.connectors, principal.user_id, data))


@post("/api/connections/{connection_id:str}/sign-in/poll", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def poll(runtime: RuntimeDep, principal: PrincipalDep, connection_id: FromPath[str]) -> ConnectStep:
    """Device sign-in: has the member typed the code yet? Asks the service no faster than it allows."""
    return _first_sync(runtime, await connectors.poll(runtime.connectors, principal.user_id, connection_id))


@post("/api/connections/{connection_id:str}/sign-in/paste", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def paste(
    runtime: RuntimeDep, principal: PrincipalDep, connection_id: FromPath[str], data: JSONBody[PastedAddress]
) -> ConnectStep:
    """Finish a sign-in with the address the browser landed on."""
    step = await connectors.paste(runtime.connectors, principal.user_id, connection_id, data.address)
    return _first_sync(runtime, step)


@post("/api/connections/{connection_id:str}/sync", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def sync_now(runtime: RuntimeDep, principal: PrincipalDep, connection_id: FromPath[str]) -> Connection:
    return await connectors.sync_now(runtime.connectors, principal.user_id, connection_id)


@get("/api/connections/{connection_id:str}/items", tags=_TAGS, guards=[members_only])
async def items(db: DatabaseDep, principal: PrincipalDep, connection_id: FromPath[str]) -> list[SyncedItem]:
    """What the connection brought in, and the task each became."""
    return await connectors.synced_items(db, principal.user_id, connection_id)


@delete("/api/connections/{connection_id:str}", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def disconnect(
    runtime: RuntimeDep, principal: PrincipalDep, connection_id: FromPath[str], keep_data: FromQuery[bool] = True
) -> Disconnected:
    """Revoke where the service can, forget the tokens; keep the synced tasks (default) or remove them."""
    return await connectors.disconnect(runtime.connectors, principal.user_id, connection_id, keep_data)


@post("/sync", status_code=HTTP_200_OK)
async def sync_all(runtime: RuntimeDep) -> list[SyncOutcome]:
    """The worker's scheduled sync of every signed-in connection."""
    return await connectors.sync_all(runtime.connectors)


def _first_sync(runtime: Runtime, step: ConnectStep) -> ConnectStep:
    """Signed in: the worker syncs now rather than at its next round (Sync now need not be pressed)."""
    if step.connection.state == "connected":
        runtime.jobs.enqueue("connections-sync")
    return step


routes = [
    list_connectors,
    list_connections,
    connect,
    poll,
    paste,
    sync_now,
    items,
    disconnect,
    Router(CONTROL_PREFIX + "/connections", route_handlers=[sync_all], guards=[service_only], tags=["control"]),
]
