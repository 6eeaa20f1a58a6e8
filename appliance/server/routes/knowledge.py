"""Knowledge over HTTP: notes, uploaded documents, search and questions. Thin: unpack, call, pack.

Everything is the signed-in member's own or shared with the household; another member's private
note or document answers 404 to everyone else, admins included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import File
from litestar.status_codes import HTTP_201_CREATED

from appliance.connectors.records import cited_with_links, with_links
from appliance.errors import RequestTooLarge
from appliance.knowledge import SearchQuery, SearchResults, notes
from appliance.knowledge.ask import Answer, Question, ask
from appliance.knowledge.documents import library
from appliance.knowledge.documents.shapes import Document, DocumentUpdate
from appliance.knowledge.documents.upload import receive_upload
from appliance.knowledge.notes import Note, NoteCreate, NoteUpdate
from appliance.server.auth import members_only
from appliance.server.deps import AIDep, BusDep, DatabaseDep, KnowledgeDep, PrincipalDep, RuntimeDep

__all__ = ["routes"]

_TAGS = ["knowledge"]


@get("/api/notes", tags=_TAGS, guards=[members_only])
async def list_notes(db: DatabaseDep, principal: PrincipalDep) -> list[Note]:
    return await notes.list_notes(db, principal.user_id)


@post("/api/notes", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_note(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[NoteCreate]
) -> Note:
    return await notes.create_note(db, knowledge, bus, principal.user_id, data)


@get("/api/notes/{note_id:str}", tags=_TAGS, guards=[members_only])
async def get_note(db: DatabaseDep, principal: PrincipalDep, note_id: FromPath[str]) -> Note:
    return await notes.get_note(db, principal.user_id, note_id)


@patch("/api/notes/{note_id:str}", tags=_TAGS, guards=[members_only])
async def edit_note(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    note_id: FromPath[str],
    data: JSONBody[NoteUpdate],
) -> Note:
    return await notes.update_note(db, knowledge, bus, principal.user_id, note_id, data)


@delete("/api/notes/{note_id:str}", tags=_TAGS, guards=[members_only])
async def delete_note(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, note_id: FromPath[str]
) -> None:
    await notes.delete_note(db, knowledge, bus, principal.user_id, note_id)


@get("/api/documents", tags=_TAGS, guards=[members_only])
async def list_documents(db: DatabaseDep, principal: PrincipalDep) -> list[Document]:
    return await library.list_documents(db, principal.user_id)


@post(
    "/api/documents",
    tags=_TAGS,
    guards=[members_only],
    status_code=HTTP_201_CREATED,
    request_max_body_size=None,  # the upload limit is knowledge.upload_max_mb, counted as it streams
)
async def upload_document(runtime: RuntimeDep, principal: PrincipalDep, request: Request) -> Document:
    """Upload one file as multipart/form-data (`file`, optional `title`, `shared`): txt md html pdf docx eml ics."""
    data_dir, limit = runtime.settings.data_dir, runtime.settings.knowledge.upload_max_mb * 1024 * 1024
    _check_declared_size(request, limit)
    folder = library.documents_dir(data_dir)
    upload = await receive_upload(request.stream(), request.headers.get("content-type", ""), folder, limit)
    return await library.store_upload(runtime.db, runtime.knowledge, runtime.bus, principal.user_id, upload, data_dir)


@get("/api/documents/{document_id:str}", tags=_TAGS, guards=[members_only])
async def get_document(db: DatabaseDep, principal: PrincipalDep, document_id: FromPath[str]) -> Document:
    return await library.get_document(db, principal.user_id, document_id)


@patch("/api/documents/{document_id:str}", tags=_TAGS, guards=[members_only])
async def edit_document(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    document_id: FromPath[str],
    data: JSONBody[DocumentUpdate],
) -> Document:
    """Rename it or change who may read it (its uploader only); search follows at once."""
    return await library.update_document(db, knowledge, bus, principal.user_id, document_id, data)


@get("/api/documents/{document_id:str}/file", tags=_TAGS, guards=[members_only])
async def download_document(runtime: RuntimeDep, principal: PrincipalDep, document_id: FromPath[str]) -> File:
    """The original file, always as a download (never rendered on Atom's origin)."""
    document = await library.get_document(runtime.db, principal.user_id, document_id)
    path = library.document_file(runtime.settings.data_dir, document)
    return File(
        path=path,
        filename=document.filename,
        media_type=document.media_type,
        content_disposition_type="attachment",
        headers={"content-security-policy": "sandbox; default-src 'none'", "cache-control": "private, no-store"},
    )


@delete("/api/documents/{document_id:str}", tags=_TAGS, guards=[members_only])
async def delete_document(runtime: RuntimeDep, principal: PrincipalDep, document_id: FromPath[str]) -> None:
    data_dir = runtime.settings.data_dir
    await library.delete_document(runtime.db, runtime.knowledge, runtime.bus, principal.user_id, document_id, data_dir)


@get("/api/search", tags=_TAGS, guards=[members_only])
async def search(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    principal: PrincipalDep,
    q: Annotated[str, Parameter(max_length=500)],
    type: Annotated[list[str] | None, Parameter(max_items=10)] = None,
    source: Annotated[list[str] | None, Parameter(max_items=10)] = None,
    mine: FromQuery[bool] = False,
    owner: Annotated[str | None, Parameter(max_length=64)] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
    mode: FromQuery[Literal["hybrid", "keyword", "vector"]] = "hybrid",
) -> SearchResults:
    """Results best first: each with its id, type, title, a highlighted snippet (HTML, words in <mark>) and score,
    and for a record brought in by a connection (`connected`) its link at the service, if it has one."""
    query = SearchQuery(
        text=q,
        types=tuple(type or ()),
        sources=tuple(source or ()),
        mine_only=mine,
        owner=principal.user_id if owner == "me" else owner,
        since=since,
        until=until,
        limit=limit,
        mode=mode,
    )
    return await with_links(db, principal.user_id, await knowledge.search(principal.user_id, query))


@post("/api/ask", tags=_TAGS, guards=[members_only], status_code=200)
async def ask_question(
    db: DatabaseDep, knowledge: KnowledgeDep, ai: AIDep, principal: PrincipalDep, data: JSONBody[Question]
) -> Answer:
    """An answer from the member's own notes and documents, citing them; "I don't know" when none is about it.
    A cited record brought in by a connection carries its link at the service, as in search."""
    return await cited_with_links(db, principal.user_id, await ask(knowledge, ai, principal, data.question))


def _check_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"the file is larger than the {limit // (1024 * 1024)} MiB Atom accepts")


routes = [
    list_notes,
    create_note,
    get_note,
    edit_note,
    delete_note,
    list_documents,
    upload_document,
    get_document,
    edit_document,
    download_document,
    delete_document,
    search,
    ask_question,
]
