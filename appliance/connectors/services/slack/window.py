"""Slack's `ts` values as Atom orders and compares them, and the week whose edits are followed."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from appliance import clock

__all__ = ["RECHECK", "order", "now_ts", "ago", "recent", "start"]

# How long after it was posted a message's edits and deletion are followed: each run reads this
# much of every channel again (a household channel's week is a page or two of 100 messages).
RECHECK = timedelta(days=7)


def order(ts: str) -> Decimal:
    """A `ts` as Slack orders them (exactly: a float would round its microseconds)."""
    try:
        found = Decimal(ts)
    except InvalidOperation:
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


def now_ts() -> str:
    return ago(timedelta(0))


def ago(span: timedelta) -> str:
    """The `ts` of `span` before now."""
    return f"{clock.now().replace(tzinfo=UTC).timestamp() - span.total_seconds():.6f}"


def recent(ts: str) -> bool:
    """Whether `ts` is within the last `RECHECK`."""
    return order(ts) > order(ago(RECHECK))


def start(oldest: str | None) -> str | None:
    """Where a run reads from: `RECHECK` ago, or `oldest` when that is earlier; None (everything)
    the first time."""
    if oldest is None:
        return None
    return min(oldest, ago(RECHECK), key=order)
