"""The cost ledger: every AI request, who made it, what it used and what it cost."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Literal

import msgspec

from appliance import clock
from appliance.ai.preferences import get_preferences
from appliance.ai.shapes import ProviderSpend, UsageSummary
from appliance.storage import Database, Reader, Writer

__all__ = ["LedgerEntry", "Outcome", "Source", "record", "month_spend", "usage_summary", "month_start", "budget_spent"]


Outcome = Literal["ok", "error", "cancelled"]
Source = Literal["chat", "api", "ask"]  # what asked: the chat page, /v1, a question to the knowledge base


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    provider: str
    model: str
    key_id: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    premium_cost_usd: float
    latency_ms: float
    outcome: Outcome
    error: str = ""
    source: Source


async def record(db: Database, entry: LedgerEntry) -> None:
    await db.write(_insert, uuid.uuid4().hex, entry, clock.now())


async def month_spend(db: Database, user_id: str) -> float:
    spend, _ = await db.read(_sums_since, user_id, month_start(clock.now()))
    return spend


async def usage_summary(db: Database, user_id: str) -> UsageSummary:
    """This month's spend per provider, the saving against the priciest configured model, and the budget."""
    since = month_start(clock.now())
    prefs, rows, (spend, premium) = await asyncio.gather(
        get_preferences(db, user_id), db.read(_by_provider, user_id, since), db.read(_sums_since, user_id, since)
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


def _insert(conn: Writer, entry_id: str, e: LedgerEntry, at: datetime) -> None:
    conn.execute(
        "INSERT INTO ai_usage (id, user_id, provider, model, key_id, input_tokens, output_tokens, cost_usd,"
        " premium_cost_usd, latency_ms, outcome, error, source, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            e.user_id,
            e.provider,
            e.model,
            e.key_id,
            e.input_tokens,
            e.output_tokens,
            e.cost_usd,
            e.premium_cost_usd,
            e.latency_ms,
            e.outcome,
            e.error[:500],
            e.source,
            at,
        ],
    )


def _sums_since(conn: Reader, user_id: str, since: datetime) -> tuple[float, float]:
    """What the member spent since `since`, and what the priciest configured model would have cost."""
    row = conn.execute(
        "SELECT coalesce(sum(cost_usd), 0), coalesce(sum(premium_cost_usd), 0) FROM ai_usage"
        " WHERE user_id = ? AND created_at >= ?",
        [user_id, since],
    ).fetchone()
    assert row is not None  # aggregates always return one row
    return float(row[0]), float(row[1])


def _by_provider(conn: Reader, user_id: str, since: datetime) -> list[ProviderSpend]:
    rows = conn.execute(
        "SELECT provider, count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd) FROM ai_usage"
        " WHERE user_id = ? AND created_at >= ? GROUP BY provider ORDER BY sum(cost_usd) DESC, provider",
        [user_id, since],
    ).fetchall()
    return [
        ProviderSpend(
            provider=r[0],
            requests=r[1],
            input_tokens=int(r[2]),
            output_tokens=int(r[3]),
            cost_usd=round(float(r[4]), 10),
        )
        for r in rows
    ]
