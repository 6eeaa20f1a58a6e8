"""A member's connections: read only by their owner (anyone else gets 404), and their state.

signing-in ──signed in──▶ connected ⇄ syncing
     ▲                        │ the grant is refused           │ the service fails
     └──── sign in again ◀── needs-sign-in                     ▼
                              (cursor and items kept)         error (retried next sync)
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from appliance.connectors import queries
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.manifest import SignInKind
from appliance.connectors.registry import manifest, manifests
from appliance.connectors.shapes import Connection, ConnectionState, Connector, SyncedItem
from appliance.errors import NotFound
from appliance.storage import Database

__all__ = [
    "Record",
    "connectors",
    "list_connections",
    "get_record",
    "find_or_create",
    "set_state",
    "save_cursor",
    "synced_items",
    "open_items",
    "public",
]


class Record(msgspec.Struct, frozen=True, kw_only=True):
    """A connection as the server works with it (its cursor and owner included)."""

    id: str
    owner: str
    connector: str
    state: ConnectionState
    sign_in: SignInKind
    account: str | None
    client_id: str | None
    cursor: dict[str, Any]
    public: Connection


def connectors() -> list[Connector]:
    return [
        Connector(
            name=m.name,
            title=m.title,
            sign_in=list(m.sign_in),
            syncs=list(m.syncs),
            setup=list(m.setup),
            needs_client_id=m.needs_client_id,
            needs_client_secret=m.needs_client_secret,
            token_label=m.token_label,
        )
        for m in manifests().values()
    ]


async def list_connections(db: Database, owner: str) -> list[Connection]:
    return [_record(row).public for row in await db.read(queries.member_connections, owner) if _known(row)]


async def get_record(db: Database, owner: str | None, connection_id: str) -> Record:
    """The connection, if `owner` holds it (None: Atom's own sync job, which may use any)."""
    row = await db.read(queries.connection_row, connection_id)
    if row is None or (owner is not None and row[1] != owner) or not _known(row):
        raise NotFound("no such connection")
    return _record(row)


async def find_or_create(
    db: Database, owner: str, connector: str, sign_in: SignInKind, client_id: str | None
) -> Record:
    """The member's connection to `connector`, started afresh as signing-in; an existing one keeps its sync state."""
    row = await db.read(queries.owned_connection, owner, connector)
    if row is None:
        connection_id = uuid.uuid4().hex
        new = {
            "id": connection_id,
            "owner": owner,
            "connector": connector,
            "state": "signing-in",
            "sign_in": sign_in,
            "client_id": client_id,
        }
        await db.write(queries.insert_connection, new)
        return await get_record(db, owner, connection_id)
    changes = {"sign_in": sign_in, "client_id": client_id, "state": "signing-in"}
    await db.write(queries.update_connection, row[0], changes)
    return await get_record(db, owner, row[0])


async def set_state(hub: ConnectorHub, record: Record, state: ConnectionState, **changes: Any) -> Record:
    await hub.db.write(queries.update_connection, record.id, {"state": state, **changes})
    hub.announce(record.owner, record.id)
    return await get_record(hub.db, record.owner, record.id)


async def save_cursor(db: Database, connection_id: str, cursor: dict[str, Any]) -> None:
    await db.write(queries.update_connection, connection_id, {"cursor": msgspec.json.encode(cursor).decode()})


async def synced_items(db: Database, owner: str, connection_id: str) -> list[SyncedItem]:
    record = await get_record(db, owner, connection_id)
    rows = await db.read(queries.connection_items, record.id)
    return [SyncedItem(remote_id=r[0], local_id=r[1], title=r[2], url=r[3], done=r[4], kind=r[5]) for r in rows]


async def open_items(db: Database, owner: str, connection_id: str) -> list[SyncedItem]:
    """What the connection brought in that is still open at the service, newest change first."""
    return [item for item in await synced_items(db, owner, connection_id) if not item.done]


def public(record: Record) -> Connection:
    return record.public


def _known(row: queries.Row) -> bool:
    """A connection whose connector folder was removed is left alone, not shown."""
    return row[2] in manifests()


def _record(row: queries.Row) -> Record:
    (
        id_,
        owner,
        connector,
        state,
        sign_in,
        account,
        client_id,
        cursor,
        last_sync,
        error,
        action,
        retry_at,
        created,
        updated,
        items,
    ) = row
    shown = Connection(
        id=id_,
        connector=connector,
        title=manifest(connector).title,
        state=state,
        sign_in=sign_in,
        account=account,
        last_sync_at=last_sync,
        last_error=error,
        error_action=action,
        retry_at=retry_at,
        items=items,
        created_at=created,
        updated_at=updated,
    )
    return Record(
        id=id_,
        owner=owner,
        connector=connector,
        state=state,
        sign_in=sign_in,
        account=account,
        client_id=client_id,
        cursor=msgspec.json.decode(cursor) if cursor else {},
        public=shown,
    )
