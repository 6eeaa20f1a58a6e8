"""My account: password, personal API tokens, sign-ins on other devices."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from appliance.accounts import sessions, tokens
from appliance.server.deps import DatabaseDep
from appliance.server.pages.view import fragment, member_page, viewer

__all__ = ["pages", "fragments"]


@get("/account", include_in_schema=False)
async def account_page(request: Request, db: DatabaseDep) -> Template:
    me = viewer(request)
    return member_page(
        request,
        "account.html",
        "My account",
        tokens=await tokens.list_tokens(db, me.user_id),
        sessions=await sessions.list_sessions(db, me),
    )


@get("/fragments/tokens", include_in_schema=False)
async def tokens_fragment(request: Request, db: DatabaseDep) -> Template:
    found = await tokens.list_tokens(db, viewer(request).user_id)
    return fragment(request, "partials/tokens_list.html", tokens=found)


@get("/fragments/sessions", include_in_schema=False)
async def sessions_fragment(request: Request, db: DatabaseDep) -> Template:
    found = await sessions.list_sessions(db, viewer(request))
    return fragment(request, "partials/sessions_list.html", sessions=found)


pages = [account_page]
fragments = [tokens_fragment, sessions_fragment]
