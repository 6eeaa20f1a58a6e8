"""The shapes of lists and their items that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = ["TodoList", "ListCreate", "ListUpdate", "ListItem", "ItemCreate", "ItemUpdate", "Cleared"]

ListName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ItemText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class TodoList(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    shared: bool
    """The household's (every member reads and edits it), or private to its creator."""
    owner_id: str | None
    created_by: str | None
    open_items: int
    done_items: int
    created_at: datetime
    updated_at: datetime


class ListCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: ListName
    shared: bool = True


class ListUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: ListName | None = None


class ListItem(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    list_id: str
    text: str
    done: bool
    position: float
    added_by: str
    created_at: datetime
    updated_at: datetime


class ItemCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: ItemText


class ItemUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: ItemText | None = None
    done: bool | None = None
    """Ticked off (true) or back on the list (false)."""
    position: Annotated[float, msgspec.Meta(ge=-1e12, le=1e12)] | None = None


class Cleared(msgspec.Struct, frozen=True, kw_only=True):
    removed: int
