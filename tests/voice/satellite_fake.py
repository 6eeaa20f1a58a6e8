"""A satellite as a test drives it: the real `wyoming` client speaking Atom's satellite events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from appliance.voice.audio import RATE, Pcm

__all__ = ["Device", "Turn"]


@dataclass
class Turn:
    """Everything the server said in answer to one command, up to the end of its reply."""

    events: list[Event] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    rate: int = 0

    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def first(self, kind: str) -> Event:
        return next(e for e in self.events if e.type == kind)

    @property
    def reply(self) -> dict:
        return self.first("atom-reply").data

    @property
    def speech(self) -> Pcm:
        return Pcm(bytes(self.audio), self.rate)


class Device:
    def __init__(self, uri: str) -> None:
        host, port = uri.removeprefix("tcp://").split(":")
        self.client = AsyncTcpClient(host, int(port))

    async def __aenter__(self) -> Device:
        await self.client.connect()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.disconnect()

    async def send(self, event: Event) -> None:
        await self.client.write_event(event)

    async def read(self, timeout: float = 60) -> Event | None:
        return await asyncio.wait_for(self.client.read_event(), timeout)

    async def hello(self, token: str) -> Event:
        await self.send(Event(type="atom-hello", data={"token": token}))
        event = await self.read()
        assert event is not None
        return event

    async def command(self, speech: Pcm, reason: str = "push-to-talk", silence: float = 1.5) -> Turn:
        """Push-to-talk, stream `speech` then quiet until the server hears the end, and collect the answer."""
        await self.send(Event(type="atom-listen", data={"reason": reason}))
        await self.send(AudioStart(rate=RATE, width=2, channels=1).event())
        audio = speech.audio + bytes(int(silence * RATE) * 2)
        turn = Turn()
        for at in range(0, len(audio), 2048):
            await self.send(AudioChunk(rate=RATE, width=2, channels=1, audio=audio[at : at + 2048]).event())
        await self.send(AudioStop().event())
        return await self.answer(turn)

    async def answer(self, turn: Turn | None = None, timeout: float = 90) -> Turn:
        turn = turn or Turn()
        while True:
            event = await self.read(timeout)
            assert event is not None, f"closed after {turn.types()}"
            turn.events.append(event)
            if event.type == "audio-start":
                turn.rate = int(event.data["rate"])
            elif event.type == "audio-chunk":
                turn.audio += event.payload or b""
            if event.type in ("atom-idle", "atom-stop", "audio-stop", "error"):
                return turn
