"""Each member's routing policy, fallback chain and monthly budget."""

from __future__ import annotations

from appliance.accounts.shapes import Principal
from appliance.ai import queries
from appliance.ai.keys import visible_keys
from appliance.ai.shapes import LOCAL, Preferences
from appliance.errors import InvalidInput
from appliance.storage import Database

__all__ = ["get_preferences", "set_preferences"]


async def get_preferences(db: Database, user_id: str) -> Preferences:
    return await db.read(queries.preferences, user_id) or Preferences()


async def set_preferences(db: Database, principal: Principal, wanted: Preferences) -> Preferences:
    known = {k.id for k in await visible_keys(db, principal)} | {LOCAL}
    named = [*wanted.fallbacks, *([wanted.fixed_key] if wanted.fixed_key else [])]
    unknown = [n for n in named if n not in known]
    if unknown:
        raise InvalidInput(f"unknown provider key(s): {', '.join(unknown)}")
    if wanted.policy == "fixed" and not wanted.fixed_key:
        raise InvalidInput("the fixed policy needs fixed_key: a key id, or 'local'")
    await db.write(queries.save_preferences, principal.user_id, wanted)
    return wanted
