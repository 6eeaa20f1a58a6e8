"""Pairing a satellite, and knowing who a device token speaks for."""

from __future__ import annotations

import uuid

from appliance import clock
from appliance.accounts import users
from appliance.accounts.secrets import digest, new_secret
from appliance.accounts.shapes import SERVICE_USER_ID, Principal
from appliance.errors import NotFound, PermissionDenied
from appliance.events import EVERYONE
from appliance.storage import Database
from appliance.voice.satellites import queries
from appliance.voice.satellites.shapes import (
    NewSatellite,
    Satellite,
    SatelliteCreate,
    SatelliteIdentity,
    SatelliteUpdate,
    household_principal,
)

__all__ = [
    "SATELLITE_TOKEN_PREFIX",
    "pair_satellite",
    "pair_for_operator",
    "list_satellites",
    "revoke_satellite",
    "change_satellite",
    "audience",
    "identify",
    "satellite_active",
    "saw_satellite",
]

SATELLITE_TOKEN_PREFIX = "atomsat_"  # never an API token's "atom_…": the HTTP API has no table of these


async def pair_satellite(db: Database, by: Principal, request: SatelliteCreate) -> NewSatellite:
    """A household satellite is an admin's to pair; a member's own is that member's (nobody else's,
    admins included: it would let them act as the member)."""
    if request.household and not by.is_admin:
        raise PermissionDenied("only a household admin can pair a satellite for the household")
    return await _pair(db, None if request.household else by.user_id, request, by.user_id)


async def pair_for_operator(db: Database, username: str | None, request: SatelliteCreate) -> NewSatellite:
    """`atom satellite pair` at the box's shell: whoever holds the box may pair for anyone (as with
    `atom tokens create --user`); `username` None pairs for the household."""
    user_id = None if username is None else (await users.find_user(db, username)).id
    return await _pair(db, user_id, request, SERVICE_USER_ID)


async def _pair(db: Database, user_id: str | None, request: SatelliteCreate, created_by: str) -> NewSatellite:
    token = new_secret(SATELLITE_TOKEN_PREFIX)
    satellite = Satellite(
        id=uuid.uuid4().hex,
        name=request.name.strip(),
        room=request.room.strip(),
        user_id=user_id,
        prefix=token[:14],
        created_at=clock.now(),
    )
    await db.write(queries.insert, satellite, digest(token), created_by)
    return NewSatellite(satellite=satellite, token=token)


async def list_satellites(db: Database, viewer: Principal) -> list[Satellite]:
    return await db.read(queries.visible_to, viewer.user_id)


async def revoke_satellite(db: Database, by: Principal, satellite_id: str) -> Satellite:
    """The household's satellites are revoked by an admin, a member's by that member."""
    await _managed(db, by, satellite_id)
    satellite = await db.read(queries.one, satellite_id)
    if satellite is None or not await db.write(queries.delete, satellite_id):
        raise NotFound("no such satellite")
    return satellite


async def change_satellite(db: Database, by: Principal, satellite_id: str, change: SatelliteUpdate) -> Satellite:
    """Rename it, move it, or change whom it speaks for: to the household (an admin only) or to
    the member changing it (never to someone else: that would let one act as another)."""
    satellite = await _managed(db, by, satellite_id)
    if change.household and not by.is_admin:
        raise PermissionDenied("only a household admin can make a satellite speak for the household")
    user_id = satellite.user_id if change.household is None else (None if change.household else by.user_id)
    name = (change.name or satellite.name).strip()
    room = (change.room or satellite.room).strip()
    changed = await db.write(queries.update, satellite_id, name, room, user_id)
    if changed is None:
        raise NotFound("no such satellite")
    return changed


def audience(satellite: Satellite) -> list[str]:
    """Who may see it: everyone for the household's, only its member for theirs."""
    return [EVERYONE] if satellite.user_id is None else [satellite.user_id]


async def _managed(db: Database, by: Principal, satellite_id: str) -> Satellite:
    """The satellite, if `by` may change it; another member's is not found (admins included)."""
    satellite = await db.read(queries.one, satellite_id)
    if satellite is None or (satellite.user_id is not None and satellite.user_id != by.user_id):
        raise NotFound("no such satellite")
    if satellite.user_id is None and not by.is_admin:
        raise PermissionDenied("only a household admin can change a household satellite")
    return satellite


async def identify(db: Database, token: str) -> SatelliteIdentity | None:
    """Who this device token speaks for, or None (unknown, revoked, or its member disabled)."""
    if not token.startswith(SATELLITE_TOKEN_PREFIX) or len(token) > 200:
        return None
    found = await db.read(queries.by_token, digest(token))
    if found is None:
        return None
    satellite, member = found
    if member is None:
        return SatelliteIdentity(satellite=satellite, principal=household_principal(satellite.id))
    user_id, username, display_name, role = member
    principal = Principal(
        user_id=user_id, username=username, display_name=display_name, role=role, via="satellite", token_id=satellite.id
    )
    return SatelliteIdentity(satellite=satellite, principal=principal)


async def satellite_active(db: Database, satellite_id: str) -> bool:
    return await db.read(queries.active, satellite_id)


async def saw_satellite(db: Database, satellite_id: str, address: str) -> None:
    await db.write(queries.touch, satellite_id, clock.now(), address)
