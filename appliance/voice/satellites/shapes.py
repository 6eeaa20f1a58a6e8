"""The shapes of a paired satellite that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from appliance.accounts.shapes import Principal
from appliance.organizer.scope import HOUSEHOLD_OWNER

__all__ = [
    "HOUSEHOLD",
    "Satellite",
    "SatelliteCreate",
    "SatelliteUpdate",
    "NewSatellite",
    "SatelliteIdentity",
    "household_principal",
]

HOUSEHOLD = HOUSEHOLD_OWNER  # the identity of a satellite that speaks for no one member

Label = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Satellite(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    room: str
    user_id: str | None
    """The member it acts as; None: the household."""
    prefix: str
    created_at: datetime
    last_seen_at: datetime | None = None
    connected: bool = False


class SatelliteCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Label
    room: Label
    household: bool = True
    """True: it speaks for the household (an admin pairs it); False: for the member pairing it."""


class SatelliteUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Rename, move to another room, or change whom it speaks for (each left out stays)."""

    name: Label | None = None
    room: Label | None = None
    household: bool | None = None
    """True: it speaks for the household (admins only); False: for the member making the change."""


class NewSatellite(msgspec.Struct, frozen=True, kw_only=True):
    satellite: Satellite
    token: str
    """The device token, shown this once: put it in the satellite's token file."""


class SatelliteIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Who a connected satellite acts as, and where it stands."""

    satellite: Satellite
    principal: Principal


def household_principal(satellite_id: str) -> Principal:
    """The household as a speaker: sees only what every member shares (lists, calendar, tasks)."""
    return Principal(
        user_id=HOUSEHOLD,
        username=HOUSEHOLD,
        display_name="Household",
        role="member",
        via="satellite",
        token_id=satellite_id,
    )
