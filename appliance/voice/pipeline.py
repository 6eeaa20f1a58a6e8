"""One paired satellite's conversation with Atom: an explicit state machine.

    IDLE ──listen──▶ LISTENING ──end of speech──▶ THINKING ──reply──▶ SPEAKING ──done──▶ IDLE
      ▲                  │ nothing heard              │ "stop" / nothing to say
      └──────────────────┴────────────────────────────┘

LISTENING feeds the endpointer (off the event loop); at the end of speech the satellite is told
(`voice-stopped`) and THINKING runs as a task, so the connection keeps reading: a new `listen`
during THINKING or SPEAKING interrupts (barge-in). Announcements (timers, reminders) wait for IDLE.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable

from wyoming.asr import Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.vad import VoiceStarted, VoiceStopped

from appliance.voice.assistant import Assistant, Spoken, strip_wake_word
from appliance.voice.audio import Pcm, to_model_pcm
from appliance.voice.endpoint.events import Announce, AnnounceKind, Idle, Listen, Reply, Stop, to_event
from appliance.voice.engine import VoiceEngine
from appliance.voice.satellites import SatelliteIdentity
from appliance.voice.vad import Endpointer, Heard

__all__ = ["State", "SatelliteSession", "Send"]

log = logging.getLogger("appliance.voice")
Send = Callable[[Event], Awaitable[None]]
_CHUNK_SECONDS = 0.1  # reply audio is sent in pieces this long
_PUSH_TO_TALK_SECONDS = 8.0  # how long a push-to-talk waits for the first word
_RING_PAUSE = 2.0


class State(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


class SatelliteSession:
    def __init__(self, identity: SatelliteIdentity, engine: VoiceEngine, assistant: Assistant, send: Send) -> None:
        self.identity, self._engine, self._assistant, self._send = identity, engine, assistant, send
        self.state = State.IDLE
        self._endpointer: Endpointer | None = None
        self._source_format: tuple[int, int, int] | None = None
        self._work: asyncio.Task[None] | None = None  # THINKING then SPEAKING
        self._announcing: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._ended_at = 0.0

    @property
    def follow_up_seconds(self) -> float:
        return self._engine.settings.voice.follow_up_seconds

    # --- events from the satellite -----------------------------------------------------------

    async def listen(self, request: Listen) -> None:
        await self.interrupt()
        seconds = self.follow_up_seconds if request.reason == "follow-up" else _PUSH_TO_TALK_SECONDS
        self._endpointer = await self._engine.endpointer(start_seconds=max(seconds, 0.5))
        self._source_format = None
        self._enter(State.LISTENING)

    async def audio_start(self, start: AudioStart) -> None:
        if self.state is State.LISTENING:
            self._source_format = (start.rate, start.width, start.channels)

    async def audio_chunk(self, chunk: AudioChunk) -> None:
        if self.state is not State.LISTENING or self._endpointer is None:
            return  # the tail of an utterance already ended, or audio nobody asked for
        pcm = to_model_pcm(Pcm(chunk.audio, chunk.rate, chunk.width, chunk.channels))
        before = self._endpointer.heard
        heard = await asyncio.to_thread(self._endpointer.feed, pcm.audio)
        if before is Heard.WAITING and heard is not Heard.WAITING and heard is not Heard.NOTHING:
            await self._send(VoiceStarted().event())
        if self._endpointer.finished:
            await self._end_of_speech()

    async def audio_stop(self, _: AudioStop) -> None:
        if self.state is State.LISTENING:
            await self._end_of_speech()  # the source ran dry: what was said so far is the command

    # --- the work ----------------------------------------------------------------------------

    async def _end_of_speech(self) -> None:
        endpointer, self._endpointer = self._endpointer, None
        assert endpointer is not None
        self._ended_at = time.perf_counter()
        await self._send(VoiceStopped().event())
        self._enter(State.THINKING)
        self._work = asyncio.create_task(self._respond(endpointer))

    async def _respond(self, endpointer: Endpointer) -> None:
        try:
            if endpointer.heard in (Heard.WAITING, Heard.NOTHING):
                return await self._rest("nothing heard")
            timings: dict[str, float] = {}
            words = await self._assistant.words(self.identity)
            text = await self._engine.transcribe(Pcm(bytes(endpointer.audio)), words)
            timings["stt"] = self._elapsed()
            await self._send(Transcript(text=text, language="en").event())
            command = strip_wake_word(text)
            if not command:
                return await self._rest("no command")
            spoken = await self._assistant.act(self.identity, command)
            timings["action"] = self._elapsed()
            await self._reply(spoken, timings)
        except asyncio.CancelledError:
            raise
        except ConnectionError:
            log.debug("satellite %s hung up mid-reply", self.identity.satellite.id)
        except Exception:  # noqa: BLE001 - a failed command must not end the satellite's connection
            log.exception("voice command failed on satellite %s", self.identity.satellite.id)
            await self._speak_safely("Sorry, something went wrong.")

    async def _reply(self, spoken: Spoken, timings: dict[str, float]) -> None:
        if spoken.stop:
            self.silence()
            await self._send(to_event(Stop()))  # also ends the turn
            return self._enter(State.IDLE)
        if not spoken.text:
            return await self._rest("nothing to say")
        self._enter(State.SPEAKING)

        async def tell() -> None:  # once the first sentence is ready: the reply, then its audio
            timings["first_audio"] = self._elapsed()
            follow_up = self.follow_up_seconds
            await self._send(
                to_event(Reply(text=spoken.text, tool=spoken.tool, follow_up_seconds=follow_up, timings=timings))
            )

        await self._speak(spoken.text, before_audio=tell)
        self._enter(State.IDLE)

    async def _speak(self, text: str, before_audio: Callable[[], Awaitable[None]] | None = None) -> None:
        """Send `text` as audio, sentence by sentence (the first plays while the next is made)."""
        started = False
        pieces = self._engine.tts.sentences(text)
        while (pcm := await asyncio.to_thread(next, pieces, None)) is not None:
            if not started:
                if before_audio is not None:
                    await before_audio()
                await self._send(AudioStart(rate=pcm.rate, width=pcm.width, channels=pcm.channels).event())
                started = True
            step = int(pcm.rate * _CHUNK_SECONDS) * pcm.width * pcm.channels
            for at in range(0, len(pcm.audio), step):
                chunk = AudioChunk(pcm.rate, pcm.width, pcm.channels, pcm.audio[at : at + step])
                await self._send(chunk.event())
        if started:
            await self._send(AudioStop().event())
        elif before_audio is not None:
            await before_audio()

    async def _speak_safely(self, text: str) -> None:
        try:
            await self._send(to_event(Reply(text=text, tool="error", follow_up_seconds=0)))
            await self._speak(text)
        except Exception:  # noqa: BLE001 - the connection itself may be what failed
            log.debug("could not tell the satellite", exc_info=True)
        self._enter(State.IDLE)

    async def _rest(self, reason: str) -> None:
        await self._send(to_event(Idle(reason=reason)))
        self._enter(State.IDLE)

    def _elapsed(self) -> float:
        return round((time.perf_counter() - self._ended_at) * 1000, 1)

    def _enter(self, state: State) -> None:
        self.state = state
        if state is State.IDLE:
            self._idle.set()
        else:
            self._idle.clear()

    # --- interruptions and announcements -----------------------------------------------------

    async def interrupt(self) -> None:
        """Barge-in: whatever was being thought or said is dropped (the satellite stops playing)."""
        work, self._work = self._work, None
        if work is not None and not work.done():
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
        self._endpointer = None
        self._enter(State.IDLE)

    def silence(self) -> None:
        """Stop a ringing timer or an announcement on this satellite."""
        if self._announcing is not None and not self._announcing.done():
            self._announcing.cancel()
        self._announcing = None

    def announce(self, text: str, kind: AnnounceKind, rings: int = 1) -> None:
        """Say `text` when the satellite is idle; a timer rings (repeats) until stopped."""
        self.silence()
        self._announcing = asyncio.get_running_loop().create_task(self._announce(text, kind, rings))

    async def _announce(self, text: str, kind: AnnounceKind, rings: int) -> None:
        for ring in range(rings):
            await self._idle.wait()
            await self._send(to_event(Announce(text=text, kind=kind)))
            await self._speak(text)
            if ring + 1 < rings:
                await asyncio.sleep(_RING_PAUSE)

    async def close(self) -> None:
        self.silence()
        await self.interrupt()
