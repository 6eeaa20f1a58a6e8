"""The live channel delivers each event to the users allowed to see it."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from appliance.accounts import members
from appliance.accounts.shapes import SERVICE_PRINCIPAL, UserCreate
from appliance.events import EVERYONE, TOPICS, Event
from appliance.resources import resource_path
from appliance.runtime import Runtime
from appliance.server.pages.panels import PANELS
from appliance.server.routes.live import CLOSE_SIGNED_OUT
from tests.conftest import add_member, second_client, sign_in


def _next_event(socket) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(socket.receive_text(timeout=5))


def _assert_signed_out(socket) -> None:  # type: ignore[no-untyped-def]
    """The server closed the channel the way a page takes as "sign in again"."""
    with pytest.raises(WebSocketDisconnect) as closed:
        socket.receive_text(timeout=5)
    assert closed.value.code == CLOSE_SIGNED_OUT


def test_household_events_reach_every_member(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            assert _next_event(socket)["action"] == "ready"
            carol = add_member(admin, "carol")
            event = _next_event(socket)
            assert (event["topic"], event["action"], event["id"]) == ("members", "created", carol["id"])
            assert event["data"]["username"] == "carol"


def test_a_change_made_as_the_page_hears_ready_reaches_it(
    admin: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page acts once it hears "ready" (a reconnected one resyncs then): what is published at that
    moment must reach it. Here the change lands the instant "ready" has gone out."""
    send_text = WebSocket.send_text

    async def send_then_publish(socket: WebSocket, data: str | bytes, encoding: str = "utf-8") -> None:
        await send_text(socket, data, encoding)
        if '"action":"ready"' in str(data):
            runtime.bus.publish(Event(topic="notes", action="created", id="just-now"), [EVERYONE])

    monkeypatch.setattr(WebSocket, "send_text", send_then_publish)
    with admin.websocket_connect("/api/live") as socket:
        assert _next_event(socket)["action"] == "ready"
        event = _next_event(socket)
        assert (event["topic"], event["id"]) == ("notes", "just-now")


