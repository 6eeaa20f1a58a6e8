"""The Voice page's API: satellites renamed, moved and re-assigned only by whoever may, their status
live on the `satellites` topic, and the admins' list of addresses that may use Wyoming unpaired."""

from __future__ import annotations

import asyncio
import json

import pytest
from litestar.testing import TestClient
from wyoming.event import Event
from wyoming.tts import Synthesize

from appliance.runtime import Runtime
from appliance.settings import Settings
from tests.conftest import add_member, second_client, sign_in
from tests.voice.conftest import with_voice
from tests.voice.satellite_fake import Device

pytestmark = pytest.mark.timeout(120)


def pair(client: TestClient, household: bool = True, name: str = "speaker", room: str = "kitchen") -> dict:
    response = client.post("/api/voice/satellites", json={"name": name, "room": room, "household": household})
    assert response.status_code == 201, response.text
    return response.json()


def next_event(socket, topic: str = "satellites") -> dict:  # type: ignore[no-untyped-def]
    while True:
        event = json.loads(socket.receive_text(timeout=5))
        if event.get("topic") == topic:
            return event


def test_another_member_can_neither_see_rename_move_nor_unpair_a_members_satellite(
    admin: TestClient, runtime: Runtime
) -> None:
    add_member(admin, "bea")
    add_member(admin, "cal")
    with second_client(runtime) as bea, second_client(runtime) as cal:
        sign_in(bea, "bea", "member password")
        sign_in(cal, "cal", "member password")
        hers = pair(bea, household=False, name="bedside", room="bedroom")["satellite"]
        path = f"/api/voice/satellites/{hers['id']}"
        for stranger in (cal, admin):  # the admin too: it would let them act as her
            assert hers["id"] not in [s["id"] for s in stranger.get("/api/voice/satellites").json()]
            assert stranger.patch(path, json={"name": "mine now"}).status_code == 404
            assert stranger.patch(path, json={"household": False}).status_code == 404
            assert stranger.delete(path).status_code == 404
            assert hers["id"] not in stranger.get("/fragments/voice/satellites").text
            assert "bedside" not in stranger.get("/voice").text
        assert [s["name"] for s in bea.get("/api/voice/satellites").json()] == ["bedside"]
        moved = bea.patch(path, json={"name": "Bedside", "room": "Guest room"})
        assert moved.status_code == 200 and (moved.json()["name"], moved.json()["room"]) == ("Bedside", "Guest room")
        assert moved.json()["user_id"] == hers["user_id"]


def test_only_an_admin_makes_a_satellite_speak_for_the_household(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bea")
    with second_client(runtime) as bea:
        sign_in(bea, "bea", "member password")
        hers = pair(bea, household=False)["satellite"]
        household = pair(admin)["satellite"]
        assert bea.patch(f"/api/voice/satellites/{hers['id']}", json={"household": True}).status_code == 403
        assert bea.patch(f"/api/voice/satellites/{household['id']}", json={"room": "hall"}).status_code == 403
        assert bea.patch(f"/api/voice/satellites/{household['id']}", json={"household": False}).status_code == 403
        assert bea.delete(f"/api/voice/satellites/{household['id']}").status_code == 403
        # the admin takes the household's satellite as their own: it leaves everyone else's list
        taken = admin.patch(f"/api/voice/satellites/{household['id']}", json={"household": False})
        assert taken.status_code == 200 and taken.json()["user_id"] is not None
        assert household["id"] not in [s["id"] for s in bea.get("/api/voice/satellites").json()]


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"room": "x" * 61}, {"name": "bell\x07"}, {"user_id": "someone"}, {"household": "yes"}],
)
def test_bad_changes_are_a_clear_400(admin: TestClient, body: dict) -> None:
    satellite = pair(admin)["satellite"]
    response = admin.patch(f"/api/voice/satellites/{satellite['id']}", json=body)
    assert response.status_code == 400, response.text


