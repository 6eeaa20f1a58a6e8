"""Notes: markdown a member writes, private or shared with the household, indexed as they change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from appliance import clock
from appliance.errors import NotFound
from appliance.events import EventBus
from appliance.knowledge.knowledge import Knowledge, announce
from appliance.knowledge.records import Indexable
from appliance.storage import Database, Reader, Writer

__all__ = [
    "Note",
    "NoteCreate",
    "NoteUpdate",
    "create_note",
    "get_note",
    "list_notes",
    "update_note",
    "delete_note",
    "note_records",
    "NOTE",
]

NOTE = "note"
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=200_000)]
_COLUMNS = "id, owner, title, body, shared, created_at, updated_at"


class Note(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    owner_id: str
    title: str
    body: str
    shared: bool
    created_at: datetime
    updated_at: datetime


class NoteCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    body: Body = ""
    shared: bool = False


class NoteUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title | None = None
    body: Body | None = None
    shared: bool | None = None


async def create_note(db: Database, knowledge: Knowledge, bus: EventBus, owner_id: str, new: NoteCreate) -> Note:
    stamp = clock.now()
    note = Note(
        id=uuid.uuid4().hex,
        owner_id=owner_id,
        title=new.title.strip() or new.title,
        body=new.body,
        shared=new.shared,
        created_at=stamp,
        updated_at=stamp,
    )
    await db.write(_insert, note)
    await knowledge.index(_indexable(note))
    announce(bus, "notes", "created", note.id, note.owner_id, note.shared)
    return note


async def get_note(db: Database, viewer: str, note_id: str) -> Note:
    """A note the viewer may read: their own, or one shared with the household."""
    note = await db.read(_one, note_id)
    if note is None or not (note.owner_id == viewer or note.shared):
        raise NotFound("no such note")
    return note


async def list_notes(db: Database, viewer: str) -> list[Note]:
    return await db.read(_visible, viewer)


async def update_note(
    db: Database, knowledge: Knowledge, bus: EventBus, viewer: str, note_id: str, change: NoteUpdate
) -> Note:
    """Only the note's author edits it; the household may read a shared one, not rewrite it."""
    note = await _own(db, viewer, note_id)
    updated = msgspec.structs.replace(
        note,
        title=change.title if change.title is not None else note.title,
        body=change.body if change.body is not None else note.body,
        shared=change.shared if change.shared is not None else note.shared,
        updated_at=clock.now(),
    )
    await db.write(_update, updated)
    await knowledge.index(_indexable(updated))
    announce(bus, "notes", "updated", note.id, note.owner_id, note.shared or updated.shared)
    return updated


async def delete_note(db: Database, knowledge: Knowledge, bus: EventBus, viewer: str, note_id: str) -> Note:
    note = await _own(db, viewer, note_id)
    await db.write(_delete, note.id)
    await knowledge.forget(NOTE, note.id)
    announce(bus, "notes", "deleted", note.id, note.owner_id, note.shared)
    return note


async def note_records(db: Database) -> list[Indexable]:
    """Every note as the index should hold it (for a rebuild or a check)."""
    return [_indexable(n) for n in await db.read(_all)]


async def _own(db: Database, viewer: str, note_id: str) -> Note:
    note = await get_note(db, viewer, note_id)
    if note.owner_id != viewer:
        raise NotFound("no such note of yours")  # a shared note is the household's to read, not to change
    return note


def _indexable(note: Note) -> Indexable:
    return Indexable(
        type=NOTE,
        id=note.id,
        owner_id=note.owner_id,
        shared=note.shared,
        source="notes",
        title=note.title,
        text=note.body,
        updated_at=note.updated_at,
    )


def _note(row: tuple[Any, ...]) -> Note:
    return Note(
        id=row[0], owner_id=row[1], title=row[2], body=row[3], shared=row[4], created_at=row[5], updated_at=row[6]
    )


def _insert(conn: Writer, note: Note) -> None:
    conn.execute(
        f"INSERT INTO notes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [note.id, note.owner_id, note.title, note.body, note.shared, note.created_at, note.updated_at],
    )


def _update(conn: Writer, note: Note) -> None:
    conn.execute(
        "UPDATE notes SET title = ?, body = ?, shared = ?, updated_at = ? WHERE id = ?",
        [note.title, note.body, note.shared, note.updated_at, note.id],
    )


def _delete(conn: Writer, note_id: str) -> None:
    conn.execute("DELETE FROM notes WHERE id = ?", [note_id])


def _one(conn: Reader, note_id: str) -> Note | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM notes WHERE id = ?", [note_id]).fetchone()
    return _note(row) if row else None


def _visible(conn: Reader, viewer: str) -> list[Note]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM notes WHERE owner = ? OR shared ORDER BY updated_at DESC, id", [viewer]
    ).fetchall()
    return [_note(r) for r in rows]


def _all(conn: Reader) -> list[Note]:
    return [_note(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM notes ORDER BY id").fetchall()]
