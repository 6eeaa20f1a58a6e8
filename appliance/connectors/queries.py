"""The connectors' SQL: connections and the items their syncs brought in."""

from __future__ import annotations

from typing import Any

from appliance import clock
from appliance.storage import Reader, Writer

__all__ = [
    "Row",
    "connection_row",
    "member_connections",
    "owned_connection",
    "all_connection_ids",
    "insert_connection",
    "update_connection",
    "delete_connection",
    "item_row",
    "connection_items",
    "upsert_item",
    "mark_remote_done",
    "delete_item",
    "delete_items",
    "record_links",
]

Row = tuple[Any, ...]
_CONNECTION = (
    "c.id, c.owner, c.connector, c.state, c.sign_in, c.account, c.client_id, c.cursor, c.last_sync_at,"
    " c.last_error, c.error_action, c.retry_at, c.created_at, c.updated_at,"
    " (SELECT count(*) FROM connector_items i WHERE i.connection_id = c.id)"
)
_ITEM = "remote_id, local_id, title, url, remote_done, kind"
# The columns a caller may change through update_connection (names are never taken from input).
CHANGEABLE = frozenset(
    {"state", "sign_in", "account", "client_id", "cursor", "last_sync_at", "last_error", "error_action", "retry_at"}
)


def connection_row(conn: Reader, connection_id: str) -> Row | None:
    return conn.execute(f"SELECT {_CONNECTION} FROM connections c WHERE c.id = ?", [connection_id]).fetchone()


def member_connections(conn: Reader, owner: str) -> list[Row]:
    sql = f"SELECT {_CONNECTION} FROM connections c WHERE c.owner = ? ORDER BY c.connector"
    return conn.execute(sql, [owner]).fetchall()


def owned_connection(conn: Reader, owner: str, connector: str) -> Row | None:
    sql = f"SELECT {_CONNECTION} FROM connections c WHERE c.owner = ? AND c.connector = ?"
    return conn.execute(sql, [owner, connector]).fetchone()


def all_connection_ids(conn: Reader) -> list[str]:
    return [row[0] for row in conn.execute("SELECT id FROM connections ORDER BY created_at, id").fetchall()]


def insert_connection(conn: Writer, row: dict[str, Any]) -> None:
    at = clock.now()
    conn.execute(
        "INSERT INTO connections (id, owner, connector, state, sign_in, client_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [row["id"], row["owner"], row["connector"], row["state"], row["sign_in"], row["client_id"], at, at],
    )


def update_connection(conn: Writer, connection_id: str, changes: dict[str, Any]) -> None:
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not a changeable column: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in changes)
    conn.execute(
        f"UPDATE connections SET {assignments}, updated_at = ? WHERE id = ?",
        [*changes.values(), clock.now(), connection_id],
    )


def delete_connection(conn: Writer, connection_id: str) -> None:
    conn.execute("DELETE FROM connector_items WHERE connection_id = ?", [connection_id])
    conn.execute("DELETE FROM connections WHERE id = ?", [connection_id])


def item_row(conn: Reader, connection_id: str, remote_id: str) -> Row | None:
    sql = f"SELECT {_ITEM} FROM connector_items WHERE connection_id = ? AND remote_id = ?"
    return conn.execute(sql, [connection_id, remote_id]).fetchone()


def connection_of_item(conn: Reader, local_id: str) -> str | None:
    """The connection that brought in the Atom record `local_id`, if one did."""
    sql = "SELECT connection_id FROM connector_items WHERE local_id = ? LIMIT 1"
    row = conn.execute(sql, [local_id]).fetchone()
    return str(row[0]) if row else None


def connection_items(conn: Reader, connection_id: str) -> list[Row]:
    sql = f"SELECT {_ITEM} FROM connector_items WHERE connection_id = ? ORDER BY updated_at DESC, remote_id"
    return conn.execute(sql, [connection_id]).fetchall()


def upsert_item(
    conn: Writer,
    connection_id: str,
    owner: str,
    remote_id: str,
    local_id: str,
    title: str,
    url: str | None,
    done: bool,
    kind: str = "task",
) -> None:
    conn.execute(
        "INSERT INTO connector_items (connection_id, owner, remote_id, kind, local_id, title, url, remote_done,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, remote_id) DO UPDATE SET"
        " local_id = excluded.local_id, title = excluded.title, url = excluded.url,"
        " remote_done = excluded.remote_done, updated_at = excluded.updated_at",
        [connection_id, owner, remote_id, kind, local_id, title, url, done, clock.now()],
    )


def mark_remote_done(conn: Writer, connection_id: str, remote_id: str) -> None:
    conn.execute(
        "UPDATE connector_items SET remote_done = true, updated_at = ? WHERE connection_id = ? AND remote_id = ?",
        [clock.now(), connection_id, remote_id],
    )


def delete_item(conn: Writer, connection_id: str, remote_id: str) -> None:
    conn.execute("DELETE FROM connector_items WHERE connection_id = ? AND remote_id = ?", [connection_id, remote_id])


def delete_items(conn: Writer, connection_id: str) -> None:
    conn.execute("DELETE FROM connector_items WHERE connection_id = ?", [connection_id])


def record_links(conn: Reader, owner: str, record_ids: list[str]) -> list[Row]:
    """(id, url) of the owner's brought-in records among `record_ids` that have a link."""
    marks = ", ".join("?" * len(record_ids))
    return conn.execute(
        f"SELECT id, url FROM connector_records WHERE owner = ? AND url IS NOT NULL AND id IN ({marks})",
        [owner, *record_ids],
    ).fetchall()
