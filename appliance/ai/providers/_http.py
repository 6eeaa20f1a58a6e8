"""The one HTTP client the cloud providers share: retries, error mapping, JSON and SSE.

Vendor failures become Atom's provider errors here and nowhere else:

    401, 403 (or a vendor's own "bad key" reply)  -> KeyRejected
    429                                            -> RateLimited(retry_after)
    408, 5xx, timeouts, connection errors          -> ProviderUnavailable (retried first)
    3xx                                            -> AddressRefused (redirects are not followed)
    any other 4xx                                  -> ProviderRequestError

The messages are Atom's own words and the status: a reply's body never reaches the member,
since the server at a base URL could be any page (a router's login, a NAS's error page).
Connections go through `appliance.ai.outbound`, so they reach only the addresses the
config's `targets` allow. Retries happen only before the first byte of a reply is read; a
stream that breaks after text was yielded raises ProviderUnavailable and is never replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import msgspec

from appliance.ai.outbound import GuardedAsyncTransport
from appliance.ai.providers._sse import SseEvent, sse_events
from appliance.ai.providers.base import ProviderConfig
from appliance.errors import (
    AddressRefused,
    InvalidInput,
    KeyRejected,
    ProviderError,
    ProviderRequestError,
    ProviderUnavailable,
    RateLimited,
)

__all__ = ["RetryPolicy", "VendorError", "ProviderHttp", "HttpProvider"]

_log = logging.getLogger(__name__)
T = TypeVar("T")
Params = Mapping[str, str] | None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How hard a provider tries before the router takes over (and falls back)."""

    attempts: int = 3  # tries in all, for 5xx, timeouts and connection errors
    first_delay: float = 0.5  # seconds before the second try; doubles after that
    max_delay: float = 4.0
    short_wait: float = 1.0  # a 429 asking for at most this long is waited out, once
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests pass a fake clock

    def delay_before_retry(self, error: ProviderError, attempt: int, waited_out_429: bool) -> float | None:
        """Seconds to wait before trying again, or None to give up now."""
        if isinstance(error, RateLimited):
            wait = error.retry_after
            short = wait is not None and wait <= self.short_wait and not waited_out_429
            return wait if short else None
        if isinstance(error, ProviderUnavailable) and attempt < self.attempts:
            return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)
        return None


class VendorError(msgspec.Struct, frozen=True):
    """The error object the vendors send (OpenAI, Azure, Anthropic and Google agree on `message`)."""

    message: str = ""
    type: str | None = None
    code: Any = None
    status: str | None = None  # Google's canonical code, e.g. "INVALID_ARGUMENT"
    details: list[dict[str, Any]] = []  # Google's ErrorInfo / RetryInfo


class _ErrorBody(msgspec.Struct, frozen=True):
    error: VendorError | str | None = None  # some LAN servers send {"error": "text"}


KeyCheck = Callable[[int, VendorError], bool]


