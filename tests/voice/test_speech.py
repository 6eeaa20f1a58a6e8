"""Speech to text and back with the real models: piper speaks, faster-whisper hears, Silero ends."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from appliance.errors import InvalidInput
from appliance.voice import VoiceEngine, strip_wake_word
from appliance.voice.assistant import spoken_words
from appliance.voice.audio import RATE, Pcm, from_float, read_wav, resample, to_float, to_model_pcm, wav_bytes
from appliance.voice.stt import prompt_for
from appliance.voice.vad import Heard

pytestmark = pytest.mark.timeout(240)

COMMAND = "Atom, add oat milk to the shopping list."


def test_piper_speaks_a_sentence(engine: VoiceEngine) -> None:
    pcm = engine.tts.synthesize("Hello from Atom. The kettle is on.")
    assert (pcm.rate, pcm.width, pcm.channels) == (22050, 2, 1)
    assert 1.5 < pcm.seconds < 6
    assert float(np.sqrt(np.mean(to_float(pcm) ** 2))) > 0.02  # sound, not silence


def test_atom_is_heard_as_atom_thanks_to_the_prompt(engine: VoiceEngine, say) -> None:
    heard = asyncio.run(engine.transcribe(say(COMMAND), ["ada", "shopping", "chores"]))
    assert heard.lower().startswith("atom"), heard
    assert "shopping list" in heard.lower(), heard


def test_without_the_prompt_tiny_en_hears_adam(engine: VoiceEngine, say) -> None:
    """The trap the prompt exists for (faster-whisper called directly, no initial prompt)."""
    engine.stt.load()
    model = engine.stt._model
    segments, _ = model.transcribe(to_float(say(COMMAND)), language="en", beam_size=5, without_timestamps=True)
    heard = " ".join(s.text for s in segments).strip()
    assert not heard.lower().startswith("atom"), heard


def _as_a_browser_hears(pcm: Pcm) -> Pcm:
    """16 kHz speech as a quiet browser capture brings it: 48 kHz at a quarter of the level, then Atom's conversion."""
    louder = resample(to_float(pcm), RATE, 48_000) * 0.25
    return to_model_pcm(Pcm(from_float(louder), 48_000))


@pytest.mark.parametrize(
    "command", ["Atom, add bread and butter to the shopping list.", "Atom, add a dentist appointment on Friday at ten."]
)
def test_add_is_heard_as_add_from_a_browser(engine: VoiceEngine, say, command: str) -> None:
    """With the household's names alone as the prompt, tiny.en heard these as "ad bread…" and "added dentist…"."""
    heard = asyncio.run(engine.transcribe(_as_a_browser_hears(say(command)), ["ada", "ben", "chloe", "shopping"]))
    assert strip_wake_word(heard).lower().startswith("add "), heard


def test_the_prompt_puts_the_wake_word_first_and_the_households_words_once() -> None:
    assert prompt_for(["ada", "Shopping", "shopping", "atom", "chores"]) == (
        "Atom, add, set, what's, remind. Ada, Shopping, Chores."
    )
    assert prompt_for([]) == "Atom, add, set, what's, remind."
    assert prompt_for(["x"] * 100).count(",") < 40


@pytest.mark.parametrize(
    ("said", "command"),
    [
        ("Atom, add milk to the list.", "add milk to the list."),
        ("Adam stop", "stop"),
        ("atom", ""),
        ("Atomic clocks are neat", "Atomic clocks are neat"),
        ("add milk", "add milk"),
        ("And play some music.", "play some music."),  # the end of "Atom" heard as "and" (pre-roll)
        ("Atom, and turn off the kitchen lights.", "turn off the kitchen lights."),
        ("and", "and"),
        ("Andrew is home", "Andrew is home"),
        ("Add milk and eggs", "Add milk and eggs"),
    ],
)
def test_the_wake_word_is_taken_off_the_command(said: str, command: str) -> None:
    assert strip_wake_word(said) == command


def test_a_link_in_a_reply_is_said_as_its_words_only() -> None:
    reply = "Every September [1]. [1] [Boiler manual](https://www.notion.so/Boiler-%282024%29) [2] Bins"
    assert spoken_words(reply) == "Every September [1]. [1] Boiler manual [2] Bins"


def _ends(engine: VoiceEngine, pcm: Pcm, silence: float) -> tuple[Heard, float]:
    async def run() -> tuple[Heard, float]:
        endpointer = await engine.endpointer(start_seconds=3)
        audio = pcm.audio + bytes(int(silence * RATE) * 2)
        for at in range(0, len(audio), 1024):  # 32 ms pieces, as a satellite streams them
            if endpointer.feed(audio[at : at + 1024]) is not Heard.WAITING and endpointer.finished:
                break
        return endpointer.heard, endpointer.seconds

    return asyncio.run(run())


def test_end_of_speech_is_noticed_about_half_a_second_after_the_last_word(engine: VoiceEngine, say) -> None:
    speech = say("Set a timer for five minutes.")
    samples = to_float(speech)
    last_sound = np.nonzero(np.abs(samples) > 0.02)[0][-1] / RATE
    heard, at = _ends(engine, speech, silence=2.0)
    assert heard is Heard.ENDED
    assert 0.3 <= at - last_sound <= 0.8, (at, last_sound)


def test_silence_is_nothing_heard(engine: VoiceEngine) -> None:
    heard, at = _ends(engine, Pcm(b""), silence=4.0)
    assert heard is Heard.NOTHING and 2.9 <= at <= 3.1


def test_audio_in_any_usual_format_becomes_16k_mono(tmp_path) -> None:
    tone = (np.sin(np.arange(44100) * 2 * np.pi * 440 / 44100) * 0.5).astype(np.float32)
    stereo = np.repeat((tone * 32767).astype("<i2"), 2).tobytes()
    converted = to_model_pcm(Pcm(stereo, 44100, 2, 2))
    assert (converted.rate, converted.channels) == (16000, 1) and abs(converted.seconds - 1.0) < 0.01
    path = tmp_path / "tone.wav"
    path.write_bytes(wav_bytes(Pcm(stereo, 44100, 2, 2)))
    assert read_wav(path).channels == 2


@pytest.mark.parametrize("rate,width,channels", [(44100, 3, 1), (100, 2, 1), (16000, 2, 0), (10**7, 2, 1)])
def test_unsupported_formats_are_refused_clearly(rate: int, width: int, channels: int) -> None:
    with pytest.raises(InvalidInput, match="unsupported audio format"):
        to_model_pcm(Pcm(b"\0" * 64, rate, width, channels))


def test_a_file_that_is_not_a_wav_is_refused(tmp_path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio")
    with pytest.raises(InvalidInput, match="not a PCM WAV"):
        read_wav(path)
