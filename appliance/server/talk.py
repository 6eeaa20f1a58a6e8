"""Push-to-talk from a browser: the Voice page acts as a satellite of its own, for the member signed in.

The page holds a WebSocket at `/api/voice/talk` and the server runs the same `SatelliteSession` as
for a paired satellite (end of speech, recognition, the coordinator as the member, piper's reply,
the follow-up window, "stop", ringing timers); this module only translates:

    page                                   server
    {"type": "listen", "reason": …}   →         (push-to-talk, or the follow-up window)
    binary: 16 kHz mono 16-bit PCM    →
    {"type": "end"}                   →         (button released: what was said is the command)
    {"type": "stop"}                  →         (stop the reply, or a ringing timer)
                                      ←    ready {speaker, follow_up_seconds, max_seconds}
                                      ←    voice-started, voice-stopped, transcript {text}
                                      ←    reply {text, tool, follow_up_seconds}, then binary: a WAV
                                      ←    announce {text, kind}, then binary: a WAV
                                      ←    idle {reason}, stop, error {code, text}

One socket per sign-in: a second (another tab) takes over and the first is told so. The socket
lives no longer than its sign-in, like the live channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event as WyomingEvent

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.ai.models import require_model
from appliance.errors import ModelMissing
from appliance.runtime import Runtime
from appliance.server.routes.live import CLOSE_SIGNED_OUT, credential_lapsed
from appliance.server.voice import VoiceAssistant
from appliance.settings import Settings
from appliance.voice.audio import RATE, WIDTH, Pcm, wav_bytes
from appliance.voice.endpoint.events import Listen
from appliance.voice.engine import VAD_MODEL
from appliance.voice.pipeline import SatelliteSession, State
from appliance.voice.satellites import Satellite, SatelliteIdentity

__all__ = ["BrowserTalk", "MAX_SECONDS", "missing_voice", "CLOSE_REPLACED"]

log = logging.getLogger("appliance.voice")
MAX_SECONDS = 15  # one utterance; the endpointer cuts it there too
CLOSE_REPLACED = 4409  # another tab of the same sign-in took push-to-talk over
_MAX_FRAME = 64 * 1024  # two seconds of audio: a page sends a tenth of that at a time
_MAX_REPLY_BYTES = 120 * 22_050 * 2  # two minutes of piper's voice; the rest is not sent


class _Listen(msgspec.Struct, frozen=True, tag="listen", forbid_unknown_fields=True):
    reason: Literal["push-to-talk", "follow-up"] = "push-to-talk"


class _End(msgspec.Struct, frozen=True, tag="end", forbid_unknown_fields=True):
    pass


class _Stop(msgspec.Struct, frozen=True, tag="stop", forbid_unknown_fields=True):
    pass


_decoder = msgspec.json.Decoder(_Listen | _End | _Stop)


def missing_voice(settings: Settings) -> str | None:
    """Why push-to-talk cannot work on this box (a model not installed), or None. Blocking."""
    voice = settings.voice
    for name, what in (
        (voice.stt_model, "speech recognition"),
        (VAD_MODEL, "end of speech"),
        (voice.tts_voice, "the voice"),
    ):
        try:
            require_model(settings.data_dir, name)
        except ModelMissing:
            return f"No model for {what} is installed on this Atom: an admin runs `atom models install {name}`."
    return None


class BrowserTalk:
    """One browser's push-to-talk socket, from accept to close."""

    def __init__(self, socket: WebSocket, runtime: Runtime, principal: Principal) -> None:
        self._socket, self._runtime, self._principal = socket, runtime, principal
        identity = _identity(f"browser-{principal.credential_id}", principal)
        self.session = _BrowserSession(self, identity, runtime.voice, VoiceAssistant(runtime), self._out)
        self._send_lock = asyncio.Lock()
        self._reply: tuple[Pcm, bytearray] | None = None  # the reply audio being gathered

    async def run(self) -> None:
        missing = await asyncio.to_thread(missing_voice, self._runtime.settings)
        if missing is not None:
            await self._json({"type": "error", "code": "no-model", "text": missing})
            return await self._close(1000)
        await self._take_over()
        try:
            await self._json(self._ready())
            await self._until_first_of(
                self._read(), self._revoked(), credential_lapsed(self._runtime.db, self._principal)
            )
        finally:
            await self._leave()

    async def replaced(self) -> None:
        """Another tab of this sign-in took over."""
        with contextlib.suppress(ConnectionError):
            await self._json({"type": "error", "code": "replaced", "text": "Push-to-talk moved to another tab."})
        await self._close(CLOSE_REPLACED)

    # --- the socket's life ---------------------------------------------------------------------

    async def _until_first_of(self, reading: Any, *endings: Any) -> None:
        reader = asyncio.ensure_future(reading)
        others = [asyncio.ensure_future(e) for e in endings]
        done, pending = await asyncio.wait({reader, *others}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if reader not in done:
            await self._close(CLOSE_SIGNED_OUT)  # the sign-in ended: the page asks to sign in again

    async def _revoked(self) -> None:
        """Returns when the bus ends this sign-in's subscriptions (signed out, disabled, reset)."""
        async for _ in self._runtime.bus.subscribe(self._principal.user_id, self._principal.credential_id):
            pass

    async def _take_over(self) -> None:
        """Join the satellites connected now (its timers and reminders are said here too); the
        hub knows it by its sign-in, so another tab's socket of the same sign-in is replaced."""
        previous = self._runtime.satellites.join(self.session)
        if isinstance(previous, _BrowserSession):
            await previous.talk.replaced()

    async def _leave(self) -> None:
        self._runtime.satellites.leave(self.session)
        await self.session.close()

    async def _close(self, code: int) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self._socket.close(code=code)

    # --- from the page ---------------------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            message: dict[str, Any] = dict(await self._socket.receive())
            if message["type"] == "websocket.disconnect":
                return
            if isinstance(audio := message.get("bytes"), bytes):
                await self._audio(audio)
            elif isinstance(text := message.get("text"), str):
                await self._command(text)

    async def _command(self, text: str) -> None:
        try:
            command = _decoder.decode(text)
        except msgspec.DecodeError as exc:
            return await self._json({"type": "error", "code": "bad-request", "text": f"not a talk command: {exc}"})
        if isinstance(command, _Listen):
            await self.session.listen(Listen(reason=command.reason))
            await self.session.audio_start(AudioStart(rate=RATE, width=WIDTH, channels=1))
        elif isinstance(command, _End):
            await self.session.audio_stop(AudioStop())
        else:
            self.session.silence()
            await self.session.interrupt()
            await self._json({"type": "stop"})

    async def _audio(self, data: bytes) -> None:
        if len(data) > _MAX_FRAME or len(data) % WIDTH:
            text = f"send audio as 16 kHz mono 16-bit PCM, at most {_MAX_FRAME} bytes a message"
            return await self._json({"type": "error", "code": "bad-audio", "text": text})
        if self.session.state is State.LISTENING:
            await self.session.audio_chunk(AudioChunk(rate=RATE, width=WIDTH, channels=1, audio=data))

    # --- to the page -----------------------------------------------------------------------------

    async def _out(self, event: WyomingEvent) -> None:
        """What the session says, in the page's words; reply audio goes as one WAV when complete."""
        kind, data = event.type, event.data or {}
        if kind == "audio-start":
            self._reply = (Pcm(b"", int(data["rate"]), int(data["width"]), int(data["channels"])), bytearray())
        elif kind == "audio-chunk" and self._reply is not None:
            if len(self._reply[1]) < _MAX_REPLY_BYTES:
                self._reply[1].extend(event.payload or b"")
        elif kind == "audio-stop" and self._reply is not None:
            form, audio = self._reply
            self._reply = None
            await self._bytes(wav_bytes(msgspec.structs.replace(form, audio=bytes(audio))))
        elif (message := _message(kind, data)) is not None:
            await self._json(message)

    def _ready(self) -> dict[str, Any]:
        return {
            "type": "ready",
            "speaker": self._principal.display_name,
            "follow_up_seconds": self._runtime.settings.voice.follow_up_seconds,
            "max_seconds": MAX_SECONDS,
        }

    async def _json(self, message: dict[str, Any]) -> None:
        await self._send(msgspec.json.encode(message).decode(), None)

    async def _bytes(self, data: bytes) -> None:
        await self._send(None, data)

    async def _send(self, text: str | None, data: bytes | None) -> None:
        async with self._send_lock:
            try:
                if text is not None:
                    await self._socket.send_text(text)
                else:
                    await self._socket.send_bytes(data or b"")
            except (RuntimeError, WebSocketDisconnect) as exc:  # the page went away mid-reply
                raise ConnectionError("the page closed its push-to-talk socket") from exc


_FIELDS = {
    "voice-started": ("voice-started", ()),
    "voice-stopped": ("voice-stopped", ()),
    "transcript": ("transcript", ("text",)),
    "atom-reply": ("reply", ("text", "tool", "follow_up_seconds")),
    "atom-announce": ("announce", ("text", "kind")),
    "atom-idle": ("idle", ("reason",)),
    "atom-stop": ("stop", ()),
}


def _message(kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
    if kind not in _FIELDS:
        return None
    name, fields = _FIELDS[kind]
    return {"type": name, **{f: data.get(f) for f in fields}}


def _identity(key: str, principal: Principal) -> SatelliteIdentity:
    """The browser as a satellite that stands in no room and speaks as the member signed in."""
    satellite = Satellite(
        id=key, name="This browser", room="", user_id=principal.user_id, prefix="", created_at=clock.now()
    )
    return SatelliteIdentity(satellite=satellite, principal=principal)


class _BrowserSession(SatelliteSession):
    """A session that knows its socket, so the next one of the same sign-in can replace it."""

    def __init__(self, talk: BrowserTalk, *args: Any) -> None:
        super().__init__(*args)
        self.talk = talk
