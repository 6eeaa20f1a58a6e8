"""A member's private subscription address: their calendars as ICS for a phone's own calendar app.

The address carries a random secret (Atom keeps only its SHA-256), never the member's sign-in;
making a new one revokes the old, and the member can revoke it outright. Whoever holds the
address reads what the member may read (the household's calendars and their own) and nothing else.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import datetime

import msgspec

from appliance import clock
from appliance.accounts.secrets import digest, new_secret
from appliance.errors import NotFound
from appliance.organizer.calendar import queries
from appliance.organizer.calendar.calendars import list_calendars
from appliance.organizer.calendar.files import calendar_file
from appliance.storage import Database, Reader, Writer

__all__ = ["FEED_PREFIX", "Feed", "NewFeed", "feed_status", "create_feed", "revoke_feed", "feed_ics"]

FEED_PREFIX = "atomcal_"


class Feed(msgspec.Struct, frozen=True, kw_only=True):
    active: bool
    created_at: datetime | None


class NewFeed(msgspec.Struct, frozen=True, kw_only=True):
    """Shown once: Atom keeps only a digest of the key, so it cannot show the address again."""

    key: str
    created_at: datetime


async def feed_status(db: Database, user_id: str) -> Feed:
    created = await db.read(_created_at, user_id)
    return Feed(active=created is not None, created_at=created)


async def create_feed(db: Database, user_id: str) -> NewFeed:
    """A new secret; any earlier address stops working at once."""
    key, at = new_secret(FEED_PREFIX), clock.now()
    await db.write(_store, user_id, digest(key), at)
    return NewFeed(key=key, created_at=at)


async def revoke_feed(db: Database, user_id: str) -> None:
    if not await db.write(_delete, user_id):
        raise NotFound("you have no subscription address")


async def feed_ics(db: Database, key: str) -> bytes:
    """The calendars of whoever the key belongs to; 404 for any key that is not a live one."""
    user_id = await db.read(_owner_of, digest(key)) if key.startswith(FEED_PREFIX) else None
    if user_id is None:
        raise NotFound("no such calendar feed")
    ids = [c.id for c in await list_calendars(db, user_id)]
    rows = [row for calendar_id in ids for row in await db.read(queries.all_event_rows, calendar_id)]
    return await asyncio.to_thread(calendar_file, "Atom", rows)


def _created_at(conn: Reader, user_id: str) -> datetime | None:
    row = conn.execute("SELECT created_at FROM organizer_feeds WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def _store(conn: Writer, user_id: str, key_hash: str, at: datetime) -> None:
    conn.execute("DELETE FROM organizer_feeds WHERE user_id = ?", [user_id])
    conn.execute(
        "INSERT INTO organizer_feeds (user_id, key_hash, created_at) VALUES (?, ?, ?)", [user_id, key_hash, at]
    )


def _delete(conn: Writer, user_id: str) -> bool:
    return bool(conn.execute("DELETE FROM organizer_feeds WHERE user_id = ? RETURNING user_id", [user_id]).fetchall())


def _owner_of(conn: Reader, key_hash: str) -> str | None:
    """The member whose live key has this digest, if they are still an active member."""
    rows = conn.execute(
        "SELECT f.user_id, f.key_hash FROM organizer_feeds f JOIN users u ON u.id = f.user_id"
        " WHERE f.key_hash = ? AND NOT u.disabled",
        [key_hash],
    ).fetchall()
    return next((user for user, stored in rows if hmac.compare_digest(stored, key_hash)), None)
