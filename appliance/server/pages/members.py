"""Household members: everyone sees the list; the admin adds, edits and removes."""

from __future__ import annotations

from typing import get_args

import msgspec
from litestar import Request, get
from litestar.response import Template

from appliance.accounts import users
from appliance.accounts.shapes import Role, UserCreate
from appliance.server.deps import DatabaseDep
from appliance.server.pages.view import fragment, member_page

__all__ = ["pages", "fragments"]


@get("/members", include_in_schema=False)
async def members_page(request: Request, db: DatabaseDep) -> Template:
    members = await users.list_users(db)
    return member_page(request, "members.html", "Members", members=members, **_roles())


@get("/fragments/members", include_in_schema=False)
async def members_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/members_list.html", members=await users.list_users(db))


def _roles() -> dict[str, object]:
    """The roles the forms offer and the one a new member gets: as the account shapes define them."""
    default = next(field.default for field in msgspec.structs.fields(UserCreate) if field.name == "role")
    return {"roles": get_args(Role), "new_member_role": default}


pages = [members_page]
fragments = [members_fragment]
