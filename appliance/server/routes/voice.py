"""Voice over HTTP: pairing, listing and revoking satellites. Thin: unpack, call, pack.

A satellite's device token opens only the Wyoming endpoint; here it is shown once, at pairing.
Revoking a satellite (or removing its member) cuts its connection at once.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Router, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from appliance.runtime import Runtime
from appliance.server.auth import CONTROL_PREFIX, members_only, service_only
from appliance.server.deps import PrincipalDep, RuntimeDep
from appliance.voice.satellites import (
    NewSatellite,
    Satellite,
    SatelliteCreate,
    list_satellites,
    pair_for_operator,
    pair_satellite,
    revoke_satellite,
)

__all__ = ["routes", "OperatorPairing"]

_TAGS = ["voice"]


class OperatorPairing(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`atom satellite pair` through the control API: `username` None pairs for the household."""

    satellite: SatelliteCreate
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


@get("/api/voice/satellites", tags=_TAGS, guards=[members_only])
async def satellites(runtime: RuntimeDep, principal: PrincipalDep) -> list[Satellite]:
    """The household's satellites and the member's own: room, who they speak as, and whether connected now."""
    connected = runtime.satellites.connected()
    return [
        msgspec.structs.replace(s, connected=s.id in connected) for s in await list_satellites(runtime.db, principal)
    ]


@post("/api/voice/satellites", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def pair(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[SatelliteCreate]) -> NewSatellite:
    """Pair a satellite; its device token is in this answer only."""
    return await pair_satellite(runtime.db, principal, data)


@delete("/api/voice/satellites/{satellite_id:str}", tags=_TAGS, guards=[members_only], status_code=HTTP_204_NO_CONTENT)
async def revoke(runtime: RuntimeDep, principal: PrincipalDep, satellite_id: FromPath[str]) -> None:
    gone = await revoke_satellite(runtime.db, principal, satellite_id)
    cut_off(runtime, gone.id)


@post("/satellites", status_code=HTTP_201_CREATED)
async def operator_pair(runtime: RuntimeDep, data: JSONBody[OperatorPairing]) -> NewSatellite:
    return await pair_for_operator(runtime.db, data.username, data.satellite)


def cut_off(runtime: Runtime, satellite_id: str) -> None:
    if runtime.wyoming is not None:
        runtime.wyoming.disconnect_satellite(satellite_id)


routes = [
    satellites,
    pair,
    revoke,
    Router(CONTROL_PREFIX + "/voice", route_handlers=[operator_pair], guards=[service_only], tags=["control"]),
]
