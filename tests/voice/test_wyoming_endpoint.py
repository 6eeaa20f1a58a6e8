"""Atom's Wyoming endpoint as the real `wyoming` client sees it, over loopback TCP inside `atom serve`'s app."""

from __future__ import annotations

import asyncio
import json

import pytest
from litestar.testing import TestClient
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize
from wyoming.wake import Detect, NotDetected

from appliance.runtime import Runtime
from appliance.voice import VoiceEngine
from appliance.voice.audio import RATE, Pcm, to_float
from tests.voice.conftest import with_voice

pytestmark = pytest.mark.timeout(240)
COMMAND = "Atom, add oat milk to the shopping list."


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def client_for(uri: str) -> AsyncTcpClient:
    host, port = uri.removeprefix("tcp://").split(":")
    return AsyncTcpClient(host, int(port))


async def send_audio(client: AsyncTcpClient, pcm: Pcm, chunk_seconds: float = 0.064) -> None:
    await client.write_event(AudioStart(rate=pcm.rate, width=pcm.width, channels=pcm.channels).event())
    step = int(pcm.rate * chunk_seconds) * pcm.width * pcm.channels
    for at in range(0, len(pcm.audio), step):
        await client.write_event(AudioChunk(pcm.rate, pcm.width, pcm.channels, pcm.audio[at : at + step]).event())
    await client.write_event(AudioStop().event())


async def next_of(client: AsyncTcpClient, *types: str) -> Event:
    while True:
        event = await client.read_event()
        assert event is not None, f"the server closed the connection before {types}"
        if event.type in types:
            return event


def test_describe_lists_atoms_wake_asr_and_tts_programs(wyoming_uri: str) -> None:
    async def ask() -> Info:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Describe().event())
            return Info.from_event(await next_of(client, "info"))

    info = run(ask())
    assert [p.name for p in info.asr] == ["atom-stt"] and info.asr[0].models[0].name == "whisper-tiny-en"
    assert info.asr[0].models[0].installed
    assert [p.name for p in info.tts] == ["atom-tts"] and info.tts[0].voices[0].name == "piper-joe"
    wake = info.wake[0].models[0]
    assert info.wake[0].name == "atom-wake" and wake.phrase == "Atom" and wake.installed is False


def test_transcribe_hears_atom_and_the_households_words(wyoming_uri: str, say) -> None:
    async def transcribe() -> str:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Transcribe(language="en").event())
            await send_audio(client, say(COMMAND))
            return Transcript.from_event(await next_of(client, "transcript")).text

    heard = run(transcribe())
    assert heard.lower().startswith("atom") and "shopping list" in heard.lower(), heard


def test_synthesize_answers_audio_that_says_the_text(wyoming_uri: str, engine: VoiceEngine) -> None:
    async def synthesize() -> Pcm:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Synthesize(text="The shopping list has four things on it.").event())
            start = AudioStart.from_event(await next_of(client, "audio-start"))
            audio = bytearray()
            while (event := await next_of(client, "audio-chunk", "audio-stop")).type == "audio-chunk":
                audio += AudioChunk.from_event(event).audio
            return Pcm(bytes(audio), start.rate, start.width, start.channels)

    speech = run(synthesize())
    assert speech.rate == 22050 and speech.seconds > 1
    heard = run(engine.transcribe(speech))
    assert "shopping list" in heard.lower(), heard


def test_detect_says_honestly_that_no_wake_model_is_installed(wyoming_uri: str, say) -> None:
    async def detect() -> tuple[Event, Event]:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Detect(names=["atom"]).event())
            error = await next_of(client, "error")
            await send_audio(client, say(COMMAND))
            return error, await next_of(client, "detection", "not-detected")

    error, answer = run(detect())
    assert Error.from_event(error).code == "no-wake-model" and "push-to-talk" in Error.from_event(error).text
    assert NotDetected.is_type(answer.type)


@pytest.fixture
def closed_runtime(voice_runtime: Runtime) -> Runtime:
    """The runtime with no address allowed to use speech without pairing."""
    voice_runtime.settings = with_voice(voice_runtime.settings, allowed_addresses=())
    return voice_runtime


def test_an_unpaired_stranger_may_describe_but_not_transcribe(closed_runtime: Runtime) -> None:
    from appliance.server import create_app

    async def try_it(uri: str) -> tuple[Info, Error, Event | None]:
        async with client_for(uri) as client:
            await client.write_event(Describe().event())
            info = Info.from_event(await next_of(client, "info"))
            await client.write_event(Transcribe().event())
            error = Error.from_event(await next_of(client, "error"))
            return info, error, await client.read_event()

    with TestClient(app=create_app(closed_runtime, close_runtime=False)):
        assert closed_runtime.wyoming is not None
        info, error, after = run(try_it(f"tcp://127.0.0.1:{closed_runtime.wyoming.port}"))
    assert info.asr and error.code == "unauthorized"
    assert after is None  # told, then closed: no transcript


async def _raw(uri: str, lines: list[bytes]) -> bytes:
    host, port = uri.removeprefix("tcp://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    for line in lines:
        writer.write(line)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)  # read to the end: the server closes
    writer.close()
    return answer


@pytest.mark.parametrize(
    "hostile",
    [
        json.dumps({"type": "audio-chunk", "payload_length": 10**10}).encode() + b"\n",
        json.dumps({"type": "transcribe", "data_length": 10**9}).encode() + b"\n",
        b"x" * 200_000 + b"\n",
        b"[1, 2, 3]\n",
        b"\xff\xfe not json\n",
        json.dumps({"type": "describe", "payload_length": -5}).encode() + b"\n",
    ],
    ids=["huge-payload", "huge-data", "endless-line", "not-an-object", "not-utf8", "negative-length"],
)
def test_hostile_framing_is_dropped_without_buffering_and_the_server_carries_on(wyoming_uri: str, hostile) -> None:
    assert run(_raw(wyoming_uri, [hostile])) == b""

    async def still_there() -> Info:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Describe().event())
            return Info.from_event(await next_of(client, "info"))

    assert run(still_there()).asr


def test_more_than_thirty_seconds_to_transcribe_is_refused(wyoming_uri: str) -> None:
    async def flood() -> Error:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Transcribe().event())
            await send_audio(client, Pcm(bytes(31 * RATE * 2)), chunk_seconds=1.0)
            return Error.from_event(await next_of(client, "error"))

    assert run(flood()).code == "too-long"


def test_synthesize_refuses_empty_and_endless_text(wyoming_uri: str) -> None:
    async def ask(text: str) -> Error:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Synthesize(text=text).event())
            return Error.from_event(await next_of(client, "error"))

    assert run(ask("   ")).code == "bad-request"
    assert run(ask("word " * 1000)).code == "bad-request"


def test_a_made_up_satellite_token_is_refused_and_closed(wyoming_uri: str) -> None:
    async def hello() -> tuple[Error, Event | None]:
        async with client_for(wyoming_uri) as client:
            await client.write_event(Event(type="atom-hello", data={"token": "atomsat_made-up"}))
            error = Error.from_event(await next_of(client, "error"))
            return error, await client.read_event()

    error, after = run(hello())
    assert error.code == "unauthorized" and after is None


def test_audio_is_silence_free_of_clipping(engine: VoiceEngine) -> None:
    """piper's reply audio stays in range (a clipped voice is unpleasant on small speakers)."""
    samples = to_float(engine.tts.synthesize("Timer set for five minutes."))
    assert float(abs(samples).max()) < 1.0
