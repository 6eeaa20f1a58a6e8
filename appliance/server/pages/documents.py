"""Documents: files the member uploaded or the household shares; one document's details.

Uploading happens in the browser (`web/static/js/pages/documents.js`: a file input or a drop
anywhere on the page, sent as multipart to `POST /api/documents`). Downloads come from the API,
always as attachments. Only the uploader may delete.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.knowledge.documents import library
from appliance.knowledge.documents.parsers import FORMATS
from appliance.server.deps import DatabaseDep, SettingsDep
from appliance.server.pages.authors import FORMER_MEMBER, author_names
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.storage import Database

__all__ = ["pages", "fragments"]


@get("/documents", include_in_schema=False)
async def documents_page(request: Request, db: DatabaseDep, settings: SettingsDep) -> Template:
    return member_page(
        request,
        "documents.html",
        "Documents",
        formats=FORMATS,
        max_mb=settings.knowledge.upload_max_mb,
        **await _lists(db, viewer(request)),
    )


@get("/documents/{document_id:str}", include_in_schema=False)
async def document_page(request: Request, db: DatabaseDep, document_id: FromPath[str]) -> Template:
    shown = await _one(db, viewer(request), document_id)
    return member_page(request, "document.html", shown["document"].title, **shown)


@get("/fragments/documents", include_in_schema=False)
async def documents_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/documents_list.html", **await _lists(db, viewer(request)))


@get("/fragments/documents/{document_id:str}", include_in_schema=False)
async def document_fragment(request: Request, db: DatabaseDep, document_id: FromPath[str]) -> Template:
    return fragment(request, "partials/document_view.html", **await _one(db, viewer(request), document_id))


async def _lists(db: Database, me: Principal) -> dict[str, Any]:
    return {
        "documents": await library.list_documents(db, me.user_id),
        "names": await author_names(db),
        "former": FORMER_MEMBER,
    }


async def _one(db: Database, me: Principal, document_id: str) -> dict[str, Any]:
    document = await library.get_document(db, me.user_id, document_id)
    names = await author_names(db)
    author = names.get(document.owner_id, FORMER_MEMBER)
    return {"document": document, "mine": document.owner_id == me.user_id, "author": author}


pages = [documents_page, document_page]
fragments = [documents_fragment, document_fragment]
