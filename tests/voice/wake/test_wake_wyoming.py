"""Wyoming `detect` with Atom's wake model, as the real `wyoming` client (Home Assistant's) uses it."""

from __future__ import annotations

import pytest
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.wake import Detect, Detection, NotDetected

from appliance.voice.audio import Pcm
from tests.voice.test_wyoming_endpoint import client_for, next_of, run, send_audio
from tests.voice.wake.conftest import joined, silence

pytestmark = pytest.mark.timeout(240)


def detect(uri: str, pcm: Pcm) -> Event:
    async def go() -> Event:
        async with client_for(uri) as client:
            await client.write_event(Detect(names=["atom"]).event())
            await send_audio(client, pcm)
            return await next_of(client, "detection", "not-detected", "error")

    return run(go())


def test_describe_lists_the_installed_wake_model(wake_uri: str) -> None:
    async def go() -> Info:
        async with client_for(wake_uri) as client:
            await client.write_event(Describe().event())
            return Info.from_event(await next_of(client, "info"))

    model = run(go()).wake[0].models[0]
    assert model.name == "atom-wake" and model.installed is True and model.phrase == "Atom"


def test_detect_answers_a_detection_for_atom(wake_uri: str, piper_says) -> None:
    answer = detect(wake_uri, joined(silence(0.5), piper_says("Hey Atom."), silence(0.5)))
    assert Detection.is_type(answer.type)
    detection = Detection.from_event(answer)
    assert detection.name == "atom-wake" and detection.timestamp is not None and 500 < detection.timestamp < 3000


def test_detect_answers_not_detected_for_a_near_miss(wake_uri: str, piper_says) -> None:
    answer = detect(wake_uri, joined(silence(0.5), piper_says("Adam put it at the bottom."), silence(0.5)))
    assert NotDetected.is_type(answer.type)


def test_detection_comes_while_the_audio_still_streams(wake_uri: str, piper_says) -> None:
    """Home Assistant streams without end: the answer cannot wait for audio-stop."""
    pcm = joined(silence(0.5), piper_says("Atom."), silence(1.0))

    async def go() -> Event:
        async with client_for(wake_uri) as client:
            await client.write_event(Detect().event())
            await client.write_event(AudioStart(rate=pcm.rate, width=pcm.width, channels=pcm.channels).event())
            step = 2048
            for at in range(0, len(pcm.audio), step):
                await client.write_event(
                    AudioChunk(pcm.rate, pcm.width, pcm.channels, pcm.audio[at : at + step]).event()
                )
            answer = await next_of(client, "detection", "not-detected")  # no audio-stop sent yet
            await client.write_event(AudioStop().event())
            return answer

    assert Detection.is_type(run(go()).type)


def test_audio_at_another_rate_is_converted_before_detection(wake_uri: str, piper_says) -> None:
    from appliance.voice.audio import from_float, resample, to_float

    speech = joined(silence(0.5), piper_says("Atom."), silence(0.5))
    at_48k = Pcm(from_float(resample(to_float(speech), 16000, 48000)), rate=48000)
    assert Detection.is_type(detect(wake_uri, at_48k).type)