def test_changes_reach_only_those_who_may_see_the_satellite(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bea")
    add_member(admin, "cal")
    with second_client(runtime) as bea, second_client(runtime) as cal:
        sign_in(bea, "bea", "member password")
        sign_in(cal, "cal", "member password")
        with cal.websocket_connect("/api/live") as cals:
            next_event(cals, "live")
            hers = pair(bea, household=False)["satellite"]
            shared = pair(admin)["satellite"]
            event = next_event(cals)  # her satellite's event never reaches cal; the household's does
            assert (event["action"], event["id"]) == ("created", shared["id"])
            bea.patch(f"/api/voice/satellites/{hers['id']}", json={"name": "Hers, renamed"})
            admin.patch(f"/api/voice/satellites/{shared['id']}", json={"name": "Hall speaker"})
            event = next_event(cals)
            assert (event["action"], event["id"]) == ("updated", shared["id"])


def test_a_connected_satellite_shows_online_and_a_change_of_room_reconnects_it(
    voice_app: TestClient, wyoming_uri: str
) -> None:
    new = pair(voice_app)
    path = f"/api/voice/satellites/{new['satellite']['id']}"

    async def connect_then_move() -> tuple[list[dict], Event | None, Event]:
        with voice_app.websocket_connect("/api/live") as live:
            next_event(live, "live")
            async with Device(wyoming_uri) as device:
                await device.hello(new["token"])
                online = next_event(live)
                listed = voice_app.get("/api/voice/satellites").json()
                page = voice_app.get("/fragments/voice/satellites").text
                await asyncio.to_thread(voice_app.patch, path, json={"room": "hall"})
                closed = await device.read(timeout=10)
            async with Device(wyoming_uri) as again:
                welcome = await again.hello(new["token"])
            return [online, *listed, {"page": page}], closed, welcome

    (online, listed, page), closed, welcome = asyncio.run(connect_then_move())
    assert online["data"] == {"connected": True} and listed["connected"] is True
    assert 'data-satellite-status="online"' in page["page"]
    assert closed is None  # cut off: it spoke as the kitchen
    assert welcome.data["room"] == "hall"


@pytest.fixture
def voice_settings(voice_settings: Settings) -> Settings:
    """No operator-listed addresses here: only what the admins add."""
    return with_voice(voice_settings, allowed_addresses=())


def test_admins_choose_who_may_use_wyoming_unpaired_and_it_applies_at_once(
    voice_app: TestClient, voice_runtime: Runtime, wyoming_uri: str
) -> None:
    async def synthesize() -> Event | None:
        async with Device(wyoming_uri) as device:
            await device.send(Synthesize(text="Hello.").event())
            return await device.read(timeout=60)

    assert asyncio.run(synthesize()).data["code"] == "unauthorized"
    added = voice_app.post("/api/voice/access", json={"address": "127.0.0.1/32"})
    assert added.status_code == 201 and added.json()["address"] == "127.0.0.1"
    assert asyncio.run(synthesize()).type == "audio-start"
    access = voice_app.get("/api/voice/access").json()
    assert access["configured"] == [] and [a["address"] for a in access["added"]] == ["127.0.0.1"]
    assert "127.0.0.1" in voice_app.get("/fragments/voice/access").text
    assert voice_app.delete(f"/api/voice/access/{added.json()['id']}").status_code == 204
    assert asyncio.run(synthesize()).data["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("192.168.1.0/24", 201),
        ("fd00::/64", 201),
        ("8.8.8.8", 400),  # not the home network
        ("0.0.0.0/0", 400),
        ("10.0.0.0/8", 400),  # wider than a home network
        ("not an address", 400),
        ("192.168.1.20; rm -rf /", 400),
    ],
)
def test_only_home_network_addresses_may_be_added(admin: TestClient, address: str, status: int) -> None:
    response = admin.post("/api/voice/access", json={"address": address})
    assert response.status_code == status, response.text
    if status == 400:
        assert address[:20] in response.json()["detail"] or "home network" in response.json()["detail"]


def test_the_address_list_is_the_admins(admin: TestClient, runtime: Runtime) -> None:
    assert admin.post("/api/voice/access", json={"address": "192.168.1.20"}).status_code == 201
    assert admin.post("/api/voice/access", json={"address": "192.168.1.20/32"}).status_code == 409
    add_member(admin, "bea")
    with second_client(runtime) as bea:
        sign_in(bea, "bea", "member password")
        assert bea.get("/api/voice/access").status_code == 403
        assert bea.post("/api/voice/access", json={"address": "192.168.1.21"}).status_code == 403
        assert bea.get("/fragments/voice/access").status_code == 403
        page = bea.get("/voice")
        assert page.status_code == 200 and "Wyoming access" not in page.text and "Hold to talk" in page.text


def test_the_page_offers_pairing_and_says_what_to_install(admin: TestClient) -> None:
    page = admin.get("/voice").text
    assert "Pair a satellite" in page and "Speaks for the household" in page
    assert "Wyoming access" in page
    assert "No model for speech recognition is installed" in page  # this data folder has no voice models
