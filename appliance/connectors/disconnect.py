"""Disconnecting: revoke the grant where the service can, forget the tokens, and keep or remove
the tasks the connection brought in, as the member chooses (kept ones become ordinary tasks)."""

from __future__ import annotations

import logging

from appliance.connectors import connections as conns
from appliance.connectors import queries
from appliance.connectors.access import app_client, authed
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.registry import manifest, plugin
from appliance.connectors.shapes import Disconnected
from appliance.errors import AtomError, NotFound
from appliance.events import Event
from appliance.organizer.tasks.tasks import delete_task

__all__ = ["disconnect"]

log = logging.getLogger(__name__)


async def disconnect(hub: ConnectorHub, owner: str, connection_id: str, keep_data: bool) -> Disconnected:
    record = await conns.get_record(hub.db, owner, connection_id)
    title = manifest(record.connector).title
    revoked = await _revoke(hub, record)
    items = await conns.synced_items(hub.db, owner, record.id)
    removed = 0 if keep_data else await _remove_tasks(hub, owner, [item.task_id for item in items])
    await hub.db.write(queries.delete_connection, record.id)
    await hub.store(owner, record.id).erase()
    hub.budgets.forget(record.id)
    hub.announce(owner, record.id, "deleted")
    if items:
        hub.bus.publish(Event(topic="tasks", action="updated", id=record.id), [owner])
    where = "" if revoked else " " + _revoke_yourself(title, record)
    return Disconnected(
        revoked=revoked,
        kept_tasks=len(items) if keep_data else 0,
        removed_tasks=removed,
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


async def _remove_tasks(hub: ConnectorHub, owner: str, task_ids: list[str]) -> int:
    removed = 0
    for task_id in task_ids:
        try:
            await delete_task(hub.db, hub.knowledge, owner, task_id)
            removed += 1
        except NotFound:  # the member had deleted it already
            pass
    return removed
