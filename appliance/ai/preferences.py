"""Each member's routing policy, fallback chain and monthly budget."""

from __future__ import annotations

import json

from appliance import clock
from appliance.accounts.models import Principal
from appliance.ai.keys import visible_keys
from appliance.ai.shapes import LOCAL, Preferences
from appliance.errors import InvalidInput
from appliance.storage import Database, Reader, Writer

__all__ = ["get_preferences", "set_preferences"]


async def get_preferences(db: Database, user_id: str) -> Preferences:
    return await db.read(_load, user_id) or Preferences()


async def set_preferences(db: Database, principal: Principal, wanted: Preferences) -> Preferences:
    known = {k.id for k in await visible_keys(db, principal)} | {LOCAL}
    named = [*wanted.fallbacks, *([wanted.fixed_key] if wanted.fixed_key else [])]
    unknown = [n for n in named if n not in known]
    if unknown:
        raise InvalidInput(f"unknown provider key(s): {', '.join(unknown)}")
    if wanted.policy == "fixed" and not wanted.fixed_key:
        raise InvalidInput("the fixed policy needs fixed_key: a key id, or 'local'")
    await db.write(_save, principal.user_id, wanted)
    return wanted


def _load(conn: Reader, user_id: str) -> Preferences | None:
    row = conn.execute(
        "SELECT policy, fixed_key, fallbacks, monthly_budget_usd, over_budget FROM ai_preferences WHERE user_id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return None
    return Preferences(
        policy=row[0], fixed_key=row[1], fallbacks=json.loads(row[2]), monthly_budget_usd=row[3], over_budget=row[4]
    )


def _save(conn: Writer, user_id: str, p: Preferences) -> None:
    conn.execute(
        "INSERT INTO ai_preferences (user_id, policy, fixed_key, fallbacks, monthly_budget_usd, over_budget,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET policy = excluded.policy,"
        " fixed_key = excluded.fixed_key, fallbacks = excluded.fallbacks,"
        " monthly_budget_usd = excluded.monthly_budget_usd, over_budget = excluded.over_budget,"
        " updated_at = excluded.updated_at",
        [user_id, p.policy, p.fixed_key, json.dumps(p.fallbacks), p.monthly_budget_usd, p.over_budget, clock.now()],
    )
