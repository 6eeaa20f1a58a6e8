"""Push-to-talk from the Voice page: piper's speech over the page's WebSocket → end of speech →
faster-whisper → the chat coordinator as the member signed in → the action → piper's reply as a WAV."""

from __future__ import annotations

import io
import json
import queue
import wave

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server.routes.live import CLOSE_SIGNED_OUT
from appliance.server.talk import CLOSE_REPLACED
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm
from tests.conftest import add_member, second_client, sign_in

pytestmark = pytest.mark.timeout(300)
CHUNK = 3200  # a tenth of a second, as the page sends it


class Turn:
    """What the server said to one utterance, up to the end of its answer."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.wavs: list[bytes] = []

    def types(self) -> list[str]:
        return [m["type"] for m in self.messages]

    def first(self, kind: str) -> dict:
        return next(m for m in self.messages if m["type"] == kind)


def receive(socket, timeout: float = 90) -> dict | bytes:  # type: ignore[no-untyped-def]
    message = socket.receive(timeout=timeout)
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(code=message.get("code", 1000), detail="closed")
    if message.get("bytes") is not None:
        return message["bytes"]
    return json.loads(message["text"])


def answer(socket, turn: Turn | None = None, until=("idle", "stop", "error")) -> Turn:  # type: ignore[no-untyped-def]
    """Read until the answer is complete: a reply with its WAV, an idle, a stop or an error."""
    turn = turn or Turn()
    while True:
        got = receive(socket)
        if isinstance(got, bytes):
            turn.wavs.append(got)
            if "reply" in turn.types() or "announce" in turn.types():
                return turn
            continue
        turn.messages.append(got)
        if got["type"] in until:
            return turn


def talk(socket, speech: Pcm, reason: str = "push-to-talk", silence: float = 1.5, end: bool = True) -> Turn:  # type: ignore[no-untyped-def]
    speak(socket, speech, reason, silence, end)
    return answer(socket)


def speak(socket, speech: Pcm, reason: str = "push-to-talk", silence: float = 1.5, end: bool = True) -> None:  # type: ignore[no-untyped-def]
    socket.send_text(json.dumps({"type": "listen", "reason": reason}))
    audio = speech.audio + bytes(int(silence * RATE) * 2)
    for at in range(0, len(audio), CHUNK):
        socket.send_bytes(audio[at : at + CHUNK])
    if end:
        socket.send_text(json.dumps({"type": "end"}))


def until_stop(socket) -> list[str]:  # type: ignore[no-untyped-def]
    """Read to the server's "stop"; a ring that began before it (a busy machine) is passed over."""
    seen = []
    while (got := receive(socket)) != {"type": "stop"}:
        seen.append("audio" if isinstance(got, bytes) else got["type"])
    return seen


def spoken(wav: bytes) -> Pcm:
    with wave.open(io.BytesIO(wav)) as reader:
        return Pcm(reader.readframes(reader.getnframes()), reader.getframerate(), reader.getsampwidth())


def shopping(client: TestClient) -> list[str]:
    return [i["text"].lower() for i in client.get("/api/lists/shopping/items").json()]


def test_a_spoken_command_from_the_page_acts_and_is_answered_aloud(voice_app: TestClient, say, engine: VoiceEngine):
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        ready = receive(socket)
        assert ready == {"type": "ready", "speaker": "Ada Admin", "follow_up_seconds": 5.0, "max_seconds": 15}
        turn = talk(socket, say("Atom, add oat milk to the shopping list."))
    assert turn.types()[:4] == ["voice-started", "voice-stopped", "transcript", "reply"], turn.types()
    assert turn.first("transcript")["text"].lower().startswith("atom")
    reply = turn.first("reply")
    assert reply["tool"] == "add_list_item" and "Shopping" in reply["text"] and reply["follow_up_seconds"] == 5.0
    assert any("milk" in item for item in shopping(voice_app))
    import asyncio

    heard = asyncio.run(engine.transcribe(spoken(turn.wavs[0])))  # the reply, spoken
    assert "shopping" in heard.lower() and "milk" in heard.lower(), heard


def test_the_follow_up_window_takes_an_answer_without_the_wake_word(voice_app: TestClient, say) -> None:
    voice_app.post("/api/lists/shopping/items", json={"text": "bread"})
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        asked = talk(socket, say("Atom, clear the shopping list."))
        answered = talk(socket, say("Yes."), reason="follow-up", end=False)  # the page does not press anything
    assert "Shall I" in asked.first("reply")["text"]
    assert answered.first("reply")["tool"] == "clear_list"
    assert shopping(voice_app) == []


def test_releasing_the_button_ends_the_command_without_waiting_for_silence(voice_app: TestClient, say) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        turn = talk(socket, say("Atom, what time is it?"), silence=0.0)
    assert turn.first("reply")["tool"] == "time", turn.messages


