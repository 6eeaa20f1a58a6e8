"""Spoken commands through the whole pipeline: piper's speech → a paired satellite over Wyoming →
end of speech → faster-whisper → the chat coordinator → the action → piper's spoken reply."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.voice import VoiceEngine
from tests.conftest import add_member, second_client, sign_in
from tests.voice.satellite_fake import Device

pytestmark = pytest.mark.timeout(300)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 240))


def pair(client: TestClient, room: str = "kitchen", household: bool = True, name: str = "speaker") -> dict:
    response = client.post("/api/voice/satellites", json={"name": name, "room": room, "household": household})
    assert response.status_code == 201, response.text
    return response.json()


def shopping(client: TestClient) -> list[str]:
    return [i["text"].lower() for i in client.get("/api/lists/shopping/items").json()]


def test_a_spoken_command_adds_to_the_list_and_is_answered_aloud(
    voice_app: TestClient, wyoming_uri: str, say, engine: VoiceEngine
) -> None:
    token = pair(voice_app)["token"]

    async def speak():
        async with Device(wyoming_uri) as device:
            welcome = await device.hello(token)
            return welcome, await device.command(say("Atom, add oat milk to the shopping list."))

    welcome, turn = run(speak())
    assert welcome.type == "atom-welcome" and welcome.data["room"] == "kitchen"
    assert welcome.data["speaker"] == "Household" and welcome.data["wake"] is False
    assert turn.types()[:3] == ["voice-started", "voice-stopped", "transcript"], turn.types()
    assert turn.first("transcript").data["text"].lower().startswith("atom")
    assert turn.reply["tool"] == "add_list_item" and "Shopping" in turn.reply["text"]
    assert set(turn.reply["timings"]) == {"stt", "action", "first_audio"}
    assert any("milk" in item for item in shopping(voice_app))
    heard = run(engine.transcribe(turn.speech))  # the reply, spoken
    assert "shopping" in heard.lower() and "milk" in heard.lower(), heard


def test_a_question_is_answered_and_the_follow_up_needs_no_wake_word(voice_app: TestClient, wyoming_uri: str, say):
    voice_app.post("/api/lists/shopping/items", json={"text": "bread"})
    token = pair(voice_app)["token"]

    async def converse():
        async with Device(wyoming_uri) as device:
            await device.hello(token)
            asked = await device.command(say("Atom, clear the shopping list."))
            answered = await device.command(say("Yes."), reason="follow-up")
            return asked, answered

    asked, answered = run(converse())
    assert "Shall I" in asked.reply["text"] and asked.reply["follow_up_seconds"] == 5.0
    assert answered.first("transcript").data["text"].lower().startswith("yes")
    assert answered.reply["tool"] == "clear_list"
    assert shopping(voice_app) == []


def test_nothing_said_in_the_follow_up_window_ends_quietly(voice_app: TestClient, wyoming_uri: str) -> None:
    from appliance.voice.audio import Pcm

    token = pair(voice_app)["token"]

    async def silent():
        async with Device(wyoming_uri) as device:
            await device.hello(token)
            return await device.command(Pcm(b""), reason="follow-up", silence=6.0)

    turn = run(silent())
    assert turn.types()[-1] == "atom-idle" and turn.events[-1].data["reason"] == "nothing heard"
    assert "transcript" not in turn.types()


def test_a_ringing_timer_is_announced_where_it_was_set_and_stop_silences_it(
    voice_app: TestClient, wyoming_uri: str, say
) -> None:
    token = pair(voice_app)["token"]

    async def timer():
        async with Device(wyoming_uri) as device:
            await device.hello(token)
            set_it = await device.command(say("Atom, set a timer for 2 seconds."))
            ring = await device.answer()  # the announcement's audio, after about two seconds
            stopped = await device.command(say("Atom, stop."))
            after = None
            try:
                after = await device.read(timeout=6)
            except TimeoutError:
                pass
            return set_it, ring, stopped, after

    set_it, ring, stopped, after = run(timer())
    assert set_it.reply["tool"] == "set_timer", set_it.reply
    announce = ring.first("atom-announce").data
    assert announce["kind"] == "timer" and "timer is done" in announce["text"]
    assert stopped.types()[-1] == "atom-stop"
    assert after is None, after  # the timer would have rung twice more


def test_a_household_satellite_sees_only_what_the_household_shares(
    voice_app: TestClient, voice_runtime: Runtime
) -> None:
    from appliance.server.voice import VoiceAssistant
    from appliance.voice.satellites import identify

    add_member(voice_app, "bea")
    bea = sign_in(second_client(voice_runtime), "bea", "member password")
    with bea:
        created = bea.post("/api/lists", json={"name": "Gifts", "shared": False})
        assert created.status_code == 201, created.text
        household_token = pair(voice_app)["token"]
        own_token = pair(bea, room="bedroom", household=False)["token"]
        assistant = VoiceAssistant(voice_runtime)

        async def as_each() -> tuple[str, str, list[str]]:
            household = await identify(voice_runtime.db, household_token)
            own = await identify(voice_runtime.db, own_token)
            assert household is not None and own is not None
            refused = await assistant.act(household, "add socks to the gifts list")
            added = await assistant.act(own, "add socks to the gifts list")
            return refused.text, added.text, list(await assistant.words(household))

        refused, added, words = run(as_each())
        assert "to Gifts" not in refused  # the household cannot reach her private list
        assert added == "Added socks to Gifts."
        gifts = bea.get(f"/api/lists/{created.json()['id']}/items").json()
        assert [item["text"] for item in gifts] == ["socks"]
        assert "gifts" not in words and "shopping" in words  # nor does it bias recognition with her words


def test_pairing_a_household_satellite_is_for_admins_and_a_members_own_is_theirs(
    voice_app: TestClient, voice_runtime: Runtime
) -> None:
    add_member(voice_app, "cal")
    cal = sign_in(second_client(voice_runtime), "cal", "member password")
    with cal:
        refused = cal.post("/api/voice/satellites", json={"name": "hall", "room": "hall", "household": True})
        assert refused.status_code == 403
        own = pair(cal, room="study", household=False, name="desk")
        household = pair(voice_app)
        assert [s["name"] for s in cal.get("/api/voice/satellites").json()] == ["speaker", "desk"]
        admin_sees = [s["id"] for s in voice_app.get("/api/voice/satellites").json()]
        assert own["satellite"]["id"] not in admin_sees  # a member's own satellite is private to them
        assert voice_app.delete(f"/api/voice/satellites/{own['satellite']['id']}").status_code == 404
        assert cal.delete(f"/api/voice/satellites/{household['satellite']['id']}").status_code == 403
        assert cal.delete(f"/api/voice/satellites/{own['satellite']['id']}").status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "room": "kitchen"},
        {"name": "x" * 61, "room": "kitchen"},
        {"name": "bell\x07", "room": "kitchen"},
        {"name": "a", "room": "b", "user_id": "someone-else"},
        {"name": "a"},
    ],
)
def test_bad_pairing_requests_are_a_clear_400(voice_app: TestClient, body: dict) -> None:
    response = voice_app.post("/api/voice/satellites", json=body)
    assert response.status_code == 400, response.text


def test_a_device_token_never_opens_the_http_api(voice_app: TestClient, voice_runtime: Runtime) -> None:
    token = pair(voice_app)["token"]
    assert token.startswith("atomsat_") and token not in str(voice_app.get("/api/voice/satellites").json())
    with second_client(voice_runtime) as stranger:
        for path in ("/api/voice/satellites", "/api/lists", "/api/members"):
            answer = stranger.get(path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, (path, answer.status_code)


def test_revoking_a_satellite_cuts_its_connection_and_its_token(
    voice_app: TestClient, voice_runtime: Runtime, wyoming_uri: str
) -> None:
    new = pair(voice_app)

    async def connected_then_revoked():
        async with Device(wyoming_uri) as device:
            assert (await device.hello(new["token"])).type == "atom-welcome"
            listed = voice_app.get("/api/voice/satellites").json()
            revoked = await asyncio.to_thread(voice_app.delete, f"/api/voice/satellites/{new['satellite']['id']}")
            closed = await device.read(timeout=10)
        async with Device(wyoming_uri) as again:
            refused = await again.hello(new["token"])
        return listed, revoked.status_code, closed, refused

    listed, status, closed, refused = run(connected_then_revoked())
    assert listed[0]["connected"] is True and status == 204
    assert closed is None
    assert refused.type == "error" and refused.data["code"] == "unauthorized"


def test_a_disabled_members_satellite_is_refused(voice_app: TestClient, voice_runtime: Runtime, wyoming_uri: str):
    member = add_member(voice_app, "dot")
    dot = sign_in(second_client(voice_runtime), "dot", "member password")
    with dot:
        token = pair(dot, household=False)["token"]
    assert voice_app.patch(f"/api/members/{member['id']}", json={"disabled": True}).status_code == 200

    async def hello():
        async with Device(wyoming_uri) as device:
            return await device.hello(token)

    assert run(hello()).data["code"] == "unauthorized"


def test_without_hello_a_client_cannot_issue_commands(wyoming_uri: str) -> None:
    from wyoming.event import Event

    async def listen():
        async with Device(wyoming_uri) as device:
            await device.send(Event(type="atom-listen", data={"reason": "push-to-talk"}))
            return await device.read()

    assert run(listen()).data["code"] == "unauthorized"


def test_httpx_is_not_needed_by_the_satellite() -> None:
    """The device end imports nothing of the server's (it runs on a small box with few packages)."""
    import ast
    from pathlib import Path

    import appliance.voice.satellite as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("appliance.server", "appliance.runtime")), path
    assert httpx  # the tests use it elsewhere; the satellite does not
