"""One client of the Wyoming endpoint, from its first event to its last.

Events are dispatched by type. Transcription collects audio between `audio-start` and `audio-stop`
and answers at the stop; wake detection scores audio as it arrives and answers `detection` the
moment "Atom" is heard (else `not-detected` at the stop); a paired satellite's audio goes to its
`SatelliteSession`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import msgspec
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.ping import Ping, Pong
from wyoming.tts import Synthesize
from wyoming.wake import Detect, Detection, NotDetected

from appliance.ai.models import read_installed
from appliance.errors import InvalidInput
from appliance.voice.audio import RATE, Pcm, to_model_pcm
from appliance.voice.endpoint.events import Hello, Listen, Welcome, from_event, is_atom_event, to_event
from appliance.voice.endpoint.framing import FramingError, read_event, write_event
from appliance.voice.endpoint.info import describe
from appliance.voice.pipeline import SatelliteSession
from appliance.voice.satellites import identify, saw_satellite
from appliance.voice.wake import NO_WAKE_MODEL, WakeDetector
from appliance.voice.wake.enrolment import member_head

if TYPE_CHECKING:
    from appliance.voice.endpoint.server import WyomingServer

__all__ = ["Connection"]

log = logging.getLogger("appliance.voice")
IDLE_SECONDS = 300  # a client silent this long is closed (satellites ping every minute)
MAX_AUDIO_SECONDS = 30  # one transcription or detection
_MAX_AUDIO_BYTES = MAX_AUDIO_SECONDS * RATE * 2
_MAX_WORDS = 100


class Refused(Exception):
    """A request this client may not make, or cannot make now; told to it as an `error` event."""

    def __init__(self, text: str, code: str) -> None:
        super().__init__(text)
        self.code = code


class Connection:
    def __init__(
        self, server: WyomingServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, address: str
    ) -> None:
        self.server, self.reader, self.writer, self.address = server, reader, writer, address
        self.session: SatelliteSession | None = None
        self._collecting: str | None = None  # "transcribe" or "detect" while audio is awaited
        self._format: tuple[int, int, int] = (RATE, 2, 1)
        self._audio = bytearray()
        self._words: list[str] = []
        self._detector: WakeDetector | None = None
        self._detect_samples = 0  # audio heard so far in this detection, for the detection's timestamp
        self._write_lock = asyncio.Lock()
        self._closed = False

    @property
    def satellite_id(self) -> str | None:
        return self.session.identity.satellite.id if self.session else None

    @property
    def user_id(self) -> str | None:
        return self.session.identity.principal.user_id if self.session else None

    @property
    def may_use_services(self) -> bool:
        return self.session is not None or self.server.allowed.allows(self.address)

    async def run(self) -> None:
        try:
            while not self._closed:
                event = await asyncio.wait_for(read_event(self.reader), IDLE_SECONDS)
                if event is None:
                    break
                await self._handle(event)
        except (FramingError, TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            log.debug("wyoming client %s dropped: %s", self.address, exc)
        finally:
            await self.close()

    async def send(self, event: Event) -> None:
        async with self._write_lock:
            if not self._closed:
                await write_event(event, self.writer)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.session is not None:
            self.server.hub.leave(self.session)
            await self.session.close()
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()

    async def _handle(self, event: Event) -> None:
        try:
            await self._dispatch(event)
        except Refused as refusal:
            await self.send(Error(text=str(refusal), code=refusal.code).event())
            if refusal.code == "unauthorized":
                await self.close()
        except (msgspec.ValidationError, InvalidInput, KeyError, TypeError, ValueError) as exc:
            await self.send(Error(text=f"bad {event.type} event: {exc}", code="bad-request").event())

    async def _dispatch(self, event: Event) -> None:
        kind = event.type
        if Describe.is_type(kind):
            installed = set(read_installed(self.server.engine.settings.data_dir).models)
            info = await asyncio.to_thread(describe, self.server.engine, installed)  # may load the wake model
            return await self.send(info.event())
        if Ping.is_type(kind):
            return await self.send(Pong(text=Ping.from_event(event).text).event())
        if is_atom_event(event):
            return await self._atom(event)
        if AudioChunk.is_type(kind) or AudioStart.is_type(kind) or AudioStop.is_type(kind):
            return await self._audio_event(event)
        if not self.may_use_services:
            raise Refused("pair this device (atom satellite pair), or have an admin allow its address", "unauthorized")
        if Transcribe.is_type(kind):
            return self._expect("transcribe", Transcribe.from_event(event).transcript_names or [])
        if Detect.is_type(kind):
            return await self._start_detecting()
        if Synthesize.is_type(kind):
            return await self._synthesize(Synthesize.from_event(event).text)
        raise Refused(f"Atom does not handle {kind!r} events", "unsupported")

    # --- paired satellites -------------------------------------------------------------------

    async def _atom(self, event: Event) -> None:
        message = from_event(event)
        if isinstance(message, Hello):
            return await self._hello(message)
        if self.session is None:
            raise Refused("say atom-hello with this satellite's device token first", "unauthorized")
        if isinstance(message, Listen):
            return await self.session.listen(message)
        raise Refused(f"a satellite does not send {event.type}", "unsupported")

    async def _hello(self, hello: Hello) -> None:
        identity = await identify(self.server.db, hello.token)
        if identity is None:
            log.warning("wyoming: a device at %s offered an unknown satellite token", self.address)
            raise Refused("unknown or revoked satellite token", "unauthorized")
        self.session = SatelliteSession(identity, self.server.engine, self.server.assistant, self.send)
        previous = self.server.hub.join(self.session)
        if previous is not None:
            await previous.close()
        await saw_satellite(self.server.db, identity.satellite.id, self.address)
        satellite = identity.satellite
        welcome = Welcome(
            satellite_id=satellite.id,
            name=satellite.name,
            room=satellite.room,
            speaker=identity.principal.display_name,
            wake=await asyncio.to_thread(self.server.engine.wake) is not None,
            follow_up_seconds=self.server.engine.settings.voice.follow_up_seconds,
            wake_head=await self._wake_head(satellite.user_id),
        )
        await self.send(to_event(welcome))

    async def _wake_head(self, user_id: str | None) -> list[float] | None:
        """A member's satellite hears "Atom" with the detector adapted to that member's voice."""
        head = None if user_id is None else await member_head(self.server.db, user_id)
        return None if head is None else [*map(float, head.weights), head.bias]

    # --- audio, for whichever consumer asked for it ------------------------------------------

    async def _audio_event(self, event: Event) -> None:
        if self.session is not None and self._collecting is None:
            return await self._to_session(event)
        if self._collecting is None:
            return None  # audio nobody asked for is dropped
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            self._format = (start.rate, start.width, start.channels)
        elif AudioChunk.is_type(event.type) and self._collecting == "transcribe":
            self._collect(AudioChunk.from_event(event))
        elif AudioChunk.is_type(event.type):
            await self._detect_chunk(AudioChunk.from_event(event))
        else:
            await self._finish_collecting()

    async def _to_session(self, event: Event) -> None:
        assert self.session is not None
        if AudioStart.is_type(event.type):
            await self.session.audio_start(AudioStart.from_event(event))
        elif AudioChunk.is_type(event.type):
            await self.session.audio_chunk(AudioChunk.from_event(event))
        else:
            await self.session.audio_stop(AudioStop.from_event(event))

    def _expect(self, what: str, words: list[str]) -> None:
        self._collecting, self._audio = what, bytearray()
        self._words = [str(w)[:60] for w in words[:_MAX_WORDS]]

    def _collect(self, chunk: AudioChunk) -> None:
        pcm = to_model_pcm(Pcm(chunk.audio, chunk.rate, chunk.width, chunk.channels))
        if len(self._audio) + len(pcm.audio) > _MAX_AUDIO_BYTES:
            self._collecting = None
            raise Refused(f"more than {MAX_AUDIO_SECONDS} s of audio in one request", "too-long")
        self._audio += pcm.audio

    async def _finish_collecting(self) -> None:
        what, audio = self._collecting, bytes(self._audio)
        self._collecting, self._audio, self._detector = None, bytearray(), None
        if what == "detect":
            return await self.send(NotDetected().event())
        if what == "detected":
            return None
        words = [*self._words, *await self.server.assistant.words(self.session.identity if self.session else None)]
        text = await self.server.engine.transcribe(Pcm(audio), words)
        await self.send(Transcript(text=text, language="en").event())

    async def _start_detecting(self) -> None:
        """A fresh detector for this stream; none installed: say so, and answer not-detected at the stop."""
        self._expect("detect", [])
        self._detect_samples = 0
        self._detector = await asyncio.to_thread(self.server.engine.wake)  # the first load reads the models
        if self._detector is None:
            await self.send(Error(text=NO_WAKE_MODEL, code="no-wake-model").event())

    async def _detect_chunk(self, chunk: AudioChunk) -> None:
        """Score audio as it comes (nothing is kept, so a detection stream may run for as long as a
        client listens); after a detection the rest of the stream is dropped."""
        if self._collecting != "detect" or self._detector is None:
            return
        pcm = to_model_pcm(Pcm(chunk.audio, chunk.rate, chunk.width, chunk.channels))
        self._detect_samples += len(pcm.audio) // 2
        if await asyncio.to_thread(self._detector.process, pcm.audio):
            self._collecting = "detected"
            milliseconds = self._detect_samples * 1000 // RATE
            await self.send(Detection(name=self._detector.name, timestamp=milliseconds).event())

    async def _synthesize(self, text: str) -> None:
        if not text.strip() or len(text) > 2000:
            raise Refused("synthesize needs some text, at most 2000 characters", "bad-request")
        pcm = await self.server.engine.synthesize(text)
        await self.send(AudioStart(rate=pcm.rate, width=pcm.width, channels=pcm.channels).event())
        step = pcm.rate // 10 * pcm.width * pcm.channels
        for at in range(0, len(pcm.audio), step):
            await self.send(AudioChunk(pcm.rate, pcm.width, pcm.channels, pcm.audio[at : at + step]).event())
        await self.send(AudioStop().event())
