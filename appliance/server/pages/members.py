"""Household members: everyone sees the list; the admin adds, edits and removes."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from appliance.accounts import users
from appliance.server.deps import DatabaseDep
from appliance.server.pages.view import fragment, member_page

__all__ = ["pages", "fragments"]


@get("/members", include_in_schema=False)
async def members_page(request: Request, db: DatabaseDep) -> Template:
    return member_page(request, "members.html", "Members", members=await users.list_users(db))


@get("/fragments/members", include_in_schema=False)
async def members_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/members_list.html", members=await users.list_users(db))


pages = [members_page]
fragments = [members_fragment]
