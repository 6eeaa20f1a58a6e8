"""The satellite's run loop: one explicit state machine over one Wyoming connection.

    WAITING ──"Atom" heard, or push-to-talk──▶ STREAMING ──voice-stopped──▶ ANSWERING ──turn over──▶ WAITING
                                                                                   │ reply offered a follow-up
                                                                                   └──▶ STREAMING (no wake word)

With Atom's wake model installed in the satellite's own data folder, WAITING reads the source and
runs the detector on it locally; the audio after "Atom" is the command, sent from where the detector
says the phrase ended, so a command said in the same breath keeps its first words (preroll.py).
Without it, or when the source's push-to-talk is used, the command starts when the source says so.

A reader task takes the server's events as they come (replies, announcements, stop) and plays
audio to the sink, so a ringing timer is heard while the satellite waits for the next command.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import AsyncIterator
from typing import Literal
from urllib.parse import urlparse

import msgspec
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event

from appliance.errors import InvalidInput, ServiceUnavailable
from appliance.voice.audio import RATE
from appliance.voice.endpoint.events import Announce, Hello, Idle, Listen, Reply, Stop, Welcome, from_event, to_event
from appliance.voice.satellite.preroll import WakeListener
from appliance.voice.satellite.sinks import Sink
from appliance.voice.satellite.sources import Source
from appliance.voice.wake import NO_WAKE_MODEL, WakeDetector

__all__ = ["SatelliteClient", "State", "run_satellite"]

log = logging.getLogger("appliance.voice.satellite")
_TURN_SECONDS = 120  # the longest a command may take to be answered and played
_Reason = Literal["wake", "push-to-talk", "follow-up"]  # why a command began


class State(enum.Enum):
    WAITING = "waiting"
    STREAMING = "streaming"
    ANSWERING = "answering"


class SatelliteClient:
    def __init__(
        self, server: str, token: str, source: Source, sink: Sink, wake: WakeDetector | None = None, say=print
    ) -> None:
        self._server, self._token, self._source, self._sink, self._say = server, token, source, sink, say
        self._wake = wake
        self._listener = None if wake is None else WakeListener(wake)
        self.state = State.WAITING
        self.welcome: Welcome | None = None
        self.transcripts: list[str] = []
        self.replies: list[Reply] = []
        self._client: AsyncTcpClient | None = None
        self._voice_stopped = asyncio.Event()
        self._turn_over = asyncio.Event()
        self._follow_up = 0.0
        self._playing_kind = "reply"

    async def run(self) -> None:
        async with self._connect() as client:
            self._client = client
            self.welcome = await self._hello(client)
            self._say(f"Satellite {self.welcome.name!r} in {self.welcome.room}, speaking as {self.welcome.speaker}.")
            self._say(f"Listening for {self._wake.phrase!r}." if self._wake else NO_WAKE_MODEL)
            if self._wake is not None and self.welcome.wake_head:
                self._wake.use_head(self.welcome.wake_head)
                self._say("Using the wake-word detector adapted to this member's voice.")
            reader = asyncio.create_task(self._read(client))
            try:
                await self._commands()
            finally:
                reader.cancel()

    def _connect(self) -> AsyncTcpClient:
        parsed = urlparse(self._server)
        if parsed.scheme != "tcp" or not parsed.hostname or not parsed.port:
            raise InvalidInput(f"satellite.server must be tcp://host:port, not {self._server!r}")
        return AsyncTcpClient(parsed.hostname, parsed.port)

    async def _hello(self, client: AsyncTcpClient) -> Welcome:
        await client.write_event(to_event(Hello(token=self._token)))
        event = await asyncio.wait_for(client.read_event(), 30)
        if event is not None and Error.is_type(event.type):
            raise InvalidInput(f"Atom refused this satellite: {Error.from_event(event).text}")
        if event is None or event.type != "atom-welcome":
            raise ServiceUnavailable("Atom's Wyoming endpoint did not welcome this satellite")
        welcome = from_event(event)
        assert isinstance(welcome, Welcome)
        return welcome

    # --- the commands, one at a time ---------------------------------------------------------

    async def _commands(self) -> None:
        follow_up = False
        listening = self._wake is not None
        while await self._source.next_command(follow_up, listening and not follow_up):
            chunks = aiter(self._source.chunks())
            reason: _Reason | None = "follow-up" if follow_up else "push-to-talk"
            already = b""  # the command's audio read while listening for "Atom"
            if listening and not follow_up:
                reason, already = await self._await_wake(chunks)
            if reason is None:
                continue  # the source ran out without "Atom"
            self._sink.stop()  # barge-in: a new command silences whatever was playing
            await self._stream(reason, chunks, already)
            self.state = State.ANSWERING
            await asyncio.wait_for(self._turn_over.wait(), _TURN_SECONDS)
            follow_up = self._follow_up > 0
            self.state = State.WAITING

    async def _await_wake(self, chunks: AsyncIterator[bytes]) -> tuple[_Reason | None, bytes]:
        """Run the detector on the source until "Atom" (with the audio since the phrase's end) or
        push-to-talk; None if the source ends first."""
        assert self._listener is not None
        self._listener.reset()
        async for chunk in chunks:
            if self._source.pressed():
                return "push-to-talk", b""
            if (since := await asyncio.to_thread(self._listener.hear, chunk)) is not None:
                self._say(f"wake word heard ({self._listener.detector.phrase})")
                return "wake", since
        return None, b""

    async def _stream(self, reason: _Reason, chunks: AsyncIterator[bytes], already: bytes = b"") -> None:
        assert self._client is not None
        self._voice_stopped.clear()
        self._turn_over.clear()
        self._follow_up = 0.0
        self.state = State.STREAMING
        await self._client.write_event(to_event(Listen(reason=reason)))
        await self._client.write_event(AudioStart(rate=RATE, width=2, channels=1).event())
        if already:
            await self._client.write_event(AudioChunk(rate=RATE, width=2, channels=1, audio=already).event())
        async for chunk in chunks:
            if self._voice_stopped.is_set():
                break
            await self._client.write_event(AudioChunk(rate=RATE, width=2, channels=1, audio=chunk).event())
        await self._client.write_event(AudioStop().event())

    # --- what the server says ----------------------------------------------------------------

    async def _read(self, client: AsyncTcpClient) -> None:
        while (event := await client.read_event()) is not None:
            await self._on(event)
        self._say("Atom closed the connection.")
        self._voice_stopped.set()
        self._turn_over.set()

    async def _on(self, event: Event) -> None:
        kind = event.type
        if kind == "voice-stopped":
            self._voice_stopped.set()
        elif kind == "transcript":
            self.transcripts.append(str(event.data.get("text", "")))
            self._say(f"heard: {self.transcripts[-1]}")
        elif AudioStart.is_type(kind):
            start = AudioStart.from_event(event)
            self._sink.start(start.rate, start.width, start.channels, self._playing_kind)
        elif AudioChunk.is_type(kind):
            await asyncio.to_thread(self._sink.write, AudioChunk.from_event(event).audio)
        elif AudioStop.is_type(kind):
            await asyncio.to_thread(self._sink.finish)
            if self._playing_kind == "reply":
                self._turn_over.set()
        elif Error.is_type(kind):
            self._say(f"Atom: {Error.from_event(event).text}")
        elif kind.startswith("atom-"):
            self._atom(event)

    def _atom(self, event: Event) -> None:
        try:
            message = from_event(event)
        except msgspec.ValidationError:
            return
        if isinstance(message, Reply):
            self.replies.append(message)
            self._follow_up, self._playing_kind = message.follow_up_seconds, "reply"
            self._say(f"Atom: {message.text}")
        elif isinstance(message, Announce):
            self._playing_kind = message.kind
            self._say(f"Atom ({message.kind}): {message.text}")
        elif isinstance(message, Stop):
            self._sink.stop()
            self._turn_over.set()
        elif isinstance(message, Idle):
            self._turn_over.set()


async def run_satellite(
    server: str, token: str, source: Source, sink: Sink, wake: WakeDetector | None = None
) -> SatelliteClient:
    client = SatelliteClient(server, token, source, sink, wake)
    await client.run()
    return client