def test_a_timer_set_from_the_page_rings_there_and_stop_silences_it(voice_app: TestClient, say) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        set_it = talk(socket, say("Atom, set a timer for 2 seconds."))
        ring = answer(socket)  # the announcement and its audio
        speak(socket, say("Atom, stop."))
        before_stop = until_stop(socket)
        with pytest.raises(queue.Empty):  # the rings left never come
            socket.receive(timeout=6)
    assert set_it.first("reply")["tool"] == "set_timer"
    assert ring.first("announce")["kind"] == "timer" and ring.wavs
    assert before_stop[-3:] == ["voice-started", "voice-stopped", "transcript"], before_stop


def test_the_stop_button_interrupts_a_ringing_timer(voice_app: TestClient, say) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        talk(socket, say("Atom, set a timer for 1 second."))
        assert answer(socket).first("announce")["kind"] == "timer"
        socket.send_text(json.dumps({"type": "stop"}))
        until_stop(socket)
        with pytest.raises(queue.Empty):  # nothing more rings
            socket.receive(timeout=5)


def test_nothing_said_ends_quietly(voice_app: TestClient) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        turn = talk(socket, Pcm(b""), reason="follow-up", silence=6.0, end=False)
    assert turn.types() == ["voice-stopped", "idle"] and turn.messages[-1]["reason"] == "nothing heard"


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ('{"type": "listen", "reason": "wake"}', "bad-request"),
        ('{"type": "hello", "token": "x"}', "bad-request"),
        ("not json", "bad-request"),
        (b"\x00" * 3, "bad-audio"),
        (b"\x00" * (64 * 1024 + 2), "bad-audio"),
    ],
)
def test_bad_messages_are_told_and_the_socket_stays(voice_app: TestClient, sent: str | bytes, code: str) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as socket:
        receive(socket)
        socket.send_text(sent) if isinstance(sent, str) else socket.send_bytes(sent)
        told = receive(socket)
        assert told["type"] == "error" and told["code"] == code, told
        socket.send_text(json.dumps({"type": "stop"}))
        assert receive(socket) == {"type": "stop"}


def test_another_site_cannot_open_the_socket(voice_app: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect):
        with voice_app.websocket_connect("/api/voice/talk", headers={"Origin": "http://evil.example"}) as socket:
            socket.receive_text(timeout=5)


def test_nobody_signed_in_cannot_open_it(voice_app: TestClient, voice_runtime: Runtime) -> None:
    with second_client(voice_runtime) as stranger, pytest.raises(WebSocketDisconnect):
        with stranger.websocket_connect("/api/voice/talk") as socket:
            socket.receive_text(timeout=5)


def test_a_second_tab_of_the_same_sign_in_takes_over(voice_app: TestClient) -> None:
    with voice_app.websocket_connect("/api/voice/talk") as first:
        receive(first)
        with voice_app.websocket_connect("/api/voice/talk") as second:
            assert receive(second)["type"] == "ready"
            assert receive(first)["code"] == "replaced"
            with pytest.raises(WebSocketDisconnect) as closed:
                receive(first)
            assert closed.value.code == CLOSE_REPLACED


def test_signing_out_closes_the_socket(voice_app: TestClient, voice_runtime: Runtime) -> None:
    add_member(voice_app, "bea")
    with second_client(voice_runtime) as bea:
        sign_in(bea, "bea", "member password")
        with bea.websocket_connect("/api/voice/talk") as socket:
            assert receive(socket)["speaker"] == "bea"
            assert bea.post("/api/auth/logout").status_code in (200, 204)
            with pytest.raises(WebSocketDisconnect) as closed:
                receive(socket, timeout=10)
            assert closed.value.code == CLOSE_SIGNED_OUT


def test_without_a_speech_model_the_page_is_told_what_to_install(admin: TestClient) -> None:
    with admin.websocket_connect("/api/voice/talk") as socket:
        told = receive(socket)
        assert told["type"] == "error" and told["code"] == "no-model"
        assert "atom models install whisper-tiny-en" in told["text"]
        with pytest.raises(WebSocketDisconnect):
            receive(socket, timeout=5)


def test_the_member_acts_as_themselves(voice_app: TestClient, voice_runtime: Runtime, say) -> None:
    add_member(voice_app, "cal")
    with second_client(voice_runtime) as cal:
        sign_in(cal, "cal", "member password")
        camping = cal.post("/api/lists", json={"name": "Camping", "shared": False}).json()
        with cal.websocket_connect("/api/voice/talk") as socket:
            receive(socket)
            turn = talk(socket, say("Atom, add oat milk to the camping list."))
        assert turn.first("reply")["text"] == "Added oat milk to Camping.", turn.messages
        assert [i["text"] for i in cal.get(f"/api/lists/{camping['id']}/items").json()] == ["oat milk"]
    assert voice_app.get(f"/api/lists/{camping['id']}/items").status_code == 404  # still hers alone
