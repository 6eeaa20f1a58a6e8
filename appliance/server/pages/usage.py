"""My AI usage this month: spend, budget, spend per provider, and what routing saved.

The figures come from the same ledger summary as `GET /api/ai/usage`; this module
only turns them into words and amounts people read (`UsageView`), which the
dashboard's "AI this month" panel shows too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from litestar import Request, get
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.ai import ledger
from appliance.ai.providers.registry import manifests
from appliance.ai.shapes import ProviderSpend, UsageSummary
from appliance.server.deps import DatabaseDep
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.storage import Database

__all__ = ["pages", "fragments", "UsageView", "load_usage", "usd", "provider_name"]

_OVER_BUDGET_NOTES = {
    "local": "Your budget is spent: until next month, the model on this box answers instead of paid providers.",
    "refuse": "Your budget is spent: until next month, Atom refuses requests that would go to paid providers.",
}


@dataclass(frozen=True)
class SpendRow:
    provider: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost: str


@dataclass(frozen=True)
class UsageView:
    month: str  # "November 2026"
    spend: str
    premium: str
    saving: str
    budget: str | None  # None: no monthly budget set
    budget_percent: int | None  # of the budget spent, for the progress bar (capped at 100)
    over_budget_note: str | None  # what happens now, once the budget is spent
    rows: list[SpendRow]

    @property
    def has_spend(self) -> bool:
        return bool(self.rows)


@get("/settings/usage", include_in_schema=False)
async def usage_page(request: Request, db: DatabaseDep) -> Template:
    me = viewer(request)
    return member_page(
        request, "ai_usage.html", "AI usage", usage=await load_usage(db, me), requests=await _requests(db, me)
    )


@get("/fragments/ai-usage", include_in_schema=False)
async def usage_fragment(request: Request, db: DatabaseDep) -> Template:
    me = viewer(request)
    return fragment(request, "partials/ai_usage.html", usage=await load_usage(db, me), requests=await _requests(db, me))


@dataclass(frozen=True)
class RequestRow:
    """One recent request in words: who answered, whether it worked, and why not."""

    at: datetime
    provider: str
    model: str
    failed: bool
    outcome: str  # "Answered", "Failed", "Stopped"
    why: str
    cost: str


_OUTCOMES = {"ok": "Answered", "error": "Failed", "cancelled": "Stopped"}


async def _requests(db: Database, me: Principal) -> list[RequestRow]:
    return [
        RequestRow(
            at=r.created_at,
            provider=provider_name(r.provider),
            model=r.model,
            failed=r.outcome == "error",
            outcome=_OUTCOMES.get(r.outcome, r.outcome),
            why=r.error,
            cost=usd(r.cost_usd),
        )
        for r in await ledger.recent_requests(db, me.user_id)
    ]


async def load_usage(db: Database, me: Principal) -> UsageView:
    return usage_view(await ledger.usage_summary(db, me.user_id))


def usage_view(summary: UsageSummary) -> UsageView:
    budget = summary.budget_usd
    return UsageView(
        month=datetime.strptime(summary.month, "%Y-%m").strftime("%B %Y"),
        spend=usd(summary.spend_usd),
        premium=usd(summary.premium_usd),
        saving=usd(summary.saving_usd),
        budget=None if budget is None else usd(budget),
        budget_percent=None if budget is None else _percent(summary.spend_usd, budget),
        over_budget_note=_OVER_BUDGET_NOTES[summary.over_budget] if summary.budget_spent else None,
        rows=[_row(spend) for spend in summary.by_provider],
    )


def usd(amount: float) -> str:
    """Dollars and cents; a fraction of a cent keeps two significant digits, so a chat's cost is not "$0.00"."""
    if amount == 0 or amount >= 0.01:
        return f"${amount:,.2f}"
    digits = 1 - math.floor(math.log10(amount))
    return f"${amount:.{digits}f}"


def provider_name(provider_id: str) -> str:
    found = manifests().get(provider_id)
    return found.name if found else provider_id


def _percent(spend: float, budget: float) -> int:
    if budget <= 0:
        return 100
    return min(100, round(spend / budget * 100))


def _row(spend: ProviderSpend) -> SpendRow:
    return SpendRow(
        provider=provider_name(spend.provider),
        requests=spend.requests,
        input_tokens=spend.input_tokens,
        output_tokens=spend.output_tokens,
        cost=usd(spend.cost_usd),
    )


pages = [usage_page]
fragments = [usage_fragment]
