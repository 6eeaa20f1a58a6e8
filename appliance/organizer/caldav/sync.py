"""Two-way sync of one calendar with its CalDAV collection: only what changed moves.

1. Pull. The server lists what changed since our sync token (RFC 6578), or, without one, every
   object with its ETag. Each changed object is fetched unless we already hold that ETag (our
   own write coming back). Deletions there delete here.
2. Push. What was deleted here is deleted there (If-Match: the ETag we last saw); what changed
   here is PUT with If-Match (or If-None-Match: * when new), so a write never lands on a version
   we have not seen.

The conflict rule, for an item changed on both sides since the last sync: the later change
wins (LAST-MODIFIED there against our own last change; a tie goes to the server). The losing
version is not lost: it is kept in Atom as a copy, marked with what happened, and is not sent
until the member keeps it. An item deleted on one side and changed on the other is kept (the
change wins over the delete) and marked. Marked items show the note until the member
dismisses it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from appliance import clock
from appliance.ai.outbound import OutboundRules
from appliance.errors import AtomError, Conflict, InvalidInput, NotFound
from appliance.knowledge.knowledge import Knowledge
from appliance.organizer.caldav import items, store
from appliance.organizer.caldav.accounts import connect
from appliance.organizer.caldav.advice import advice_for
from appliance.organizer.caldav.client import CalDAVClient, PreconditionFailed, Refused, TokenExpired
from appliance.organizer.caldav.shapes import SyncReport
from appliance.organizer.caldav.store import Local
from appliance.organizer.caldav.tombstones import drop_tombstone, tombstones_of
from appliance.organizer.calendar import queries as calendar_queries
from appliance.organizer.calendar.shapes import Calendar
from appliance.storage import Database
from appliance.vault import Vault

__all__ = [
    "sync_calendar",
    "sync_all",
    "sync_due",
    "BOTH_CHANGED_THEIRS",
    "BOTH_CHANGED_OURS",
    "DELETED_THERE",
    "DELETED_HERE",
]

BOTH_CHANGED_THEIRS = "Changed here and on the server; the server's later change was kept (yours is kept as a copy)."
BOTH_CHANGED_OURS = "Changed here and on the server; your later change was kept (the server's is kept as a copy)."
COPY_OF_OURS = "Your version, replaced by a later change on the server. Keep it to make it an item of its own."
COPY_OF_THEIRS = "The server's version, replaced by your later change. Keep it to make it an item of its own."
DELETED_THERE = "Deleted on the server, but changed here since: kept, and sent back."
DELETED_HERE = "Deleted here, but changed on the server since: kept."

_running: set[str] = set()  # calendars being synced right now (one sync at a time per calendar)
_running_lock = threading.Lock()


@dataclass
class _Run:
    """One sync's state and tallies."""

    db: Database
    knowledge: Knowledge
    client: CalDAVClient
    calendar: Calendar
    collection: str
    local: list[Local]
    tombstones: dict[str, str | None]
    full: bool = False
    pulled: int = 0
    pushed: int = 0
    deleted_here: int = 0
    deleted_there: int = 0
    conflicts: list[str] = field(default_factory=list)

    def by_href(self, href: str) -> Local | None:
        return next((i for i in self.local if i.href == href), None)

    def by_uid(self, uid: str) -> Local | None:
        return next((i for i in self.local if i.uid == uid and not _unsent_copy(i)), None)


async def sync_calendar(
    db: Database, knowledge: Knowledge, vault: Vault, rules: OutboundRules, calendar_id: str, default_minutes: int
) -> SyncReport:
    """Sync one linked calendar now (the caller has checked the member may); a failure is kept on the
    calendar with what to do about it. `default_minutes`: the household's interval, for that advice."""
    calendar = await db.read(calendar_queries.one_calendar, calendar_id)
    if calendar is None or calendar.caldav is None:
        raise InvalidInput("this calendar is not linked to a CalDAV server")
    with _only_one(calendar.id):
        try:
            return await _sync(db, knowledge, vault, rules, calendar)
        except (AtomError, OSError) as exc:
            advice = advice_for(exc, calendar.caldav.sync_minutes or default_minutes)
            await db.write(store.record_sync, calendar.id, None, str(exc)[:300], advice)
            raise


async def sync_all(
    db: Database, knowledge: Knowledge, vault: Vault, rules: OutboundRules, default_minutes: int
) -> list[SyncReport]:
    """Every linked calendar now; one failing does not stop the rest."""
    linked = await db.read(store.linked_calendars)
    return await _sync_each(db, knowledge, vault, rules, linked, default_minutes)


