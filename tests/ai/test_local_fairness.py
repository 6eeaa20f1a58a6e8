"""The local model is shared fairly, with the real SmolLM2-135M: members take turns, limits answer 429
with Retry-After on every chat route, and a client that hangs up (waiting, streaming or not) stops
its request and frees the model for the next one.

Over HTTP the household allows one request per member and one waiting in all
(`ai.local_per_member = 1`, `ai.local_queue = 1`). A member "holds" the model by streaming a long
reply (about 1,400 tokens at temperature 0) and reading only its first words.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import httpx
import msgspec
import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.ai.providers.base import ChatChunk, ProviderConfig
from appliance.ai.providers.local.provider import LocalChatProvider
from appliance.ai.providers.registry import create_provider
from appliance.caches import model_cache
from appliance.runtime import Runtime
from appliance.settings import Settings
from tests.ai.helpers import chat
from tests.conftest import add_member, second_client, sign_in
from tests.processes import wait_for

pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")
pytestmark = pytest.mark.timeout(240)

CACHE = model_cache()
DRAGON = "Write a long story about a dragon who loves the sea."  # ~1,400 tokens at temperature 0
LONG = 1500
STOPPED = re.compile(r"local reply stopped after (\d+) tokens")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, with one thread and the tightest limits."""
    ai = msgspec.structs.replace(settings.ai, threads=1, local_per_member=1, local_queue=1)
    return msgspec.structs.replace(settings, ai=ai)


# --- members taking turns, on the provider itself -----------------------------------------


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.getbasetemp() / "smollm2-data"  # shared with the other model tests
    install_model(data, load_manifest().get("smollm2"), CACHE)
    return data


@pytest.mark.anyio
async def test_a_member_who_queued_many_takes_turns_with_one_who_asks_once(model_dir: Path) -> None:
    options = {"data_dir": str(model_dir), "threads": "1", "per_member": "6", "queue": "8"}
    local = cast(LocalChatProvider, create_provider(ProviderConfig(kind="local", options=options)))
    started: list[str] = []

    async def ask(name: str, member: str) -> None:
        async for _ in local.stream(chat("smollm2", "Say hello.", max_tokens=3, temperature=0.0, member=member)):
            if name not in started:
                started.append(name)

    holding = cast(
        AsyncGenerator[ChatChunk, None], local.stream(chat("smollm2", DRAGON, max_tokens=LONG, member="ann"))
    )
    assert (await anext(holding)).text  # ann's first request is generating
    tasks = [asyncio.create_task(ask(f"ann{i}", "ann")) for i in range(1, 5)]
    await _until(lambda: local.waiting == 4)
    tasks.append(asyncio.create_task(ask("bob", "bob")))
    await _until(lambda: local.waiting == 5)
    await holding.aclose()
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    await local.aclose()
    assert started == ["bob", "ann1", "ann2", "ann3", "ann4"]  # bob waited one turn, not four


