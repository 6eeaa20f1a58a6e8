"""Whose a row is: the household's (owner NULL) or one member's. Every organizer query uses these.

Household rows (the Shopping list, the Household calendar, shared tasks) are read and changed by
every member; private rows answer 404 to everyone else, admins included.
"""

from __future__ import annotations

from appliance.errors import NotFound
from appliance.events import EVERYONE

__all__ = ["HOUSEHOLD_OWNER", "VISIBLE", "owner_for", "index_owner", "check_visible", "is_shared", "audience"]

HOUSEHOLD_OWNER = "household"  # the index's owner of household rows: never erased with a member
VISIBLE = "(owner IS NULL OR owner = ?)"  # SQL: rows the viewer (the one parameter) may see


def owner_for(shared: bool, user_id: str) -> str | None:
    return None if shared else user_id


def is_shared(owner: str | None) -> bool:
    return owner is None


def index_owner(owner: str | None) -> str:
    return HOUSEHOLD_OWNER if owner is None else owner


def check_visible(owner: str | None, viewer: str, what: str) -> None:
    """404, the same for absent and for someone else's: a private row's existence is private too."""
    if owner is not None and owner != viewer:
        raise NotFound(f"no such {what}")


def audience(owner: str | None) -> list[str]:
    """Who hears of a change on the live channel: the whole house, or the one member."""
    return [EVERYONE] if owner is None else [owner]
