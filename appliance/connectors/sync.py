"""Running a connection's sync: one at a time per connection, its outcome kept as the state
the page shows, and the member told (a live event) whenever it changes.

The connector saves its cursor as it goes, so whatever stops a sync (a restart, a rate limit,
a grant revoked halfway) loses no more than the page in hand: the next run resumes there.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from appliance import clock
from appliance.connectors import connections as conns
from appliance.connectors import queries
from appliance.connectors.access import authed
from appliance.connectors.base import ITEM_TOPICS
from appliance.connectors.connections import Record
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.registry import manifest, plugin
from appliance.connectors.session import SyncSession
from appliance.connectors.shapes import Connection, SyncOutcome
from appliance.errors import AddressRefused, Conflict, NotFound, ServiceBusy, ServiceFailed, SignInNeeded
from appliance.events import Event

__all__ = ["sync_now", "sync_all", "run_sync", "push_change"]

log = logging.getLogger(__name__)
_WAITING = ("signing-in", "needs-sign-in")
_PUSHES: set[asyncio.Task[Record]] = set()  # syncs started by a change in Atom, held until they end


async def sync_now(hub: ConnectorHub, owner: str, connection_id: str) -> Connection:
    """The member's Sync now: runs at once, even while the service's Retry-After lasts; a sync of
    it already running is waited for first, so what comes back includes everything up to now."""
    record = await conns.get_record(hub.db, owner, connection_id)
    if record.state in _WAITING:
        raise Conflict(f"sign in to {record.public.title} first")
    return (await run_sync(hub, record, wait=True)).public


async def push_change(hub: ConnectorHub, local_id: str) -> None:
    """A record a connection brought in changed in Atom (a task completed or reopened): that
    connection syncs now, in the background, so the service hears of it at once rather than at the
    next scheduled round. Records no connection brought in are left alone."""
    connection_id = await hub.db.read(queries.connection_of_item, local_id)
    if connection_id is None:
        return
    record = await conns.get_record(hub.db, None, connection_id)
    if record.state in _WAITING:
        return
    task = asyncio.create_task(run_sync(hub, record))
    _PUSHES.add(task)
    task.add_done_callback(_PUSHES.discard)


async def sync_all(hub: ConnectorHub) -> list[SyncOutcome]:
    """The worker's scheduled run: every connection that is signed in and not told to wait."""
    outcomes = []
    for connection_id in await hub.db.read(queries.all_connection_ids):
        try:
            record = await conns.get_record(hub.db, None, connection_id)
        except NotFound:  # its connector's folder was removed: left alone
            continue
        due = record.state not in _WAITING and (record.public.retry_at is None or record.public.retry_at <= clock.now())
        done = await run_sync(hub, record) if due else record
        outcomes.append(SyncOutcome(id=done.id, connector=done.connector, state=done.state, skipped=not due))
    return outcomes


async def run_sync(hub: ConnectorHub, record: Record, wait: bool = False) -> Record:
    lock = hub.lock("sync:" + record.id)
    if lock.locked() and not wait:
        return record  # a sync of it is running now; it will report
    async with lock:
        if wait:  # the sync waited for may have changed it (a new cursor, needs sign-in)
            record = await conns.get_record(hub.db, None, record.id)
        record = await conns.set_state(hub, record, "syncing")
        session = None
        try:
            async with authed(hub, record) as (http, _):
                session = SyncSession(hub.db, hub.knowledge, record, http)
                await plugin(record.connector).sync(session)
        except (SignInNeeded, ServiceBusy, ServiceFailed, AddressRefused) as exc:
            return await _failed(hub, record, exc)
        except Exception:  # a connector's bug: the connection says so instead of staying "syncing"
            log.exception("sync of %s connection %s failed", record.connector, record.id)
            return await conns.set_state(
                hub,
                record,
                "error",
                last_error="Atom hit an internal error while syncing.",
                error_action="Atom tries again at the next sync; the log has the details.",
            )
        finally:
            for kind in session.changed if session is not None else ():
                hub.bus.publish(Event(topic=ITEM_TOPICS[kind], action="updated", id=record.id), [record.owner])
        problem, action = session.warning or (None, None)
        return await conns.set_state(
            hub, record, "connected", last_sync_at=clock.now(), last_error=problem, error_action=action, retry_at=None
        )


async def _failed(hub: ConnectorHub, record: Record, exc: Exception) -> Record:
    title = manifest(record.connector).title
    log.info("sync of %s connection %s stopped: %s", record.connector, record.id, type(exc).__name__)
    if isinstance(exc, SignInNeeded):
        return await conns.set_state(
            hub,
            record,
            "needs-sign-in",
            last_error=str(exc),
            error_action=f"Sign in to {title} again; what was synced stays, and syncing resumes where it stopped.",
        )
    if isinstance(exc, ServiceBusy):
        until = clock.now() + timedelta(seconds=exc.retry_after)
        return await conns.set_state(
            hub,
            record,
            "error",
            retry_at=until,
            last_error=str(exc),
            error_action=f"Nothing: Atom resumes from where it stopped after {until:%H:%M} UTC.",
        )
    return await conns.set_state(
        hub,
        record,
        "error",
        last_error=str(exc),
        error_action="Atom tries again at the next sync; Sync now tries at once.",
    )
