"""Disconnecting: revoke the grant where the service can, forget the tokens, and keep or remove
the tasks the connection brought in, as the member chooses (kept ones become ordinary tasks)."""

from __future__ import annotations

import logging

from appliance.connectors import connections as conns
from appliance.connectors import queries
from appliance.connectors.access import app_client, authed
from appliance.connectors.base import ITEM_TOPICS
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.records import delete_record
from appliance.connectors.registry import manifest, plugin
from appliance.connectors.shapes import Disconnected, SyncedItem
from appliance.errors import AtomError, NotFound
from appliance.events import Event
from appliance.organizer.calendar.events import delete_event
from appliance.organizer.tasks.tasks import delete_task

__all__ = ["disconnect"]

log = logging.getLogger(__name__)


async def disconnect(hub: ConnectorHub, owner: str, connection_id: str, keep_data: bool) -> Disconnected:
    record = await conns.get_record(hub.db, owner, connection_id)
    title = manifest(record.connector).title
    revoked = await _revoke(hub, record)
    items = await conns.synced_items(hub.db, owner, record.id)
    # Searchable records are copies of what stays at the service, and nothing else in Atom can
    # remove them: they go with their connection, whatever the member chose for tasks and events.
    kept = [item for item in items if keep_data and item.kind != "record"]
    removed = await _remove(hub, owner, [item for item in items if item not in kept])
    await hub.db.write(queries.delete_connection, record.id)
    await hub.store(owner, record.id).erase()
    hub.budgets.forget(record.id)
    hub.announce(owner, record.id, "deleted")
    for topic in {ITEM_TOPICS[item.kind] for item in items}:
        hub.bus.publish(Event(topic=topic, action="updated", id=record.id), [owner])
    where = "" if revoked else " " + _revoke_yourself(title, record)
    return Disconnected(
        revoked=revoked,
        kept=len(kept),
        removed=removed,
        message=f"Disconnected from {title}.{where}",
    )


def _revoke_yourself(title: str, record: conns.Record) -> str:
    if record.sign_in == "token":
        label = manifest(record.connector).token_label
        return f"The {label} you pasted still works at {title}: make a new one there to retire it."
    return f"{title} still lists Atom among your authorised apps: remove it there to revoke its access."


async def _revoke(hub: ConnectorHub, record: conns.Record) -> bool:
    """Best effort: a service that fails to revoke does not keep the member connected."""
    try:
        grant = await hub.store(record.owner, record.id).grant()
        async with authed(hub, record) as (_, plain):
            return await plugin(record.connector).revoke(plain, grant, await app_client(hub, record))
    except AtomError as exc:
        log.info("revoking %s connection %s failed: %s", record.connector, record.id, type(exc).__name__)
        return False


async def _remove(hub: ConnectorHub, owner: str, items: list[SyncedItem]) -> int:
    removed = 0
    for item in items:
        try:
            if item.kind == "record":
                await delete_record(hub.db, hub.knowledge, item.local_id)
            else:
                delete = delete_task if item.kind == "task" else delete_event
                await delete(hub.db, hub.knowledge, owner, item.local_id)
            removed += 1
        except NotFound:  # the member had deleted it already
            pass
    return removed
