"""Lists' SQL, in one place."""

from __future__ import annotations

from typing import Any

from appliance.organizer.lists.shapes import ListItem, TodoList
from appliance.organizer.scope import VISIBLE
from appliance.storage import Reader, Writer, scalar

__all__ = [
    "visible_lists",
    "one_list",
    "all_lists",
    "insert_list",
    "rename_list",
    "delete_list",
    "items_of",
    "one_item",
    "insert_item",
    "update_item",
    "delete_item",
    "clear_items",
    "count_items",
    "touch_list",
]

_LIST = (
    "SELECT l.id, l.name, l.owner, l.created_by, l.created_at, l.updated_at,"
    " count(i.id) FILTER (WHERE NOT i.done), count(i.id) FILTER (WHERE i.done)"
    " FROM organizer_lists l LEFT JOIN organizer_list_items i ON i.list_id = l.id"
)
_GROUP = " GROUP BY l.id, l.name, l.owner, l.created_by, l.created_at, l.updated_at"
_ITEM = "SELECT id, list_id, text, done, position, added_by, created_at, updated_at FROM organizer_list_items"


def _list(row: tuple[Any, ...]) -> TodoList:
    return TodoList(
        id=row[0],
        name=row[1],
        shared=row[2] is None,
        owner_id=row[2],
        created_by=row[3],
        created_at=row[4],
        updated_at=row[5],
        open_items=row[6],
        done_items=row[7],
    )


def _item(row: tuple[Any, ...]) -> ListItem:
    return ListItem(
        id=row[0],
        list_id=row[1],
        text=row[2],
        done=row[3],
        position=row[4],
        added_by=row[5],
        created_at=row[6],
        updated_at=row[7],
    )


def visible_lists(conn: Reader, viewer: str) -> list[TodoList]:
    where = VISIBLE.replace("owner", "l.owner")
    rows = conn.execute(
        f"{_LIST} WHERE {where}{_GROUP} ORDER BY l.owner NULLS FIRST, l.created_at, l.name, l.id", [viewer]
    )
    return [_list(r) for r in rows.fetchall()]


def one_list(conn: Reader, list_id: str) -> TodoList | None:
    row = conn.execute(f"{_LIST} WHERE l.id = ?{_GROUP}", [list_id]).fetchone()
    return _list(row) if row else None


def all_lists(conn: Reader) -> list[TodoList]:
    return [_list(r) for r in conn.execute(f"{_LIST}{_GROUP} ORDER BY l.id").fetchall()]


def insert_list(conn: Writer, todo: TodoList) -> None:
    conn.execute(
        "INSERT INTO organizer_lists (id, owner, name, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        [todo.id, todo.owner_id, todo.name, todo.created_by, todo.created_at, todo.updated_at],
    )


def rename_list(conn: Writer, list_id: str, name: str, at: Any) -> None:
    conn.execute("UPDATE organizer_lists SET name = ?, updated_at = ? WHERE id = ?", [name, at, list_id])


def touch_list(conn: Writer, list_id: str, at: Any) -> None:
    conn.execute("UPDATE organizer_lists SET updated_at = ? WHERE id = ?", [at, list_id])


def delete_list(conn: Writer, list_id: str) -> None:
    conn.execute("DELETE FROM organizer_list_items WHERE list_id = ?", [list_id])
    conn.execute("DELETE FROM organizer_lists WHERE id = ?", [list_id])


def items_of(conn: Reader, list_id: str) -> list[ListItem]:
    rows = conn.execute(f"{_ITEM} WHERE list_id = ? ORDER BY done, position, created_at, id", [list_id])
    return [_item(r) for r in rows.fetchall()]


def one_item(conn: Reader, list_id: str, item_id: str) -> ListItem | None:
    row = conn.execute(f"{_ITEM} WHERE list_id = ? AND id = ?", [list_id, item_id]).fetchone()
    return _item(row) if row else None


def count_items(conn: Reader, list_id: str) -> int:
    return int(scalar(conn, "SELECT count(*) FROM organizer_list_items WHERE list_id = ?", [list_id]))


def insert_item(conn: Writer, item: ListItem, owner: str | None, limit: int) -> float | None:
    """The new item's position (last on the list); None, inserting nothing, when the list is full."""
    if count_items(conn, item.list_id) >= limit:
        return None
    position = scalar(
        conn, "SELECT coalesce(max(position), 0) + 1 FROM organizer_list_items WHERE list_id = ?", [item.list_id]
    )
    conn.execute(
        "INSERT INTO organizer_list_items (id, list_id, owner, text, done, position, added_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [item.id, item.list_id, owner, item.text, item.done, position, item.added_by, item.created_at, item.updated_at],
    )
    touch_list(conn, item.list_id, item.updated_at)
    return float(position)


def update_item(conn: Writer, item: ListItem) -> None:
    conn.execute(
        "UPDATE organizer_list_items SET text = ?, done = ?, position = ?, updated_at = ? WHERE id = ?",
        [item.text, item.done, item.position, item.updated_at, item.id],
    )
    touch_list(conn, item.list_id, item.updated_at)


def delete_item(conn: Writer, list_id: str, item_id: str, at: Any) -> None:
    conn.execute("DELETE FROM organizer_list_items WHERE list_id = ? AND id = ?", [list_id, item_id])
    touch_list(conn, list_id, at)


def clear_items(conn: Writer, list_id: str, done_only: bool, at: Any) -> int:
    condition = " AND done" if done_only else ""
    removed = conn.execute(
        f"DELETE FROM organizer_list_items WHERE list_id = ?{condition} RETURNING id", [list_id]
    ).fetchall()
    touch_list(conn, list_id, at)
    return len(removed)