async def sync_due(
    db: Database, knowledge: Knowledge, vault: Vault, rules: OutboundRules, default_minutes: int
) -> list[SyncReport]:
    """The linked calendars whose interval has passed (the worker asks every minute)."""
    due = await db.read(store.due_calendars, clock.now(), default_minutes)
    return await _sync_each(db, knowledge, vault, rules, due, default_minutes)


async def _sync_each(
    db: Database, knowledge: Knowledge, vault: Vault, rules: OutboundRules, ids: list[str], default_minutes: int
) -> list[SyncReport]:
    reports = []
    for calendar_id in ids:
        try:
            reports.append(await sync_calendar(db, knowledge, vault, rules, calendar_id, default_minutes))
        except (AtomError, OSError):
            continue  # recorded on the calendar as its sync_error and advice, shown on the calendar page
    return reports


async def _sync(
    db: Database, knowledge: Knowledge, vault: Vault, rules: OutboundRules, calendar: Calendar
) -> SyncReport:
    assert calendar.caldav is not None
    token = await db.read(store.sync_token, calendar.id)
    async with connect(db, vault, rules, None, calendar.caldav.account_id) as client:
        run = _Run(
            db=db,
            knowledge=knowledge,
            client=client.at(calendar.caldav.remote_url),
            calendar=calendar,
            collection=calendar.caldav.remote_url,
            local=await db.read(store.local_items, calendar.id),
            tombstones=await db.read(tombstones_of, calendar.id),
        )
        new_token = await _pull(run, token)
        run.local = await db.read(store.local_items, calendar.id)
        await _push(run)
    await db.write(store.record_sync, calendar.id, new_token, None)
    return SyncReport(
        calendar_id=calendar.id,
        full=run.full,
        pulled=run.pulled,
        pushed=run.pushed,
        deleted_here=run.deleted_here,
        deleted_there=run.deleted_there,
        conflicts=run.conflicts,
    )


# --- pull ------------------------------------------------------------------------------------


async def _pull(run: _Run, token: str | None) -> str | None:
    """Bring the server's changes here; returns the token to ask from next time (None: no tokens there)."""
    changed, deleted, new_token = await _listing(run, token)
    for href, etag in changed.items():
        await _pull_one(run, href, etag)
    for href in deleted:
        await _deleted_there(run, href)
    return new_token


async def _listing(run: _Run, token: str | None) -> tuple[dict[str, str | None], set[str], str | None]:
    try:
        changes = await run.client.changes_since(run.collection, token)
    except TokenExpired:
        changes = await run.client.changes_since(run.collection, None)
        token = None
    except Refused:
        run.full = True
        listing = await run.client.etags(run.collection)
        return _differences(run, listing), _missing(run, listing), None
    if token is None:  # a full listing: what we hold and it does not is gone there
        run.full = True
        return changes.changed, changes.deleted | _missing(run, changes.changed), changes.token
    return changes.changed, changes.deleted, changes.token


def _differences(run: _Run, listing: dict[str, str | None]) -> dict[str, str | None]:
    known = {i.href: i.etag for i in run.local if i.href}
    return {href: etag for href, etag in listing.items() if etag is None or known.get(href) != etag}


def _missing(run: _Run, listing: dict[str, str | None]) -> set[str]:
    return {i.href for i in run.local if i.href and i.href not in listing} | (set(run.tombstones) - set(listing))


async def _pull_one(run: _Run, href: str, listed_etag: str | None) -> None:
    held = run.by_href(href)
    known = held.etag if held is not None else run.tombstones.get(href)
    if listed_etag is not None and known == listed_etag:
        return  # the very version we hold, or deleted here (our own write coming back, or not yet gone there)
    fetched = await run.client.get(href)
    if fetched is None:
        await _deleted_there(run, href)
        return
    body, etag = fetched
    remote = items.parse_remote(body)
    if remote is None:
        return
    held = held or run.by_uid(remote.uid)
    run.pulled += 1
    if held is None:
        await _arrived(run, href, etag or listed_etag, remote)
    elif not held.dirty:
        await items.replace_with_remote(run.db, run.knowledge, run.calendar, held, remote, href, etag or listed_etag)
    else:
        await _both_changed(run, held, href, etag or listed_etag, remote)