class ProviderHttp:
    """An httpx client bound to one provider's address, headers and retry policy."""

    def __init__(
        self,
        config: ProviderConfig,
        *,
        headers: Mapping[str, str],
        params: Params = None,
        retry: RetryPolicy | None = None,
        rejects_key: KeyCheck | None = None,
    ) -> None:
        if not config.base_url:
            raise InvalidInput(f"The {config.kind} provider needs a base URL.")
        self.kind = config.kind
        self.base_url = config.base_url
        self._targets = config.targets
        self._timeout = config.timeout_seconds
        self._retry = retry or RetryPolicy()
        self._rejects_key = rejects_key or (lambda status, error: False)
        self._headers = dict(headers)
        self._params = params
        self._client: httpx.AsyncClient | None = None  # made on first use (see _ready_client)

    def __repr__(self) -> str:
        return f"ProviderHttp(kind={self.kind!r}, base_url={self.base_url!r})"

    async def get(self, path: str, into: type[T], params: Params = None) -> T:
        response = await self._send(lambda client: client.build_request("GET", path, params=params), stream=False)
        return self.decode(response.content, into)

    async def post(self, path: str, body: msgspec.Struct, into: type[T], params: Params = None) -> T:
        response = await self._send(lambda client: _json_request(client, path, body, params), stream=False)
        return self.decode(response.content, into)

    @contextlib.asynccontextmanager
    async def events(
        self, path: str, body: msgspec.Struct, params: Params = None
    ) -> AsyncIterator[AsyncIterator[SseEvent]]:
        """POST `body` and read the reply as server-sent events, as they arrive."""
        response = await self._send(lambda client: _json_request(client, path, body, params), stream=True)
        try:
            async with contextlib.aclosing(sse_events(self._lines(response))) as events:
                yield events
        finally:
            await response.aclose()

    def decode(self, data: bytes | str, into: type[T]) -> T:
        try:
            return msgspec.json.decode(data, type=into)
        except msgspec.DecodeError as exc:  # includes ValidationError
            raise ProviderUnavailable(f"{self.kind}: sent a reply Atom cannot read ({exc})", self.kind) from exc

    def error(
        self,
        status: int,
        *,
        reason: str = "",
        retry_after: float | None = None,
        key_rejected: bool = False,
        in_stream: bool = False,
    ) -> ProviderError:
        """The Atom error for a vendor failure, in Atom's words (`reason`, or what `status` means).

        `status` may be one a vendor's in-stream error type stands for (`in_stream`)."""
        meaning = reason or _meaning(401 if key_rejected else status)
        said = f"{meaning} ({'in the reply stream' if in_stream else f'HTTP {status}'})"
        if key_rejected or status in (401, 403):
            return KeyRejected(f"{self.kind}: key rejected: {said}", self.kind)
        if status == 429:
            return RateLimited(f"{self.kind}: rate limited: {said}", self.kind, retry_after=retry_after)
        if status == 408 or status >= 500:
            return ProviderUnavailable(f"{self.kind}: unavailable: {said}", self.kind)
        return ProviderRequestError(f"{self.kind}: request refused: {said}", self.kind)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # --- sending, with retries -------------------------------------------------

    async def _ready_client(self) -> httpx.AsyncClient:
        if self._client is None:
            tls = await asyncio.to_thread(_tls_context)  # reads the CA bundle from disk, once per process
            self._client = self._client or self._new_client(tls)  # another request may have made it meanwhile
        return self._client

    def _new_client(self, tls: ssl.SSLContext) -> httpx.AsyncClient:
        timeout = httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0))
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers=self._headers,
            params=self._params,
            timeout=timeout,
            transport=GuardedAsyncTransport(self._targets, tls),
            trust_env=False,  # no proxies from the environment, no .netrc credentials
        )

    async def _send(self, build: Callable[[httpx.AsyncClient], httpx.Request], *, stream: bool) -> httpx.Response:
        client = await self._ready_client()
        attempt, waited_out_429 = 0, False
        while True:
            attempt += 1
            try:
                return await self._send_once(client, build(client), stream)
            except ProviderError as exc:
                delay = self._retry.delay_before_retry(exc, attempt, waited_out_429)
                if delay is None:
                    raise
                waited_out_429 |= isinstance(exc, RateLimited)
                _log.warning("%s; trying again in %.1fs", exc, delay, extra={"provider": self.kind})
                await self._retry.sleep(delay)

    async def _send_once(self, client: httpx.AsyncClient, request: httpx.Request, stream: bool) -> httpx.Response:
        try:
            response = await client.send(request, stream=stream)
        except httpx.LocalProtocolError:  # only headers can be malformed, and only the key is typed by people
            raise self.error(401, reason="the key holds characters that cannot be sent", key_rejected=True) from None
        except httpx.TimeoutException as exc:
            raise self._timed_out() from exc
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from exc
        if response.is_success:
            return response
        body = await _read_quietly(response)
        if response.is_redirect:
            raise self._redirected(response.status_code)
        raise self._error_for(response, body)

    def _error_for(self, response: httpx.Response, body: bytes) -> ProviderError:
        """Read only for what Atom decides by (a bad-key marker, how long to wait), never quoted."""
        parsed = _parse_error(body)
        vendor = parsed.error if isinstance(parsed.error, VendorError) else VendorError()
        status = response.status_code
        return self.error(
            status, retry_after=_retry_after(response.headers, vendor), key_rejected=self._rejects_key(status, vendor)
        )

    def _redirected(self, status: int) -> AddressRefused:
        """Following would connect somewhere the base URL did not say; the member fixes the address."""
        return AddressRefused(
            f"{self.kind}: the server at {self._host()} answered with a redirect (HTTP {status}); "
            "Atom does not follow redirects, so give the final address as the base URL"
        )

    async def _lines(self, response: httpx.Response) -> AsyncIterator[str]:
        try:
            async for line in response.aiter_lines():
                yield line
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"{self.kind}: the reply stalled for over {self._timeout:g}s", self.kind) from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{self.kind}: the reply was cut off ({type(exc).__name__})", self.kind) from exc

    def _timed_out(self) -> ProviderUnavailable:
        return ProviderUnavailable(f"{self.kind}: no answer from {self._host()} within {self._timeout:g}s", self.kind)

    def _unreachable(self, exc: Exception) -> ProviderUnavailable:
        return ProviderUnavailable(f"{self.kind}: could not reach {self._host()} ({type(exc).__name__})", self.kind)

    def _host(self) -> str:
        return httpx.URL(self.base_url).netloc.decode("ascii", "replace")


