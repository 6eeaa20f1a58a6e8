"""A household member tries to make Atom call addresses of their choosing, over real HTTP.

Atom serves on a real loopback port here, and that port is its `server.port`: the port the
attacks aim at. A `recorder` plays a service on the household network or on the box (a
loopback server that is not a stand-in for a public one); it must never hear a thing from a
member's key. Vendor fakes and `public` loopback servers stand in for servers on the internet.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.settings import Settings
from tests.ai.conftest import on_a_free_port, with_token
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeLanServer, FakeOpenAI, LoopbackServer, Reply

MODELS = {"object": "list", "data": [{"id": "house-model", "object": "model", "owned_by": "me"}]}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return on_a_free_port(settings)


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    """A service on the household network or this box: answers anyone, records everything."""
    server = LoopbackServer(lambda request: Reply(body=MODELS), public=False).start()
    yield server
    server.stop()


@pytest.fixture
def admin(admin_http: httpx.Client) -> httpx.Client:
    return admin_http


@pytest.fixture
def mallory(ai_admin: TestClient, runtime: Runtime, atom: str) -> Iterator[httpx.Client]:
    """A household member with ideas."""
    add_member(ai_admin, "mallory", "mallory's password")
    with second_client(runtime) as browser:
        sign_in(browser, "mallory", "mallory's password")
        with with_token(atom, browser) as http:
            yield http


def _lan_key(http: httpx.Client, base_url: str, **extra: object) -> httpx.Response:
    body = {"provider": "openai_compatible", "base_url": base_url, "default_model": "house-model", **extra}
    return http.post("/api/ai/keys", json=body)


def _refused(response: httpx.Response, *words: str) -> str:
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert all(word in detail for word in words), detail
    return detail


def test_a_member_key_cannot_name_the_household_network_or_this_box(
    mallory: httpx.Client, recorder: LoopbackServer, atom: str
) -> None:
    port = recorder.address[1]
    aims = [
        f"http://127.0.0.1:{port}/v1",
        f"http://localhost:{port}/v1",  # a name that resolves to loopback
        f"http://[::ffff:127.0.0.1]:{port}/v1",  # loopback inside IPv6
        f"http://2130706433:{port}/v1",  # 127.0.0.1 as one number
        "http://10.0.0.1:11434/v1",
        "http://192.168.1.1/v1",
        "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "http://100.64.0.1/v1",
        "http://[fd00::1]/v1",
        "http://[fe80::1]/v1",
    ]
    for aim in aims:
        _refused(_lan_key(mallory, aim), "Atom will not connect to", "an admin can add it as a household key")
    for nowhere in ("http://0.0.0.0:80/v1", "http://[::]/v1", "http://224.0.0.1/v1"):
        _refused(_lan_key(mallory, nowhere), "no server can be at that address")
    assert mallory.get("/api/ai/keys").json() == [] and recorder.requests == []


def test_no_key_reaches_atom_itself_not_even_an_admins_household_key(
    mallory: httpx.Client, admin: httpx.Client, atom: str
) -> None:
    port = atom.rsplit(":", 1)[1]
    for aim in (f"http://127.0.0.1:{port}/v1", f"http://localhost:{port}/api", f"http://0.0.0.0:{port}/v1"):
        _refused(_lan_key(mallory, aim), "Atom will not connect to")
        _refused(_lan_key(admin, aim, shared=True), "Atom will not connect to")
    _refused(_lan_key(admin, f"http://127.0.0.1:{port}/v1", shared=True), f"that is Atom itself (port {port}")
    assert admin.get("/api/ai/keys").json() == []


def test_a_household_key_may_reach_a_server_in_the_house(admin: httpx.Client, recorder: LoopbackServer) -> None:
    personal = _lan_key(admin, f"{recorder.url}/v1")  # an admin's own key is a member's key
    _refused(personal, "an admin can add it as a household key")
    key = _lan_key(admin, f"{recorder.url}/v1", shared=True)
    assert key.status_code == 201, key.text
    tested = admin.post(f"/api/ai/keys/{key.json()['id']}/test").json()
    said = "Works: OpenAI-compatible server accepted the key; 1 models available."
    assert tested == {"ok": True, "detail": said, "models": ["house-model"]}
    assert [r.path for r in recorder.requests] == ["/v1/models", "/v1/models"]  # tested on save, then by Test


def test_fixed_address_providers_take_no_base_url(mallory: httpx.Client, recorder: LoopbackServer) -> None:
    for provider in ("openai", "anthropic", "gemini", "deepseek"):
        body = {"provider": provider, "api_key": "sk-0123456789abcdef", "base_url": f"{recorder.url}/v1"}
        _refused(mallory.post("/api/ai/keys", json=body), "is always reached at its official address")
    assert mallory.get("/api/ai/keys").json() == [] and recorder.requests == []


def test_a_stored_key_cannot_be_moved_into_the_house(mallory: httpx.Client, recorder: LoopbackServer) -> None:
    with FakeLanServer(key=None) as public:  # stands in for a server on the internet
        key = _lan_key(mallory, public.base_url)
        assert key.status_code == 201, key.text
        moved = mallory.patch(f"/api/ai/keys/{key.json()['id']}", json={"base_url": f"{recorder.url}/v1"})
        _refused(moved, "Atom will not connect to")
        assert mallory.get(f"/api/ai/keys/{key.json()['id']}").json()["base_url"] == public.base_url
    assert recorder.requests == []


def test_a_public_server_redirecting_into_the_house_is_not_followed(
    mallory: httpx.Client, recorder: LoopbackServer
) -> None:
    bounce = LoopbackServer(lambda r: Reply(status=302, headers={"location": f"{recorder.url}{r.path}"})).start()
    try:
        key = _lan_key(mallory, f"{bounce.url}/v1")
        assert key.status_code == 201, key.text
        tested = mallory.post(f"/api/ai/keys/{key.json()['id']}/test")
        _refused(tested, "answered with a redirect (HTTP 302)", "does not follow redirects")
        chat = {"model": "openai_compatible/house-model", "messages": [{"role": "user", "content": "hi"}]}
        asked = mallory.post("/v1/chat/completions", json=chat)
        assert asked.status_code == 400 and "redirect" in asked.json()["error"]["message"]
        tested_on_save = ["/v1/models"]
        assert [r.path for r in bounce.requests] == [*tested_on_save, "/v1/models", "/v1/chat/completions"]
        assert recorder.requests == []  # the redirect was never followed, on save or since
    finally:
        bounce.stop()
    assert recorder.requests == []


def test_an_address_is_checked_again_when_atom_connects(
    mallory: httpx.Client, runtime: Runtime, recorder: LoopbackServer
) -> None:
    """A key row naming the house (say, its name resolved elsewhere when it was saved): still refused."""
    with FakeLanServer(key=None) as public:
        key = _lan_key(mallory, public.base_url).json()
    runtime.db.write_sync(
        lambda c: c.execute(
            "UPDATE provider_keys SET base_url = ? WHERE id = ?",
            [f"http://localhost:{recorder.address[1]}/v1", key["id"]],
        )
    )
    _refused(mallory.post(f"/api/ai/keys/{key['id']}/test"), "Atom will not connect to localhost")
    chat = {"model": "openai_compatible/house-model", "messages": [{"role": "user", "content": "hi"}]}
    assert mallory.post("/v1/chat/completions", json=chat).status_code == 400
    assert recorder.requests == []


def test_an_old_base_url_on_a_fixed_address_provider_is_ignored(
    mallory: httpx.Client, runtime: Runtime, recorder: LoopbackServer
) -> None:
    with FakeOpenAI() as vendor:
        body = {"provider": "openai", "api_key": vendor.key, "default_model": "gpt-4o-mini"}
        key = mallory.post("/api/ai/keys", json=body).json()
        runtime.db.write_sync(
            lambda c: c.execute("UPDATE provider_keys SET base_url = ? WHERE id = ?", [recorder.url, key["id"]])
        )
        assert mallory.get(f"/api/ai/keys/{key['id']}").json()["base_url"] is None
        assert mallory.post(f"/api/ai/keys/{key['id']}/test").json()["ok"] is True
        assert [r.path for r in vendor.requests] == ["/v1/models", "/v1/models"]  # on save, then by Test
    assert recorder.requests == []


def test_a_servers_error_page_never_reaches_the_member(mallory: httpx.Client) -> None:
    page = b"<html><h1>NAS login</h1><p>admin hint: tulip-7</p></html>"
    pages = LoopbackServer(lambda r: Reply(status=401, body=page)).start()
    try:
        key = _lan_key(mallory, f"{pages.url}/v1").json()
        tested = mallory.post(f"/api/ai/keys/{key['id']}/test").json()
    finally:
        pages.stop()
    assert tested == {
        "ok": False,
        "detail": "Key rejected: the server refused the key (HTTP 401)."
        " Copy the key again from OpenAI-compatible server, then Edit it here.",
        "models": [],
    }


def _answer_json(status: int, body: object) -> LoopbackServer:
    return LoopbackServer(lambda request: Reply(status=status, body=body)).start()


def test_a_servers_error_message_is_not_echoed_in_a_chat(mallory: httpx.Client) -> None:
    leaky = _answer_json(400, {"error": {"message": "db password is hunter2"}})
    try:
        _lan_key(mallory, f"{leaky.url}/v1")
        chat = {"model": "openai_compatible/house-model", "messages": [{"role": "user", "content": "hi"}]}
        asked = mallory.post("/v1/chat/completions", json=chat)
    finally:
        leaky.stop()
    assert asked.status_code == 400 and "hunter2" not in asked.text
    assert "the server did not accept the request (HTTP 400)" in asked.json()["error"]["message"]