def test_private_events_reach_only_their_owner(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.post("/api/tokens", json={"name": "admin's secret script"})
            mine = phone.post("/api/tokens", json={"name": "bob's"}).json()
            event = _next_event(socket)  # the admin's token event never arrives first
            assert (event["topic"], event["id"]) == ("tokens", mine["token"]["id"])


def test_ready_counts_what_the_page_may_have_missed_and_only_its_own(admin: TestClient, runtime: Runtime) -> None:
    """A page carries how many events its member could have had when it was rendered; "ready" says how
    many now. Another member's private events move neither count (nothing of theirs shows)."""
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        rendered = _live_seen(phone.get("/members").text)
        admin.post("/api/tokens", json={"name": "admin's secret script"}).raise_for_status()
        with phone.websocket_connect("/api/live") as socket:
            assert _next_event(socket)["data"] == {"seen": rendered}  # nothing of bob's: no resync
        add_member(admin, "carol")  # a household event, while bob's page had no channel
        assert _live_seen(phone.get("/members").text) == rendered + 1
        with phone.websocket_connect("/api/live") as socket:
            assert _next_event(socket)["data"] == {"seen": rendered + 1}


def _live_seen(page: str) -> int:
    found = re.search(r'data-live-seen="(\d+)"', page)
    assert found, "the page carries no live count"
    return int(found.group(1))


def test_other_sites_cannot_open_the_channel(admin: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect):
        with admin.websocket_connect("/api/live", headers={"Origin": "http://evil.example"}) as socket:
            socket.receive_text(timeout=5)


def test_disabling_a_member_closes_their_channel(admin: TestClient, runtime: Runtime) -> None:
    bob = add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.patch(f"/api/members/{bob['id']}", json={"disabled": True})
            _assert_signed_out(socket)


def test_signing_out_closes_that_sign_ins_channel_only(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        sign_in(laptop, "bob", "bob's password")
        with (
            phone.websocket_connect("/api/live") as phone_socket,
            laptop.websocket_connect("/api/live") as laptop_socket,
        ):
            _next_event(phone_socket)
            _next_event(laptop_socket)
            phone.post("/api/auth/logout")
            _assert_signed_out(phone_socket)
            assert _next_event(laptop_socket)["topic"] == "sessions"  # the laptop's list of sign-ins shrinks
            carol = add_member(admin, "carol")
            assert _next_event(laptop_socket)["id"] == carol["id"]


def test_ending_a_sign_in_elsewhere_closes_its_channel(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        sign_in(laptop, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as phone_socket:
            _next_event(phone_socket)
            [other] = [s for s in laptop.get("/api/account/sessions").json() if not s["current"]]
            assert laptop.delete(f"/api/account/sessions/{other['id']}").status_code == 204
            _assert_signed_out(phone_socket)


def test_a_new_sign_in_is_announced_to_the_members_other_tabs(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            sign_in(laptop, "bob", "bob's password")
            event = _next_event(socket)
            assert (event["topic"], event["action"]) == ("sessions", "created")
            assert event["data"] is None  # nothing about the other device travels with it


def test_price_edits_reach_everyone(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.put("/api/ai/prices/openai/gpt-4o", json={"input_per_mtok": 1, "output_per_mtok": 2})
            event = _next_event(socket)
            assert (event["topic"], event["id"]) == ("prices", "openai/gpt-4o")


def test_a_member_disabled_from_the_shell_is_announced_and_cut_off_like_one_disabled_on_the_page(
    runtime: Runtime,
) -> None:
    """`atom users disable` (the control API, or the database when no server runs) and the members page
    share one function, so its effects are the same: the house hears of it, the member's channels close."""

    async def disable_while_listening() -> tuple[list[Event], Event]:
        bob = await members.add_member(runtime.db, runtime.bus, UserCreate(username="bob", password="bob's password"))
        heard_by_bob: list[Event] = []
        bobs_channel = asyncio.create_task(_collect(runtime, bob.id, heard_by_bob))
        carols_next = asyncio.create_task(anext(runtime.bus.subscribe("carol's id")))
        await asyncio.sleep(0)  # both channels are open
        await members.disable_member(runtime.db, runtime.bus, SERVICE_PRINCIPAL, "bob")
        await asyncio.wait_for(bobs_channel, 5)  # returns only once bob's channel has ended
        return heard_by_bob, await asyncio.wait_for(carols_next, 5)

    heard_by_bob, heard_by_carol = asyncio.run(disable_while_listening())
    assert heard_by_bob == []  # cut off before the news went out
    assert (heard_by_carol.topic, heard_by_carol.action, heard_by_carol.data.disabled) == ("members", "updated", True)


async def _collect(runtime: Runtime, user_id: str, into: list[Event]) -> None:
    async for event in runtime.bus.subscribe(user_id):
        into.append(event)


# --- the topics: one typed list (appliance.events.Topic), and the pages hear every one ---------

WEB = resource_path("web")


def _heard() -> set[str]:
    """Topics some page listens for: a region's data-topics, a dashboard panel, a page module."""
    heard = {topic for panel in PANELS for topic in panel.topics}
    heard |= _attribute_words("data-topics")
    for path in (WEB / "static" / "js").rglob("*.js"):
        text = path.read_text()
        heard |= set(re.findall(r'topic === "([\w-]+)"', text))
        for listed in re.findall(r"TOPICS = new Set\(\[([^\]]*)\]\)", text):
            heard |= set(re.findall(r'"([\w-]+)"', listed))
    return heard - {"live"}  # the channel's own hello, sent by routes/live.py, never published


def _attribute_words(attribute: str) -> set[str]:
    words: set[str] = set()
    for path in (WEB / "templates").rglob("*.html"):
        for value in re.findall(rf'{attribute}="([^"{{]*)"', path.read_text()):
            words |= set(value.split())
    return words


def test_every_topic_atom_publishes_is_heard_by_a_page() -> None:
    unheard = sorted(set(TOPICS) - _heard())
    assert not unheard, f"{unheard}: published, but no region, panel or page module listens (or stop publishing)"


def test_pages_name_only_topics_that_are_published() -> None:
    named = _heard() | _attribute_words("data-refresh")
    assert named <= set(TOPICS), sorted(named - set(TOPICS))
