"""The cost ledger: every AI request, who made it, what it used and what it cost."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from appliance import clock
from appliance.ai import queries
from appliance.ai.preferences import get_preferences
from appliance.ai.shapes import LedgerEntry, RequestRecord, UsageSummary
from appliance.storage import Database

__all__ = ["record", "month_spend", "usage_summary", "recent_requests", "month_start", "budget_spent"]


async def record(db: Database, entry: LedgerEntry) -> None:
    await db.write(queries.insert_usage, uuid.uuid4().hex, entry, clock.now())


async def month_spend(db: Database, user_id: str) -> float:
    spend, _ = await db.read(queries.sums_since, user_id, month_start(clock.now()))
    return spend


async def recent_requests(db: Database, user_id: str, limit: int = 20) -> list[RequestRecord]:
    """The member's latest requests, failed ones included: a fallback is never hidden."""
    return await db.read(queries.recent_requests, user_id, limit)


async def usage_summary(db: Database, user_id: str) -> UsageSummary:
    """This month's spend per provider, the saving against the priciest configured model, and the budget."""
    since = month_start(clock.now())
    prefs, rows, (spend, premium) = await asyncio.gather(
        get_preferences(db, user_id),
        db.read(queries.spend_by_provider, user_id, since),
        db.read(queries.sums_since, user_id, since),
    )
    return UsageSummary(
        month=since.strftime("%Y-%m"),
        spend_usd=round(spend, 10),
        premium_usd=round(premium, 10),
        saving_usd=round(max(premium - spend, 0.0), 10),
        budget_usd=prefs.monthly_budget_usd,
        budget_spent=budget_spent(prefs.monthly_budget_usd, spend),
        over_budget=prefs.over_budget,
        by_provider=rows,
    )


def budget_spent(budget: float | None, spend: float) -> bool:
    """Past this, routing keeps to free routes or refuses, as the member chose (`Preferences.over_budget`)."""
    return budget is not None and spend >= budget


def month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
