"""Notes: the member's own and the household's shared ones; one note read, edited or deleted.

`/notes` lists them and writes a new one; `/notes/{id}` shows one rendered from its Markdown
(markdown.py, a safe subset). Only the author gets the controls: the API refuses anyone else
too. Another member's private note is a 404 page, to the admin as well.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.knowledge import notes
from appliance.server.deps import DatabaseDep
from appliance.server.pages.authors import FORMER_MEMBER, author_names
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.storage import Database

__all__ = ["pages", "fragments"]


@get("/notes", include_in_schema=False)
async def notes_page(request: Request, db: DatabaseDep) -> Template:
    return member_page(request, "notes.html", "Notes", **await _lists(db, viewer(request)))


@get("/notes/{note_id:str}", include_in_schema=False)
async def note_page(request: Request, db: DatabaseDep, note_id: FromPath[str]) -> Template:
    shown = await _one(db, viewer(request), note_id)
    return member_page(request, "note.html", shown["note"].title, **shown)


@get("/fragments/notes", include_in_schema=False)
async def notes_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/notes_list.html", **await _lists(db, viewer(request)))


@get("/fragments/notes/{note_id:str}", include_in_schema=False)
async def note_fragment(request: Request, db: DatabaseDep, note_id: FromPath[str]) -> Template:
    return fragment(request, "partials/note_view.html", **await _one(db, viewer(request), note_id))


async def _lists(db: Database, me: Principal) -> dict[str, Any]:
    visible = await notes.list_notes(db, me.user_id)
    return {
        "mine": [n for n in visible if n.owner_id == me.user_id],
        "household": [n for n in visible if n.owner_id != me.user_id],
        "names": await author_names(db),
        "former": FORMER_MEMBER,
    }


async def _one(db: Database, me: Principal, note_id: str) -> dict[str, Any]:
    note = await notes.get_note(db, me.user_id, note_id)
    names = await author_names(db)
    return {"note": note, "mine": note.owner_id == me.user_id, "author": names.get(note.owner_id, FORMER_MEMBER)}


pages = [notes_page, note_page]
fragments = [notes_fragment, note_fragment]
