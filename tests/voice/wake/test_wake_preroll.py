"""Where the detector says "Atom" ended, and what a satellite then sends: the audio from there on,
the same whatever the chunk size, from a buffer that never holds more than a couple of seconds."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from appliance.voice import strip_wake_word
from appliance.voice.audio import RATE, Pcm
from appliance.voice.satellite.preroll import PREROLL_SECONDS, RecentAudio, WakeListener
from appliance.voice.wake import Detector, WakeModel, threshold_for
from appliance.voice.wake.detector import END_MARGIN_MS
from tests.voice.wake.conftest import joined, silence, trimmed

DEFAULT = threshold_for(0.5)
# On held-out voices (models/wake/phrase_end.py) the first frame over the threshold ends from 318 ms
# before to 134 ms after the phrase's end (p1 to p99); the estimate is that, less the margin, and
# never after the end on these clips (what would cut a command said at once).
EARLIEST_MS, LATEST_MS = -(320 + END_MARGIN_MS), 0


def streamed(model: WakeModel, audio: bytes, chunk_bytes: int) -> tuple[bytes, int] | None:
    """What a satellite sends after "Atom" (the audio since the phrase's end, then every later chunk)
    and the estimated phrase end; None if it was not heard."""
    listener = WakeListener(Detector(model, DEFAULT))
    for at in range(0, len(audio), chunk_bytes):
        since = listener.hear(audio[at : at + chunk_bytes])
        if since is not None:
            return since + audio[at + chunk_bytes :], listener.detector.phrase_end
    return None


def phrase_end_error_ms(model: WakeModel, wake: Pcm) -> float:
    lead = silence(0.5)
    audio = joined(lead, wake, silence(0.8)).audio
    heard = streamed(model, audio, 2048)
    assert heard is not None
    return (heard[1] - (len(lead.audio) + len(wake.audio)) // 2) * 1000 / RATE


@pytest.mark.parametrize("phrase", ["Atom.", "Hey Atom."])
def test_the_phrase_end_from_piper_is_just_before_where_it_ended(wake_model: WakeModel, piper_says, phrase) -> None:
    assert EARLIEST_MS <= phrase_end_error_ms(wake_model, trimmed(piper_says(phrase))) <= LATEST_MS


@pytest.mark.parametrize("voice", ["en-029+m6", "en-gb-x-gbcwmd+f4", "en-us+Annie"])
def test_the_phrase_end_from_espeak_is_just_before_where_it_ended(wake_model: WakeModel, espeak_says, voice) -> None:
    assert EARLIEST_MS <= phrase_end_error_ms(wake_model, trimmed(espeak_says("Atom", voice))) <= LATEST_MS


def test_reset_starts_the_count_of_samples_again(wake_model: WakeModel, piper_says) -> None:
    detector = Detector(wake_model, DEFAULT)
    clip = joined(silence(0.5), piper_says("Atom."), silence(0.6)).audio
    assert detector.process(clip)
    first = detector.phrase_end
    detector.reset()
    detector._deaf = 0  # the refractory period is not what this checks
    assert detector.phrase_end == 0
    assert detector.process(clip) and detector.phrase_end == first


@pytest.mark.parametrize("chunk_bytes", [320, 777, 2048, 2560, 7000])
def test_chunk_sizes_do_not_change_what_is_sent(wake_model: WakeModel, piper_says, chunk_bytes: int) -> None:
    command = trimmed(piper_says("Add bread to the shopping list."))
    audio = joined(silence(0.7), trimmed(piper_says("Atom.")), silence(0.05), command, silence(0.5)).audio
    reference = streamed(wake_model, audio, 2048)
    heard = streamed(wake_model, audio, chunk_bytes)
    assert reference is not None and heard is not None
    assert heard == reference
    sent, phrase_end = heard
    assert sent == audio[phrase_end * 2 :]
    assert len(sent) >= len(command.audio) + RATE  # the whole command and the quiet after it


def test_the_recent_audio_is_bounded_and_addressed_from_the_reset() -> None:
    recent = RecentAudio(seconds=0.5)
    audio = (np.arange(3 * RATE) % 30_000).astype("<i2").tobytes()  # 3 s, every sample told apart
    for at in range(0, len(audio), 999):
        recent.add(audio[at : at + 999])
        assert len(recent) <= recent.limit == RATE  # 0.5 s of 16-bit samples
    assert recent.since(0) == audio[-RATE:]  # what is gone is gone: from the oldest kept on
    assert recent.since(3 * RATE - 100) == audio[-200:]
    recent.add(audio + audio)  # one chunk longer than the bound
    assert len(recent) == RATE and recent.since(9 * RATE - 10) == audio[-20:]
    recent.reset()
    assert len(recent) == 0 and recent.since(0) == b""


def test_a_satellite_listening_for_hours_keeps_a_couple_of_seconds(wake_model: WakeModel, piper_says) -> None:
    listener = WakeListener(Detector(wake_model, DEFAULT))
    talk = joined(piper_says("The kids want pancakes for breakfast."), silence(0.3)).audio
    for _ in range(6):
        assert listener.hear(talk) is None
        assert len(listener.recent) <= PREROLL_SECONDS * RATE * 2
    since = listener.hear(joined(silence(1.0), piper_says("Atom."), silence(0.5)).audio)
    assert since is not None and 0 < len(since) <= PREROLL_SECONDS * RATE * 2


# From the chunk after the detection on (main's satellite) tiny.en heard these as "Show me some
# music." and "Takes on the shopping list."; from the estimated end, "And play some music." and whole.
@pytest.mark.parametrize("command", ["Play some music.", "Put eggs on the shopping list."])
def test_a_command_right_after_atom_is_heard_whole(wake_model, wake_engine, piper_says, command: str) -> None:
    audio = joined(silence(0.7), trimmed(piper_says("Atom.")), trimmed(piper_says(command)), silence(1.0)).audio
    heard = streamed(wake_model, audio, 2048)
    assert heard is not None
    text = asyncio.run(wake_engine.transcribe(Pcm(heard[0]), ["Shopping"]))
    assert strip_wake_word(text).lower() == command.lower(), text
