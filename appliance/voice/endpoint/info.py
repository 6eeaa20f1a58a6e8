"""`describe`: Atom's wake, speech-to-text and text-to-speech programs, as Wyoming `info`."""

from __future__ import annotations

from wyoming.info import AsrModel, AsrProgram, Attribution, Info, TtsProgram, TtsVoice, WakeModel, WakeProgram

from appliance.system.version import atom_version
from appliance.voice.engine import VoiceEngine
from appliance.voice.wake import WAKE_MODEL

__all__ = ["describe"]

_ATOM = Attribution(name="Atom", url="")
_WHISPER = Attribution(name="OpenAI Whisper via faster-whisper", url="https://github.com/SYSTRAN/faster-whisper")
_PIPER = Attribution(name="Piper", url="https://github.com/OHF-Voice/piper1-gpl")


def describe(engine: VoiceEngine, installed: set[str]) -> Info:
    """What this box offers; `installed` is the names of the models present in its data folder."""
    version = atom_version()
    asr, tts, wake = _asr(engine, installed, version), _tts(engine, installed, version), _wake(engine, version)
    return Info(asr=[asr], tts=[tts], wake=[wake])


def _asr(engine: VoiceEngine, installed: set[str], version: str) -> AsrProgram:
    stt = engine.stt.name
    model = AsrModel(
        name=stt, attribution=_WHISPER, installed=stt in installed, description=stt, version=None, languages=["en"]
    )
    described = "Atom speech to text"
    return AsrProgram(
        name="atom-stt", attribution=_ATOM, installed=True, description=described, version=version, models=[model]
    )


def _tts(engine: VoiceEngine, installed: set[str], version: str) -> TtsProgram:
    tts = engine.tts.name
    voice = TtsVoice(
        name=tts, attribution=_PIPER, installed=tts in installed, description=tts, version=None, languages=["en_US"]
    )
    described = "Atom text to speech"
    return TtsProgram(
        name="atom-tts", attribution=_ATOM, installed=True, description=described, version=version, voices=[voice]
    )


def _wake(engine: VoiceEngine, version: str) -> WakeProgram:
    wake = engine.wake()
    model = WakeModel(
        name=wake.name if wake else WAKE_MODEL,
        attribution=_ATOM,
        installed=wake is not None,
        description="Atom (install atom-wake to detect it)" if wake is None else "Atom, or Hey Atom",
        version=None,
        languages=["en"],
        phrase="Atom",
    )
    return WakeProgram(
        name="atom-wake",
        attribution=_ATOM,
        installed=True,
        description="Atom wake word",
        version=version,
        models=[model],
    )
