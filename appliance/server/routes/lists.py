"""Lists over HTTP: Shopping, Chores and members' own lists, and their items. Thin: unpack, call, pack.

A change is announced on the live channel (topic `lists`, the list's id) to whoever may see the list.
"""

from __future__ import annotations

from litestar import delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.events import Action, EventBus
from appliance.organizer.lists import lists
from appliance.organizer.lists.shapes import Cleared, ItemCreate, ItemUpdate, ListCreate, ListItem, ListUpdate, TodoList
from appliance.organizer.live import announce
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, KnowledgeDep, PrincipalDep

__all__ = ["routes"]

_TAGS = ["lists"]


@get("/api/lists", tags=_TAGS, guards=[members_only])
async def list_lists(db: DatabaseDep, principal: PrincipalDep) -> list[TodoList]:
    """The household's lists, then the member's own, with how many items are open and done."""
    return await lists.list_lists(db, principal.user_id)


@post("/api/lists", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_list(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[ListCreate]) -> TodoList:
    todo = await lists.create_list(db, principal.user_id, data)
    _announce(bus, "created", todo)
    return todo


@get("/api/lists/{list_id:str}", tags=_TAGS, guards=[members_only])
async def get_list(db: DatabaseDep, principal: PrincipalDep, list_id: FromPath[str]) -> TodoList:
    return await lists.get_list(db, principal.user_id, list_id)


@patch("/api/lists/{list_id:str}", tags=_TAGS, guards=[members_only])
async def rename_list(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, list_id: FromPath[str], data: JSONBody[ListUpdate]
) -> TodoList:
    todo = await lists.update_list(db, principal, list_id, data)
    _announce(bus, "updated", todo)
    return todo


@delete("/api/lists/{list_id:str}", tags=_TAGS, guards=[members_only])
async def delete_list(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, list_id: FromPath[str]
) -> None:
    _announce(bus, "deleted", await lists.delete_list(db, knowledge, principal, list_id))


@get("/api/lists/{list_id:str}/items", tags=_TAGS, guards=[members_only])
async def list_items(db: DatabaseDep, principal: PrincipalDep, list_id: FromPath[str]) -> list[ListItem]:
    """Open items first, in their order; ticked ones after."""
    return await lists.list_items(db, principal.user_id, list_id)


@post("/api/lists/{list_id:str}/items", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def add_item(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    list_id: FromPath[str],
    data: JSONBody[ItemCreate],
) -> ListItem:
    item = await lists.add_item(db, knowledge, principal.user_id, list_id, data)
    await _list_changed(db, bus, principal.user_id, list_id)
    return item


@patch("/api/lists/{list_id:str}/items/{item_id:str}", tags=_TAGS, guards=[members_only])
async def update_item(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    list_id: FromPath[str],
    item_id: FromPath[str],
    data: JSONBody[ItemUpdate],
) -> ListItem:
    """Tick an item off (`done: true`), put it back, rename or move it."""
    item = await lists.update_item(db, knowledge, principal.user_id, list_id, item_id, data)
    await _list_changed(db, bus, principal.user_id, list_id)
    return item


@delete("/api/lists/{list_id:str}/items/{item_id:str}", tags=_TAGS, guards=[members_only])
async def remove_item(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    list_id: FromPath[str],
    item_id: FromPath[str],
) -> None:
    await lists.remove_item(db, knowledge, principal.user_id, list_id, item_id)
    await _list_changed(db, bus, principal.user_id, list_id)


@post("/api/lists/{list_id:str}/clear", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def clear_list(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    list_id: FromPath[str],
    everything: FromQuery[bool] = False,
) -> Cleared:
    """Remove the ticked items; with `everything=true`, every item."""
    cleared = await lists.clear_items(db, knowledge, principal.user_id, list_id, done_only=not everything)
    await _list_changed(db, bus, principal.user_id, list_id)
    return cleared


async def _list_changed(db: DatabaseDep, bus: EventBus, viewer: str, list_id: str) -> None:
    _announce(bus, "updated", await lists.get_list(db, viewer, list_id))


def _announce(bus: EventBus, action: Action, todo: TodoList) -> None:
    announce(bus, "lists", action, todo.id, todo.owner_id)


routes = [
    list_lists,
    create_list,
    get_list,
    rename_list,
    delete_list,
    list_items,
    add_item,
    update_item,
    remove_item,
    clear_list,
]