async def _until(condition: Callable[[], bool], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the queue never reached the expected state"
        await asyncio.sleep(0.01)


# --- over HTTP: 429s, hang-ups ---------------------------------------------------------------


class House:
    """Atom over real HTTP with the local model and three members holding API tokens."""

    def __init__(self, url: str, runtime: Runtime, tokens: dict[str, str]) -> None:
        self.url, self.runtime, self.tokens = url, runtime, tokens

    def headers(self, member: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[member]}"}

    def ask(self, member: str, max_tokens: int = 3, stream: bool = False) -> httpx.Response:
        body = _body("Say hello.", max_tokens, stream)
        return httpx.post(f"{self.url}/v1/chat/completions", json=body, headers=self.headers(member), timeout=120)

    @property
    def local(self) -> LocalChatProvider:
        """The gateway's local provider, to watch its queue (created by the first local request)."""
        return self.runtime.ai._local  # type: ignore[return-value]

    @contextmanager
    def holding_the_model(self, member: str) -> Iterator[None]:
        """`member` streams a long reply and reads its first words; leaving the block hangs up."""
        url = f"{self.url}/v1/chat/completions"
        body = _body(DRAGON, LONG, stream=True)
        with httpx.stream("POST", url, json=body, headers=self.headers(member), timeout=60) as response:
            assert response.status_code == 200, response.read()
            lines = response.iter_lines()  # kept: dropping it would close the connection
            assert any(_has_words(line) for line in lines)
            yield

    def cancellations(self, caplog: pytest.LogCaptureFixture) -> list[int]:
        """Tokens each generation had made when the provider saw its reader had gone."""
        return [int(m[1]) for r in caplog.records if (m := STOPPED.search(r.getMessage()))]

    def ledger(self, member: str) -> list[str]:
        user = self.runtime.db.read_sync(
            lambda c: c.execute("SELECT id FROM users WHERE username = ?", [member]).fetchone()[0]
        )
        rows = self.runtime.db.read_sync(
            lambda c: c.execute("SELECT outcome FROM ai_usage WHERE user_id = ? ORDER BY created_at", [user]).fetchall()
        )
        return [outcome for (outcome,) in rows]


@pytest.fixture
def house(ai_admin: TestClient, runtime: Runtime, live_url: str) -> House:
    install_model(runtime.settings.data_dir, load_manifest().get("smollm2"), CACHE)
    tokens = {"admin": _token(ai_admin)}
    for name in ("bob", "cy"):
        add_member(ai_admin, name, f"{name}'s password")
        with second_client(runtime) as member:
            tokens[name] = _token(sign_in(member, name, f"{name}'s password"))
    house = House(live_url, runtime, tokens)
    assert house.ask("admin", max_tokens=1).status_code == 200  # loads the model
    return house


def test_a_member_over_their_limit_gets_429_with_retry_after_on_every_chat_route(house: House) -> None:
    chat_id = httpx.post(f"{house.url}/api/chat/conversations", json={}, headers=house.headers("admin")).json()["id"]
    with house.holding_the_model("admin"):
        refusals = [
            house.ask("admin"),
            house.ask("admin", stream=True),
            httpx.post(
                f"{house.url}/api/chat/conversations/{chat_id}/messages",
                json={"content": "Hello?", "model": "local/smollm2"},
                headers=house.headers("admin"),
            ),
        ]
    for refused in refusals:
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
    assert "already have 1 request" in refusals[0].json()["error"]["message"]  # OpenAI's error shape
    assert "already have 1 request" in refusals[2].json()["detail"]
    kept = httpx.get(f"{house.url}/api/chat/conversations/{chat_id}", headers=house.headers("admin")).json()
    assert kept["messages"] == []  # a refused message is not kept: asking again does not repeat it
    wait_for(lambda: not house.local.busy)  # the hang-up gives the model back, at the thread's next token
    assert house.ask("admin").status_code == 200


def test_when_the_waiting_room_is_full_the_next_member_gets_429(house: House) -> None:
    with ThreadPoolExecutor(2) as pool, house.holding_the_model("admin"):
        asked = [pool.submit(house.ask, "bob"), pool.submit(house.ask, "cy")]
        done, _ = wait(asked, timeout=60, return_when=FIRST_COMPLETED)
        [refused] = [f.result() for f in done]
        assert refused.status_code == 429 and "1 request(s) are waiting" in refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert house.local.waiting == 1  # the other one waits for its turn
    [waited] = [f.result(timeout=120) for f in asked if f not in done]
    assert waited.status_code == 200 and waited.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("route", ["/v1/chat/completions", "/api/chat/conversations/{id}/messages"])
def test_a_waiting_client_that_hangs_up_leaves_the_queue(house: House, route: str) -> None:
    if "{id}" in route:
        chat_id = httpx.post(f"{house.url}/api/chat/conversations", json={}, headers=house.headers("bob")).json()["id"]
        path, body = route.format(id=chat_id), {"content": "Say hello.", "model": "local/smollm2", "max_tokens": 3}
    else:
        path, body = route, _body("Say hello.", 3, stream=False)
    with ThreadPoolExecutor(1) as pool, house.holding_the_model("admin"):
        bob = _send_raw(house, "bob", body, path)
        wait_for(lambda: house.local.waiting == 1)
        bob.close()
        wait_for(lambda: house.local.waiting == 0)  # bob left: the one waiting place is free again
        cy = pool.submit(house.ask, "cy")  # admitted to wait, where a full room would refuse it
        wait_for(lambda: house.local.waiting == 1 or cy.done())
    assert cy.result(timeout=120).status_code == 200
    assert house.ledger("bob") == ["cancelled"]
    if "{id}" in route:  # nothing was said: nothing is kept
        kept = httpx.get(f"{house.url}/api/chat/conversations/{chat_id}", headers=house.headers("bob")).json()
        assert kept["messages"] == []


def test_a_non_streaming_client_that_hangs_up_stops_its_generation(
    house: House, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance.ai.providers.local.provider")
    wait_for(lambda: not house.local.busy)
    with ThreadPoolExecutor(1) as pool:
        admin = _send_raw(house, "admin", _body(DRAGON, LONG, stream=False), "/v1/chat/completions")
        wait_for(lambda: house.local.busy)
        bob = pool.submit(house.ask, "bob")
        wait_for(lambda: house.local.waiting == 1)  # bob waits behind the long reply
        admin.close()
        assert bob.result(timeout=120).status_code == 200  # bob's turn came ...
    [made] = house.cancellations(caplog)
    assert made < LONG  # ... because the abandoned generation stopped, not because it ran out
    assert house.ledger("admin")[-1] == "cancelled"


def test_a_streaming_client_that_hangs_up_mid_reply_frees_the_model(
    house: House, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance.ai.providers.local.provider")
    with ThreadPoolExecutor(1) as pool:
        with house.holding_the_model("admin"):
            bob = pool.submit(house.ask, "bob", 3, True)
            wait_for(lambda: house.local.waiting == 1)
        streamed = bob.result(timeout=120)
    assert streamed.status_code == 200 and streamed.text.endswith("data: [DONE]\n\n")
    [made] = house.cancellations(caplog)
    assert 0 < made < LONG
    assert house.ledger("admin")[-1] == "cancelled"


def _body(prompt: str, max_tokens: int, stream: bool) -> dict[str, Any]:
    messages = [{"role": "user", "content": prompt}]
    return {
        "model": "local/smollm2",
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": stream,
    }


def _has_words(line: str) -> bool:
    return line.startswith("data: {") and '"content":"' in line and '"content":""' not in line


def _token(client: TestClient) -> str:
    response = client.post("/api/tokens", json={"name": "fairness"})
    assert response.status_code == 201, response.text
    return response.json()["secret"]


def _send_raw(house: House, member: str, body: dict[str, Any], path: str) -> socket.socket:
    """POST on a plain socket, to hang up whenever the test says (httpx cannot)."""
    host, port = house.url.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {house.tokens[member]}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(head.encode() + payload)
    return sock