async def _arrived(run: _Run, href: str, etag: str | None, remote: items.Remote) -> None:
    """New here; if we deleted it meanwhile, their change wins over our delete."""
    note = None
    if href in run.tombstones:
        await run.db.write(drop_tombstone, run.calendar.id, href)
        run.tombstones.pop(href)
        note = DELETED_HERE
        run.conflicts.append(f"{_title(remote)}: {DELETED_HERE}")
    await items.insert_remote(run.db, run.knowledge, run.calendar, remote, href, etag, note)


async def _both_changed(run: _Run, held: Local, href: str, etag: str | None, remote: items.Remote) -> None:
    """The rule: the later change wins (a tie: the server); the other version is kept as a copy."""
    ours = await items.local_version(run.db, held)
    if remote.modified >= held.updated_at:
        await items.keep_copy(run.db, run.knowledge, run.calendar, ours, COPY_OF_OURS)
        await items.replace_with_remote(
            run.db, run.knowledge, run.calendar, held, remote, href, etag, BOTH_CHANGED_THEIRS
        )
        run.conflicts.append(f"{_title(remote)}: {BOTH_CHANGED_THEIRS}")
    else:
        await items.keep_copy(run.db, run.knowledge, run.calendar, remote, COPY_OF_THEIRS)
        await run.db.write(store.set_conflict, held, BOTH_CHANGED_OURS, etag)
        run.conflicts.append(f"{_title(ours)}: {BOTH_CHANGED_OURS}")


async def _deleted_there(run: _Run, href: str) -> None:
    if href in run.tombstones:  # deleted on both sides
        await run.db.write(drop_tombstone, run.calendar.id, href)
        run.tombstones.pop(href)
        return
    held = run.by_href(href)
    if held is None:
        return
    if held.dirty:
        await run.db.write(store.forget_href, held, DELETED_THERE)
        run.conflicts.append(f"{await _local_title(run, held)}: {DELETED_THERE}")
        return
    await items.delete_local(run.db, run.knowledge, held)
    run.deleted_here += 1


# --- push ------------------------------------------------------------------------------------


async def _push(run: _Run) -> None:
    for href, etag in list(run.tombstones.items()):
        await _delete_there(run, href, etag)
    for item in run.local:
        if item.dirty and not _unsent_copy(item):
            await _send(run, item)


async def _delete_there(run: _Run, href: str, etag: str | None) -> None:
    try:
        await run.client.delete(href, etag)
        run.deleted_there += 1
    except PreconditionFailed:  # changed there after we deleted it here: their change wins
        fetched = await run.client.get(href)
        remote = items.parse_remote(fetched[0]) if fetched else None
        if remote is not None and fetched is not None:
            await items.insert_remote(run.db, run.knowledge, run.calendar, remote, href, fetched[1], DELETED_HERE)
            run.conflicts.append(f"{_title(remote)}: {DELETED_HERE}")
    await run.db.write(drop_tombstone, run.calendar.id, href)


async def _send(run: _Run, item: Local) -> None:
    href = item.href or _new_href(run.collection, item.uid)
    body = await items.outgoing(run.db, item)
    try:
        etag = await run.client.put(href, body, item.etag if item.href else None)
    except PreconditionFailed:
        return  # changed there since we looked: the next sync settles it by the rule
    await run.db.write(store.mark_synced, item, href, etag, body)
    run.pushed += 1


def _new_href(collection: str, uid: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in uid)
    return urlsplit(collection).path.rstrip("/") + f"/{safe}.ics"


# --- small parts -----------------------------------------------------------------------------


def _unsent_copy(item: Local) -> bool:
    """A conflict's losing version, kept here until the member keeps it: not sent meanwhile."""
    return item.href is None and item.conflict in (COPY_OF_OURS, COPY_OF_THEIRS)


class _only_one:
    """One sync of a calendar at a time: a second ask while one runs is refused, not queued."""

    def __init__(self, calendar_id: str) -> None:
        self.calendar_id = calendar_id

    def __enter__(self) -> None:
        with _running_lock:
            if self.calendar_id in _running:
                raise Conflict("this calendar is being synced right now")
            _running.add(self.calendar_id)

    def __exit__(self, *_: object) -> None:
        with _running_lock:
            _running.discard(self.calendar_id)


def _title(remote: items.Remote) -> str:
    component = next(iter([*remote.ical.walk("VEVENT"), *remote.ical.walk("VTODO")]), None)
    return str(component.get("SUMMARY", "(untitled)")) if component is not None else "(untitled)"


async def _local_title(run: _Run, item: Local) -> str:
    try:
        return _title(await items.local_version(run.db, item))
    except NotFound:
        return "(untitled)"