class HttpProvider:
    """What every HTTP provider shares: its kind, its client, closing, a repr without the key."""

    def __init__(self, http: ProviderHttp) -> None:
        self.kind = http.kind
        self._http = http

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, base_url={self._http.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One context for every provider: loading the CA bundle takes tens of ms (more on a Pi)."""
    return httpx.create_ssl_context()  # what httpx would build per client (certifi's bundle)


def _json_request(client: httpx.AsyncClient, path: str, body: msgspec.Struct, params: Params) -> httpx.Request:
    content = msgspec.json.encode(body)
    return client.build_request(
        "POST", path, content=content, headers={"content-type": "application/json"}, params=params
    )


# --- reading error replies -----------------------------------------------------


async def _read_quietly(response: httpx.Response) -> bytes:
    """The error body if it can be had; the status alone decides what happens next."""
    try:
        return await response.aread()
    except httpx.HTTPError:
        return b""
    finally:
        await response.aclose()


def _parse_error(body: bytes) -> _ErrorBody:
    try:
        return msgspec.json.decode(body, type=_ErrorBody)
    except msgspec.DecodeError:
        return _ErrorBody()


def _meaning(status: int) -> str:
    """What a status says, in Atom's words."""
    if status in (401, 403):
        return "the server refused the key"
    if status == 429:
        return "the server asks Atom to slow down"
    if status == 408 or status == 504:
        return "the server took too long"
    if status >= 500:
        return "the server had a problem"
    if status == 404:
        return "the server has no such model or address"
    if status == 413:
        return "the request is too large for the server"
    return "the server did not accept the request"


def _retry_after(headers: httpx.Headers, vendor: VendorError) -> float | None:
    """Seconds to wait: `retry-after-ms` (OpenAI, Azure), `retry-after`, or Google's RetryInfo."""
    if (millis := _number(headers.get("retry-after-ms"))) is not None:
        return millis / 1000
    if (value := headers.get("retry-after")) is not None:
        seconds = _number(value)  # delay-seconds, or else an HTTP date
        return seconds if seconds is not None else _seconds_until(value)
    delays = [d.get("retryDelay") for d in vendor.details if str(d.get("@type", "")).endswith("RetryInfo")]
    return _number(str(delays[0]).removesuffix("s")) if delays else None


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def _seconds_until(http_date: str) -> float | None:
    try:
        return max(parsedate_to_datetime(http_date).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
