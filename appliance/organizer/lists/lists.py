"""Lists and their items: what to buy, what to do around the house.

Every household starts with Shopping and Chores. A list is the household's (every member reads,
adds, ticks and clears) or private to the member who made it. Renaming or deleting a household
list is for whoever made it, or an admin. Each list with items is one record in the knowledge
index: its name and what is still on it.
"""

from __future__ import annotations

import uuid

import msgspec

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.errors import Conflict, NotFound, PermissionDenied
from appliance.knowledge.knowledge import Knowledge
from appliance.knowledge.records import Indexable
from appliance.organizer.lists import queries
from appliance.organizer.lists.shapes import (
    Cleared,
    ItemCreate,
    ItemUpdate,
    ListCreate,
    ListItem,
    ListUpdate,
    TodoList,
)
from appliance.organizer.scope import check_visible, index_owner, owner_for
from appliance.storage import Database

__all__ = [
    "LIST",
    "MAX_ITEMS",
    "list_lists",
    "get_list",
    "create_list",
    "update_list",
    "delete_list",
    "list_items",
    "add_item",
    "update_item",
    "remove_item",
    "clear_items",
    "list_records",
]

LIST = "list"
MAX_ITEMS = 2000  # one list; enough for any household, not for a flood


async def list_lists(db: Database, viewer: str) -> list[TodoList]:
    return await db.read(queries.visible_lists, viewer)


async def get_list(db: Database, viewer: str, list_id: str) -> TodoList:
    todo = await db.read(queries.one_list, list_id)
    if todo is None:
        raise NotFound("no such list")
    check_visible(todo.owner_id, viewer, "list")
    return todo


async def create_list(db: Database, viewer: str, new: ListCreate) -> TodoList:
    stamp = clock.now()
    todo = TodoList(
        id=uuid.uuid4().hex,
        name=new.name.strip() or new.name,
        shared=new.shared,
        owner_id=owner_for(new.shared, viewer),
        created_by=viewer,
        open_items=0,
        done_items=0,
        created_at=stamp,
        updated_at=stamp,
    )
    await db.write(queries.insert_list, todo)
    return todo


async def update_list(db: Database, actor: Principal, list_id: str, change: ListUpdate) -> TodoList:
    todo = await _manageable(db, actor, list_id)
    if change.name is not None:
        await db.write(queries.rename_list, todo.id, change.name.strip() or change.name, clock.now())
    return await get_list(db, actor.user_id, list_id)


async def delete_list(db: Database, knowledge: Knowledge, actor: Principal, list_id: str) -> TodoList:
    todo = await _manageable(db, actor, list_id)
    await db.write(queries.delete_list, todo.id)
    await knowledge.forget(LIST, todo.id)
    return todo


async def list_items(db: Database, viewer: str, list_id: str) -> list[ListItem]:
    todo = await get_list(db, viewer, list_id)
    return await db.read(queries.items_of, todo.id)


async def add_item(db: Database, knowledge: Knowledge, viewer: str, list_id: str, new: ItemCreate) -> ListItem:
    todo = await get_list(db, viewer, list_id)
    stamp = clock.now()
    item = ListItem(
        id=uuid.uuid4().hex,
        list_id=todo.id,
        text=new.text.strip() or new.text,
        done=False,
        position=0,
        added_by=viewer,
        created_at=stamp,
        updated_at=stamp,
    )
    position = await db.write(queries.insert_item, item, todo.owner_id, MAX_ITEMS)
    if position is None:
        raise Conflict(f"the list already holds {MAX_ITEMS} items; clear some first")
    await _reindex(db, knowledge, todo.id)
    return msgspec.structs.replace(item, position=position)


async def update_item(
    db: Database, knowledge: Knowledge, viewer: str, list_id: str, item_id: str, change: ItemUpdate
) -> ListItem:
    """Edit the text, tick it off (or back on), or move it."""
    item = await _item(db, viewer, list_id, item_id)
    updated = msgspec.structs.replace(
        item,
        text=change.text.strip() or change.text if change.text is not None else item.text,
        done=change.done if change.done is not None else item.done,
        position=change.position if change.position is not None else item.position,
        updated_at=clock.now(),
    )
    await db.write(queries.update_item, updated)
    await _reindex(db, knowledge, list_id)
    return updated


async def remove_item(db: Database, knowledge: Knowledge, viewer: str, list_id: str, item_id: str) -> ListItem:
    item = await _item(db, viewer, list_id, item_id)
    await db.write(queries.delete_item, list_id, item.id, clock.now())
    await _reindex(db, knowledge, list_id)
    return item


async def clear_items(db: Database, knowledge: Knowledge, viewer: str, list_id: str, done_only: bool) -> Cleared:
    """Remove the ticked items (or, with `done_only` false, every item)."""
    todo = await get_list(db, viewer, list_id)
    removed = await db.write(queries.clear_items, todo.id, done_only, clock.now())
    await _reindex(db, knowledge, todo.id)
    return Cleared(removed=removed)


async def list_records(db: Database) -> list[Indexable]:
    """Every list with items, as the index should hold it (for a rebuild or a check)."""
    records = []
    for todo in await db.read(queries.all_lists):
        record = _indexable(todo, await db.read(queries.items_of, todo.id))
        if record is not None:
            records.append(record)
    return records


async def _manageable(db: Database, actor: Principal, list_id: str) -> TodoList:
    todo = await get_list(db, actor.user_id, list_id)
    if todo.shared and todo.created_by != actor.user_id and not actor.is_admin:
        raise PermissionDenied("only whoever made a household list, or an admin, may rename or delete it")
    return todo


async def _item(db: Database, viewer: str, list_id: str, item_id: str) -> ListItem:
    await get_list(db, viewer, list_id)
    item = await db.read(queries.one_item, list_id, item_id)
    if item is None:
        raise NotFound("no such item on this list")
    return item


async def _reindex(db: Database, knowledge: Knowledge, list_id: str) -> None:
    todo = await db.read(queries.one_list, list_id)
    record = _indexable(todo, await db.read(queries.items_of, list_id)) if todo else None
    if record is None:
        await knowledge.forget(LIST, list_id)
    else:
        await knowledge.index(record)


def _indexable(todo: TodoList, items: list[ListItem]) -> Indexable | None:
    """A list is worth finding for what is on it; an empty one is not in the index."""
    if not items:
        return None
    lines = [f"- {'[done] ' if item.done else ''}{item.text}" for item in items]
    return Indexable(
        type=LIST,
        id=todo.id,
        owner_id=index_owner(todo.owner_id),
        shared=todo.shared,
        source="lists",
        title=f"{todo.name} list",
        text="\n".join(lines),
        updated_at=todo.updated_at,
    )
