"""The household's time zone: what new events and tasks, and every view, default to.

It is a household preference an admin edits (`PUT /api/organizer/household`), kept in the
database; until one is set it is the box's own zone (or UTC when the box has none).
"""

from __future__ import annotations

import os
import zoneinfo
from functools import cache
from pathlib import Path
from typing import Annotated

import msgspec

from appliance import clock
from appliance.errors import InvalidInput
from appliance.storage import Database, Reader, Writer

__all__ = ["Household", "HouseholdUpdate", "TzName", "get_household", "set_household", "household_zone", "zone"]

TzName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["Europe/Berlin"])]


class Household(msgspec.Struct, frozen=True, kw_only=True):
    timezone: str
    """IANA time zone name, e.g. Europe/Berlin."""


class HouseholdUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    timezone: TzName


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone called `name`; a 400 naming the problem otherwise (never a path on disk)."""
    if name not in _known_zones():
        raise InvalidInput(f"{name[:64]!r} is not a time zone Atom knows (use an IANA name such as Europe/Berlin)")
    return zoneinfo.ZoneInfo(name)


async def get_household(db: Database) -> Household:
    stored = await db.read(_timezone)
    return Household(timezone=stored or _box_zone())


async def household_zone(db: Database) -> zoneinfo.ZoneInfo:
    return zone((await get_household(db)).timezone)


async def set_household(db: Database, change: HouseholdUpdate) -> Household:
    """Admins only (the route checks): every member's default views move with it."""
    zone(change.timezone)
    await db.write(_store, change.timezone)
    return Household(timezone=change.timezone)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _box_zone() -> str:
    """TZ, else where /etc/localtime points, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    return next((name for name in candidates if name in _known_zones()), "UTC")


def _timezone(conn: Reader) -> str | None:
    row = conn.execute("SELECT timezone FROM organizer_household WHERE id = 1").fetchone()
    return row[0] if row else None


def _store(conn: Writer, name: str) -> None:
    conn.execute(
        "INSERT INTO organizer_household (id, timezone, updated_at) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at",
        [name, clock.now()],
    )
