"""The shared HTTP layer: every vendor failure becomes the right Atom error, once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.registry import create_provider
from appliance.errors import KeyRejected, ProviderRequestError, ProviderUnavailable, RateLimited
from tests.ai.helpers import FakeSleep, chat, collect, config_for
from tests.fakes import LoopbackServer, Recorded, Reply
from tests.fakes.vendor import sse

pytestmark = pytest.mark.anyio


class Canned:
    """A bare loopback server answering with its replies in turn (the last one repeats)."""

    key = "sk-canned-key-123456"

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.server = LoopbackServer(self.answer).start()
        self.base_url = self.server.url

    def answer(self, request: Recorded) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


MakeCanned = Callable[..., Canned]


@pytest.fixture
def canned() -> Iterator[MakeCanned]:
    made: list[Canned] = []

    def make(*replies: Reply) -> Canned:
        made.append(Canned(*replies))
        return made[-1]

    yield make
    for server in made:
        server.server.stop()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ProviderRequestError),
        (401, KeyRejected),
        (403, KeyRejected),
        (404, ProviderRequestError),
        (408, ProviderUnavailable),
        (422, ProviderRequestError),
        (429, RateLimited),
        (500, ProviderUnavailable),
        (502, ProviderUnavailable),
        (503, ProviderUnavailable),
        (504, ProviderUnavailable),
        (529, ProviderUnavailable),
    ],
)
async def test_each_status_maps_to_one_error(
    canned: MakeCanned, retry: RetryPolicy, status: int, error: type[Exception]
) -> None:
    server = canned(Reply(status=status, body={"error": {"message": "vendor says no"}}))
    provider = create_provider(config_for("openai", server), retry=retry)
    with pytest.raises(error, match=rf"\(HTTP {status}\)$") as caught:
        await provider.list_models()
    await provider.aclose()
    assert type(caught.value) is error and "vendor says no" not in str(caught.value)


async def test_an_html_error_page_is_never_quoted(canned: MakeCanned, retry: RetryPolicy) -> None:
    page = b"<html><body><h1>Router login</h1><p>admin password hint: tulip</p></body></html>"
    server = canned(Reply(status=401, body=page))
    provider = create_provider(config_for("openai_compatible", server), retry=retry)
    with pytest.raises(KeyRejected) as caught:
        await provider.list_models()
    await provider.aclose()
    assert str(caught.value) == "openai_compatible: key rejected: the server refused the key (HTTP 401)"


async def test_retry_after_may_be_an_http_date(canned: MakeCanned, retry: RetryPolicy) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server = canned(Reply(status=429, body={"error": {"message": "slow down"}}, headers={"retry-after": when}))
    provider = create_provider(config_for("openai", server), retry=retry)
    with pytest.raises(RateLimited) as caught:
        await provider.list_models()
    await provider.aclose()
    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 30


async def test_a_429_without_any_wait_has_no_retry_after(
    canned: MakeCanned, retry: RetryPolicy, sleep: FakeSleep
) -> None:
    server = canned(Reply(status=429, body={"error": "busy"}))  # some LAN servers send a bare string
    provider = create_provider(config_for("openai_compatible", server), retry=retry)
    with pytest.raises(RateLimited, match=r"rate limited: .* \(HTTP 429\)") as caught:
        await provider.list_models()
    await provider.aclose()
    assert caught.value.retry_after is None and sleep.waits == []


async def test_a_reply_that_is_not_the_vendors_shape_is_unavailable(canned: MakeCanned, retry: RetryPolicy) -> None:
    server = canned(Reply(body={"data": "not a list"}))
    provider = create_provider(config_for("openai", server), retry=retry)
    with pytest.raises(ProviderUnavailable, match="cannot read"):
        await provider.list_models()
    await provider.aclose()


async def test_a_stream_that_stops_before_it_finishes_is_unavailable(canned: MakeCanned, retry: RetryPolicy) -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}]}
    server = canned(Reply(frames=[sse(chunk)]))  # no finish_reason, no [DONE]
    provider = create_provider(config_for("openai", server), retry=retry)
    stream = provider.stream(chat("gpt-4o-mini", "Hi"))
    assert (await anext(stream)).text == "Hel"
    with pytest.raises(ProviderUnavailable, match="ended before it was finished"):
        await collect(stream)
    await provider.aclose()


async def test_a_rate_limit_reported_inside_a_stream_reads_rate_limited(canned: MakeCanned, retry: RetryPolicy) -> None:
    error = {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}
    server = canned(Reply(frames=[sse(error)]))
    provider = create_provider(config_for("openai", server), retry=retry)
    with pytest.raises(RateLimited, match=r"rate limited: .* \(in the reply stream\)") as caught:
        await collect(provider.stream(chat("gpt-4o-mini", "Hi")))
    assert "Rate limit reached" not in str(caught.value)
    await provider.aclose()


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(attempts=6, first_delay=1.0, max_delay=5.0)
    down = ProviderUnavailable("down")
    assert [policy.delay_before_retry(down, n, False) for n in range(1, 7)] == [1.0, 2.0, 4.0, 5.0, 5.0, None]


def test_only_a_short_429_is_waited_out_and_only_once() -> None:
    policy = RetryPolicy(short_wait=1.0)
    assert policy.delay_before_retry(RateLimited("x", retry_after=0.4), 1, False) == 0.4
    assert policy.delay_before_retry(RateLimited("x", retry_after=0.4), 2, True) is None
    assert policy.delay_before_retry(RateLimited("x", retry_after=1.5), 1, False) is None
    assert policy.delay_before_retry(RateLimited("x", retry_after=None), 1, False) is None
    assert policy.delay_before_retry(KeyRejected("x"), 1, False) is None
    assert policy.delay_before_retry(ProviderRequestError("x"), 1, False) is None
