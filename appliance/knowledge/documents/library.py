"""Uploaded documents: the original file kept, its text indexed, readable by whoever may see it.

A document is stored only whole: the file is parsed before anything is kept, moved into
`<data_dir>/documents/<id>` in one rename, and recorded; if recording fails the file goes again.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any

import msgspec

from appliance import clock
from appliance.errors import NotFound
from appliance.events import EventBus
from appliance.knowledge.documents.parsers import media_type_of, parse_document
from appliance.knowledge.documents.shapes import Document, DocumentUpdate
from appliance.knowledge.documents.upload import Upload
from appliance.knowledge.knowledge import Knowledge, announce
from appliance.knowledge.records import Indexable
from appliance.storage import Database, Reader, Writer

__all__ = [
    "Document",
    "DOCUMENT",
    "documents_dir",
    "store_upload",
    "get_document",
    "update_document",
    "list_documents",
    "delete_document",
    "document_file",
    "document_records",
    "remove_orphan_files",
]

DOCUMENT = "document"
_COLUMNS = "id, owner, title, filename, media_type, size, sha256, shared, created_at, updated_at"


def documents_dir(data_dir: Path) -> Path:
    folder = data_dir / "documents"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


async def store_upload(
    db: Database, knowledge: Knowledge, bus: EventBus, owner_id: str, upload: Upload, data_dir: Path
) -> Document:
    """Parse, keep and index an upload; on any failure nothing of it remains."""
    try:
        raw = await asyncio.to_thread(upload.path.read_bytes)
        parsed = await asyncio.to_thread(parse_document, upload.filename, raw)
        document = _document(owner_id, upload, raw, parsed.title, upload.fields)
        final = documents_dir(data_dir) / document.id
        upload.path.replace(final)
    except BaseException:
        upload.discard()
        raise
    try:
        await db.write(_insert, document, parsed.text)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    await knowledge.index(_indexable(document, parsed.text))
    announce(bus, "documents", "created", document.id, document.owner_id, document.shared)
    return document


async def get_document(db: Database, viewer: str, document_id: str) -> Document:
    document = await db.read(_one, document_id)
    if document is None or not (document.owner_id == viewer or document.shared):
        raise NotFound("no such document")
    return document


async def list_documents(db: Database, viewer: str) -> list[Document]:
    return await db.read(_visible, viewer)


def document_file(data_dir: Path, document: Document) -> Path:
    path = documents_dir(data_dir) / document.id
    if not path.is_file():
        raise NotFound("the document's file is missing from the data folder")
    return path


async def update_document(
    db: Database, knowledge: Knowledge, bus: EventBus, viewer: str, document_id: str, change: DocumentUpdate
) -> Document:
    """Only the uploader renames or (un)shares it; it is indexed again under its new title and audience."""
    document = await _own(db, viewer, document_id)
    updated = msgspec.structs.replace(
        document,
        title=change.title.strip() if change.title is not None else document.title,
        shared=change.shared if change.shared is not None else document.shared,
        updated_at=clock.now(),
    )
    text = await db.write(_update, updated)
    await knowledge.index(_indexable(updated, text))
    announce(bus, "documents", "updated", document.id, document.owner_id, document.shared or updated.shared)
    return updated


async def delete_document(
    db: Database, knowledge: Knowledge, bus: EventBus, viewer: str, document_id: str, data_dir: Path
) -> Document:
    document = await _own(db, viewer, document_id)
    await db.write(_delete, document.id)
    await knowledge.forget(DOCUMENT, document.id)
    (documents_dir(data_dir) / document.id).unlink(missing_ok=True)
    announce(bus, "documents", "deleted", document.id, document.owner_id, document.shared)
    return document


async def document_records(db: Database) -> list[Indexable]:
    rows = await db.read(_all_with_text)
    return [_indexable(document, text) for document, text in rows]


async def remove_orphan_files(db: Database, data_dir: Path) -> int:
    """Delete files no document names (after a member's erasure, or an interrupted upload)."""
    known = set(await db.read(_ids))
    orphans = [p for p in documents_dir(data_dir).iterdir() if p.is_file() and p.name not in known]
    for path in orphans:
        path.unlink(missing_ok=True)
    return len(orphans)


async def _own(db: Database, viewer: str, document_id: str) -> Document:
    document = await get_document(db, viewer, document_id)
    if document.owner_id != viewer:
        raise NotFound("no such document of yours")  # a shared document is the household's to read, not to change
    return document


def _document(owner_id: str, upload: Upload, raw: bytes, title: str, fields: dict[str, str]) -> Document:
    stamp = clock.now()
    return Document(
        id=uuid.uuid4().hex,
        owner_id=owner_id,
        title=(fields.get("title") or title)[:200],
        filename=upload.filename,
        media_type=media_type_of(upload.filename),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        shared=fields.get("shared", "").lower() in ("1", "true", "on", "yes"),
        created_at=stamp,
        updated_at=stamp,
    )


def _indexable(document: Document, text: str) -> Indexable:
    return Indexable(
        type=DOCUMENT,
        id=document.id,
        owner_id=document.owner_id,
        shared=document.shared,
        source="upload",
        title=document.title,
        text=text,
        updated_at=document.updated_at,
    )


def _row(row: tuple[Any, ...]) -> Document:
    names = (
        "id",
        "owner_id",
        "title",
        "filename",
        "media_type",
        "size",
        "sha256",
        "shared",
        "created_at",
        "updated_at",
    )
    return Document(**dict(zip(names, row, strict=True)))


def _insert(conn: Writer, document: Document, text: str) -> None:
    d = document
    conn.execute(
        f"INSERT INTO documents ({_COLUMNS}, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            d.id,
            d.owner_id,
            d.title,
            d.filename,
            d.media_type,
            d.size,
            d.sha256,
            d.shared,
            d.created_at,
            d.updated_at,
            text,
        ],
    )


def _update(conn: Writer, document: Document) -> str:
    """Store the new title and sharing; the document's text, to index it again."""
    conn.execute(
        "UPDATE documents SET title = ?, shared = ?, updated_at = ? WHERE id = ?",
        [document.title, document.shared, document.updated_at, document.id],
    )
    row = conn.execute("SELECT text FROM documents WHERE id = ?", [document.id]).fetchone()
    if row is None:  # deleted since it was read
        raise NotFound("no such document of yours")
    return str(row[0])


def _delete(conn: Writer, document_id: str) -> None:
    conn.execute("DELETE FROM documents WHERE id = ?", [document_id])


def _one(conn: Reader, document_id: str) -> Document | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE id = ?", [document_id]).fetchone()
    return _row(row) if row else None


def _visible(conn: Reader, viewer: str) -> list[Document]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM documents WHERE owner = ? OR shared ORDER BY updated_at DESC, id", [viewer]
    ).fetchall()
    return [_row(r) for r in rows]


def _all_with_text(conn: Reader) -> list[tuple[Document, str]]:
    rows = conn.execute(f"SELECT {_COLUMNS}, text FROM documents ORDER BY id").fetchall()
    return [(_row(r[:-1]), r[-1]) for r in rows]


def _ids(conn: Reader) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM documents").fetchall()]
