"""The one HTTP client connectors use: the service's fixed addresses, guarded connections,
a per-connection budget, Retry-After and backoff, and the service's failures in Atom's tree.

    401 (after the grant's one refresh)            -> SignInNeeded
    what the connector's `rate_limited` says is
      one (Google's 403 rateLimitExceeded,
      GitHub's 403 x-ratelimit-remaining: 0)       -> waited out when short (the seconds it read,
                                                      else Retry-After, else backoff), else ServiceBusy
    429, 503 with Retry-After                      -> waited out when short (Retry-After, else a
                                                      minute), else ServiceBusy
    5xx, timeouts, connection errors               -> retried with backoff, then ServiceFailed
    3xx, other 4xx                                 -> ServiceFailed (redirects are not followed,
                                                      but one to a `follow_to` address, once,
                                                      without the sign-in: Box's downloads)

Requests name where they go as `address:path` (`api:/issues`) against the manifest's
`[urls]`; an absolute URL (a `Link: rel="next"`) must be on one of those same addresses, so
a service's answer cannot send Atom elsewhere. Connections go through
`appliance.ai.outbound`: a member's connection reaches servers on the internet only.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from appliance.connectors.budget import Budgets
from appliance.connectors.manifest import RateLimit
from appliance.errors import AddressRefused, ServiceBusy, ServiceFailed, SignInNeeded

__all__ = ["HttpPolicy", "ServiceHttp"]

Sleep = Callable[[float], Awaitable[None]]
_LONGEST_SAID = 86_400.0  # a service asking for more than a day is read as a day
# A connector's own reading of "slow down": False when not one, True to wait per Retry-After
# (else backoff), or the seconds the service's own headers say to wait.
RateReader = Callable[[httpx.Response], bool | float]
"""A connector's own reading of its service's answers: True for one that says "slow down"."""


@dataclass(frozen=True, kw_only=True)
class HttpPolicy:
    """How patient a connection is; tests swap `sleep`."""

    attempts: int = 3  # tries for 5xx, timeouts and connection errors, and for short rate limits
    first_delay: float = 1.0  # seconds before the second try; doubles after
    longest_wait: float = 30.0  # a Retry-After up to this is waited out; longer ends the sync (cursor kept)
    timeout: float = 30.0
    sleep: Sleep = asyncio.sleep


class ServiceHttp:
    def __init__(
        self,
        *,
        title: str,
        urls: Mapping[str, str],
        transport: httpx.AsyncBaseTransport,
        budget: tuple[Budgets, str, RateLimit],
        policy: HttpPolicy,
        auth: httpx.Auth | None = None,
        follow_to: Sequence[str] = (),
        rate_limited: RateReader | None = None,
    ) -> None:
        self._title = title
        self._urls = dict(urls)
        self._follow_to = tuple(follow_to)
        self._budgets, self._budget_key, self._limit = budget
        self._policy = policy
        self._rate_limited = rate_limited
        self._client = httpx.AsyncClient(
            transport=transport, auth=auth, timeout=policy.timeout, follow_redirects=False, trust_env=False
        )

    async def json(self, method: str, where: str, **kwargs: Any) -> Any:
        response = await self.request(method, where, **kwargs)
        try:
            return response.json() if response.content else None
        except ValueError:
            raise ServiceFailed(f"{self._title} answered with something that is not JSON") from None

    async def request(self, method: str, where: str, *, moved_ok: bool = False, **kwargs: Any) -> httpx.Response:
        """The service's answer to one request (2xx or 4xx the caller reads), after waits and retries.
        `moved_ok`: a 3xx comes back unfollowed for the caller to read (GitHub's 301 for a
        transferred issue) instead of failing."""
        response = await self._attempts(method, self.url(where), **kwargs)
        target = self._redirect_target(response)
        if target is not None:  # a pre-signed download address: the member's token stays with the service
            response = await self._attempts("GET", target, auth=None)
        return response if moved_ok and 300 <= response.status_code < 400 else self._checked(response)

    async def _attempts(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(1, self._policy.attempts + 1):
            self._budgets.take(self._budget_key, self._limit)
            response = await self._send(method, url, attempt, **kwargs)
            if response is None:
                continue
            wait = self._rate_wait(response, self._policy.first_delay * 2 ** (attempt - 1))
            if wait is None and response.status_code < 500:
                return response
            await self._wait_or_give_up(response, wait, attempt)
        raise ServiceFailed(f"{self._title} kept failing; Atom will try again at the next sync")

    def _rate_wait(self, response: httpx.Response, backoff: float) -> float | None:
        """Seconds to wait when this answer is a rate limit (the connector's reading first), else None."""
        said = self._rate_limited(response) if self._rate_limited is not None else False
        if said is False:
            return _rate_limited(response)
        if said is True:
            return _retry_after(response.headers["retry-after"]) if "retry-after" in response.headers else backoff
        return _bounded(said)

    def url(self, where: str) -> str:
        """`api:/path` as a URL on the service's own address; an absolute URL only on one of them."""
        if "://" in where:
            if not any(_same_origin(where, base) for base in self._urls.values()):
                raise AddressRefused(f"{self._title} pointed Atom at an address that is not its own")
            return where
        name, _, path = where.partition(":")
        if name not in self._urls:
            raise ValueError(f"{self._title} has no address named {name!r}")
        return self._urls[name].rstrip("/") + path

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, method: str, url: str, attempt: int, **kwargs: Any) -> httpx.Response | None:
        try:
            return await self._client.request(method, url, **kwargs)
        except httpx.InvalidURL:  # httpx reads a redirect's Location even when not following it
            raise ServiceFailed(f"{self._title} answered with a redirect, which Atom does not follow") from None
        except httpx.TransportError:
            if attempt == self._policy.attempts:
                raise ServiceFailed(f"{self._title} could not be reached; Atom will try again later") from None
            await self._policy.sleep(self._policy.first_delay * 2 ** (attempt - 1))
            return None

    async def _wait_or_give_up(self, response: httpx.Response, wait: float | None, attempt: int) -> None:
        if wait is not None and (wait > self._policy.longest_wait or attempt == self._policy.attempts):
            raise ServiceBusy(f"{self._title} asked Atom to slow down", retry_after=wait)
        if wait is None and attempt == self._policy.attempts:
            raise ServiceFailed(f"{self._title} answered {response.status_code}; Atom will try again later")
        await self._policy.sleep(wait if wait is not None else self._policy.first_delay * 2 ** (attempt - 1))

    def _redirect_target(self, response: httpx.Response) -> str | None:
        """Where a redirect goes, when that is exactly one of the manifest's `follow_to` addresses."""
        location = response.headers.get("location", "")
        if not (response.is_redirect and "://" in location):
            return None
        try:
            return location if any(_same_origin(location, base) for base in self._follow_to) else None
        except httpx.InvalidURL:
            return None

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code == 401:
            raise SignInNeeded(f"{self._title} no longer accepts Atom's sign-in")
        if 300 <= response.status_code < 400:
            raise ServiceFailed(f"{self._title} answered with a redirect, which Atom does not follow")
        return response


def _rate_limited(response: httpx.Response) -> float | None:
    """Seconds the service asked to wait, or None when this is not a rate limit every service shares."""
    status, headers = response.status_code, response.headers
    if status == 429 or (status == 503 and "retry-after" in headers):
        return _retry_after(headers.get("retry-after"))
    return None


def _retry_after(value: str | None) -> float:
    """Retry-After as seconds (RFC 9110: a number or an HTTP date); a minute when absent or unreadable."""
    if value is None:
        return 60.0
    try:
        return _bounded(float(value))
    except ValueError:
        pass
    try:
        return _bounded(parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 60.0


def _bounded(seconds: float) -> float:
    """A service's wait as a usable number: "inf" or "nan" read as a minute, and never past a day."""
    return min(max(0.0, seconds), _LONGEST_SAID) if math.isfinite(seconds) else 60.0


def _same_origin(url: str, base: str) -> bool:
    a, b = httpx.URL(url), httpx.URL(base)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)
