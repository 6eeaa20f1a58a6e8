"""Voice: Atom heard and spoken, on satellites, in the browser and for Home Assistant.

    engine.py     the speech models of one process (faster-whisper, piper, Silero VAD), lazily loaded
    audio.py      16 kHz mono 16-bit PCM and the conversions to it
    vad.py        end of speech; stt.py, tts.py the recogniser and the voice; wake.py the wake stage
    pipeline.py   one satellite's conversation, a state machine; hub.py the satellites connected now
    endpoint/     the Wyoming server inside `atom serve`
    satellites/   pairing: device tokens bound to a room and to the household or one member
    satellite/    `atom satellite`, the device end (audio sources and sinks by URI)

Voice never imports an edge: the server hands it an `Assistant` that acts through the coordinator.
"""

from appliance.voice.assistant import Assistant, Spoken, strip_wake_word
from appliance.voice.endpoint import WyomingServer
from appliance.voice.engine import VoiceEngine
from appliance.voice.hub import SatelliteHub

__all__ = ["Assistant", "SatelliteHub", "Spoken", "VoiceEngine", "WyomingServer", "strip_wake_word"]
