"""What Google's APIs (Calendar, Drive) answer alike: how they say "slow down".

Google's usage limits answer 429 with `error.status` RESOURCE_EXHAUSTED, or 403 with
`error.errors[].reason` rateLimitExceeded / userRateLimitExceeded (the same status as a real
permission refusal, told apart only by the body). Both are rate limits: waited out or retried
later with the cursor kept, never taken for a refused permission or a lost sign-in.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["rate_limited"]

_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def rate_limited(response: httpx.Response) -> bool:
    """Whether this answer is one of Google's rate limits (the connector's `rate_limited` hook)."""
    if response.status_code not in (403, 429):
        return False
    error = _error(response)
    if response.status_code == 429:
        return error.get("status") == "RESOURCE_EXHAUSTED" or _has_rate_reason(error)
    return _has_rate_reason(error)


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError, httpx.ResponseNotRead):
        return {}
    return error if isinstance(error, dict) else {}


def _has_rate_reason(error: dict[str, Any]) -> bool:
    errors = error.get("errors")
    return isinstance(errors, list) and any(isinstance(e, dict) and e.get("reason") in _RATE_REASONS for e in errors)
