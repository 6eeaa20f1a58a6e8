"""Who wrote what: member names for notes and documents shared with the household."""

from __future__ import annotations

from appliance.accounts import users
from appliance.storage import Database

__all__ = ["author_names", "FORMER_MEMBER"]

FORMER_MEMBER = "a former member"  # erasure removes a member's own records, so this is rare


async def author_names(db: Database) -> dict[str, str]:
    return {member.id: member.display_name for member in await users.list_users(db)}
