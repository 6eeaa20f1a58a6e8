"""Voice over HTTP: pairing, listing, changing and revoking satellites, who may use Wyoming
unpaired, and the Voice page's push-to-talk socket. Thin: unpack, call, pack.

A satellite's device token opens only the Wyoming endpoint; here it is shown once, at pairing.
Revoking a satellite (or removing its member) cuts its connection at once; so does a change of
its room or identity, and it reconnects as what it now is.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Router, WebSocket, delete, get, patch, post, websocket
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from appliance.errors import PermissionDenied
from appliance.events import EVERYONE, Action, Event
from appliance.runtime import Runtime
from appliance.server.auth import CONTROL_PREFIX, admin_only, members_only, service_only
from appliance.server.deps import PrincipalDep, RuntimeDep
from appliance.server.routes.live import same_origin
from appliance.server.talk import BrowserTalk
from appliance.voice.allowed import (
    AllowedAddress,
    AllowedAddressCreate,
    WyomingAccess,
    address_list,
    allow_address,
    forget_address,
    wyoming_access,
)
from appliance.voice.satellites import (
    NewSatellite,
    Satellite,
    SatelliteCreate,
    SatelliteUpdate,
    audience,
    change_satellite,
    list_satellites,
    pair_for_operator,
    pair_satellite,
    revoke_satellite,
)

__all__ = ["routes", "OperatorPairing", "with_status"]

_TAGS = ["voice"]


class OperatorPairing(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`atom satellite pair` through the control API: `username` None pairs for the household."""

    satellite: SatelliteCreate
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


@get("/api/voice/satellites", tags=_TAGS, guards=[members_only])
async def satellites(runtime: RuntimeDep, principal: PrincipalDep) -> list[Satellite]:
    """The household's satellites and the member's own: room, who they speak as, and whether connected now."""
    return with_status(runtime, await list_satellites(runtime.db, principal))


@post("/api/voice/satellites", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def pair(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[SatelliteCreate]) -> NewSatellite:
    """Pair a satellite; its device token is in this answer only."""
    new = await pair_satellite(runtime.db, principal, data)
    _publish(runtime, new.satellite, "created")
    return new


@patch("/api/voice/satellites/{satellite_id:str}", tags=_TAGS, guards=[members_only])
async def change(
    runtime: RuntimeDep, principal: PrincipalDep, satellite_id: FromPath[str], data: JSONBody[SatelliteUpdate]
) -> Satellite:
    """Rename it, move it to another room, or make it speak for the household (admins) or for you."""
    before = next((s for s in await list_satellites(runtime.db, principal) if s.id == satellite_id), None)
    changed = await change_satellite(runtime.db, principal, satellite_id, data)
    if before is not None and (before.room, before.user_id) != (changed.room, changed.user_id):
        cut_off(runtime, changed.id)  # its connection still speaks as what it was
        _publish(runtime, before, "deleted")  # those who saw it as it was may no longer
    _publish(runtime, changed, "updated")
    return with_status(runtime, [changed])[0]


@delete("/api/voice/satellites/{satellite_id:str}", tags=_TAGS, guards=[members_only], status_code=HTTP_204_NO_CONTENT)
async def revoke(runtime: RuntimeDep, principal: PrincipalDep, satellite_id: FromPath[str]) -> None:
    gone = await revoke_satellite(runtime.db, principal, satellite_id)
    cut_off(runtime, gone.id)
    _publish(runtime, gone, "deleted")


@get("/api/voice/access", tags=_TAGS, guards=[admin_only])
async def access(runtime: RuntimeDep) -> WyomingAccess:
    """Who may use speech over Wyoming without pairing (never commands)."""
    return await wyoming_access(runtime.db, runtime.settings)


@post("/api/voice/access", tags=_TAGS, guards=[admin_only], status_code=HTTP_201_CREATED)
async def allow(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[AllowedAddressCreate]) -> AllowedAddress:
    """Let an address or network of the home network use speech over Wyoming unpaired."""
    added = await allow_address(runtime.db, principal, data)
    await _apply_access(runtime, added.id, "created")
    return added


@delete("/api/voice/access/{entry_id:str}", tags=_TAGS, guards=[admin_only], status_code=HTTP_204_NO_CONTENT)
async def forget(runtime: RuntimeDep, principal: PrincipalDep, entry_id: FromPath[str]) -> None:
    await forget_address(runtime.db, principal, entry_id)
    await _apply_access(runtime, entry_id, "deleted")


@websocket("/api/voice/talk")
async def talk(socket: WebSocket, runtime: RuntimeDep, principal: PrincipalDep) -> None:
    """Push-to-talk from the Voice page, as the member signed in (see appliance/server/talk.py)."""
    same_origin(socket)
    if principal.is_service:
        raise PermissionDenied("push-to-talk needs a household member, not the service token")
    await socket.accept()
    await BrowserTalk(socket, runtime, principal).run()


@post("/satellites", status_code=HTTP_201_CREATED)
async def operator_pair(runtime: RuntimeDep, data: JSONBody[OperatorPairing]) -> NewSatellite:
    new = await pair_for_operator(runtime.db, data.username, data.satellite)
    _publish(runtime, new.satellite, "created")
    return new


def with_status(runtime: Runtime, found: list[Satellite]) -> list[Satellite]:
    connected = runtime.satellites.connected()
    return [msgspec.structs.replace(s, connected=s.id in connected) for s in found]


def cut_off(runtime: Runtime, satellite_id: str) -> None:
    if runtime.wyoming is not None:
        runtime.wyoming.disconnect_satellite(satellite_id)


def _publish(runtime: Runtime, satellite: Satellite, action: Action) -> None:
    runtime.bus.publish(Event(topic="satellites", action=action, id=satellite.id), audience(satellite))


async def _apply_access(runtime: Runtime, entry_id: str, action: Action) -> None:
    """The running endpoint takes the new list at once (a removed address's next request is refused)."""
    if runtime.wyoming is not None:
        runtime.wyoming.allowed = await address_list(runtime.db, runtime.settings)
    runtime.bus.publish(Event(topic="satellites", action=action, id=f"access-{entry_id}"), [EVERYONE])


routes = [
    satellites,
    pair,
    change,
    revoke,
    access,
    allow,
    forget,
    talk,
    Router(CONTROL_PREFIX + "/voice", route_handlers=[operator_pair], guards=[service_only], tags=["control"]),
]
