"""Where a satellite's audio comes from, chosen by URI. Every source gives 16 kHz mono 16-bit PCM.

Without Atom's wake model a command starts only when the source says so: a file is one command
(its audio, then silence), stdin is one command (until end of input), and the microphone streams
after push-to-talk (Enter on its terminal, or SIGUSR1 from a button script). With the model, the
satellite listens to the source (each file, stdin, the microphone without end) for "Atom", and
push-to-talk still starts a command at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from appliance.errors import InvalidInput
from appliance.voice.audio import RATE, read_wav, to_model_pcm

__all__ = ["Source", "open_source", "CHUNK_BYTES"]

CHUNK_BYTES = 2048  # 64 ms
_TRAILING_SILENCE = 2.0  # after a file: enough quiet for the end of speech to be noticed


class Source(Protocol):
    async def next_command(self, follow_up: bool, listening: bool = False) -> bool:
        """Wait until a command may begin; False when the source has no more (the satellite then ends).
        `follow_up`: Atom is listening for an answer, so no push-to-talk is needed; `listening`: the
        satellite will listen for the wake word itself, so do not wait for push-to-talk either."""
        ...

    def pressed(self) -> bool:
        """Push-to-talk since the last call (the microphone's Enter or SIGUSR1)."""
        ...

    def chunks(self) -> AsyncIterator[bytes]:
        """The command's audio as it comes; the satellite stops reading at the end of speech."""
        ...


class FileSource:
    """One command per WAV file, played in real time (`?fast=1`: as fast as the server takes it)."""

    def __init__(self, paths: list[Path], realtime: bool = True) -> None:
        self._pending = [read_wav(p) for p in paths]  # fail at start, not mid-conversation
        self._current: bytes = b""
        self._realtime = realtime

    async def next_command(self, follow_up: bool, listening: bool = False) -> bool:
        if not self._pending:
            return False
        self._current = to_model_pcm(self._pending.pop(0)).audio + bytes(int(_TRAILING_SILENCE * RATE) * 2)
        return True

    def pressed(self) -> bool:
        return False

    async def chunks(self) -> AsyncIterator[bytes]:
        for at in range(0, len(self._current), CHUNK_BYTES):
            yield self._current[at : at + CHUNK_BYTES]
            if self._realtime:
                await asyncio.sleep(CHUNK_BYTES / 2 / RATE)


class StdinSource:
    """One command read from standard input as raw 16 kHz mono 16-bit PCM, until end of input."""

    def __init__(self) -> None:
        self._used = False

    def pressed(self) -> bool:
        return False

    async def next_command(self, follow_up: bool, listening: bool = False) -> bool:
        if self._used:
            return False
        self._used = True
        return True

    async def chunks(self) -> AsyncIterator[bytes]:
        stream = sys.stdin.buffer
        while chunk := await asyncio.to_thread(stream.read, CHUNK_BYTES):
            yield chunk


class MicSource:
    """The default microphone through pyaudio; push-to-talk is Enter or SIGUSR1."""

    def __init__(self) -> None:
        try:
            import pyaudio
        except ImportError:
            raise InvalidInput("mic:// needs pyaudio: pip install 'atom-appliance[satellite]'") from None
        self._audio = pyaudio.PyAudio()
        if self._audio.get_device_count() == 0:
            raise InvalidInput("mic://: this machine has no sound device")
        self._stream = self._audio.open(
            format=pyaudio.paInt16, channels=1, rate=RATE, input=True, frames_per_buffer=CHUNK_BYTES // 2
        )
        self._talk = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, self._talk.set)
        if sys.stdin.isatty():
            loop.add_reader(sys.stdin.fileno(), self._enter_pressed)

    def _enter_pressed(self) -> None:
        sys.stdin.readline()
        self._talk.set()

    def pressed(self) -> bool:
        pressed = self._talk.is_set()
        self._talk.clear()
        return pressed

    async def next_command(self, follow_up: bool, listening: bool = False) -> bool:
        if not follow_up and not listening:
            self._talk.clear()
            await self._talk.wait()
        return True

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            yield await asyncio.to_thread(self._stream.read, CHUNK_BYTES // 2, False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stream.close()
            self._audio.terminate()


def open_source(uri: str) -> Source:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        paths = [Path(unquote(p)) for p in (parsed.netloc + parsed.path).split(",") if p]
        if not paths:
            raise InvalidInput("file:// needs at least one WAV file")
        return FileSource(paths, realtime="fast=1" not in parsed.query)
    if parsed.scheme == "stdin":
        return StdinSource()
    if parsed.scheme == "mic":
        return MicSource()
    raise InvalidInput(f"unknown audio source {uri!r}: use mic://, file:///path.wav or stdin://")
