"""Where a satellite's replies are played, chosen by URI: the speaker, WAV files, or nowhere."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from appliance.errors import InvalidInput
from appliance.voice.audio import Pcm, wav_bytes

__all__ = ["Sink", "open_sink"]


class Sink(Protocol):
    def start(self, rate: int, width: int, channels: int, kind: str) -> None: ...

    def write(self, audio: bytes) -> None: ...

    def finish(self) -> None: ...

    def stop(self) -> None:
        """Stop playing now ("stop", or barge-in)."""
        ...


class FileSink:
    """Each reply or announcement as a numbered WAV file in a folder (`001-reply.wav`, ...)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._folder, self._numbers = folder, itertools.count(1)
        self._format: tuple[int, int, int] = (22050, 2, 1)
        self._kind, self._audio = "reply", bytearray()
        self._open = False

    def start(self, rate: int, width: int, channels: int, kind: str) -> None:
        self._format, self._kind, self._audio, self._open = (rate, width, channels), kind, bytearray(), True

    def write(self, audio: bytes) -> None:
        if self._open:
            self._audio += audio

    def finish(self) -> None:
        if self._open:
            name = f"{next(self._numbers):03d}-{self._kind}.wav"
            (self._folder / name).write_bytes(wav_bytes(Pcm(bytes(self._audio), *self._format)))
        self._open = False

    def stop(self) -> None:
        self.finish()  # what was heard before the stop is kept, so a test can see it was cut


class NullSink:
    def start(self, rate: int, width: int, channels: int, kind: str) -> None:
        pass

    def write(self, audio: bytes) -> None:
        pass

    def finish(self) -> None:
        pass

    def stop(self) -> None:
        pass


class SpeakerSink:
    """The default output device through pyaudio."""

    def __init__(self) -> None:
        try:
            import pyaudio
        except ImportError:
            raise InvalidInput("speaker:// needs pyaudio: pip install 'atom-appliance[satellite]'") from None
        self._pyaudio = pyaudio
        self._audio = pyaudio.PyAudio()
        if self._audio.get_device_count() == 0:
            raise InvalidInput("speaker://: this machine has no sound device")
        self._stream: Any = None

    def start(self, rate: int, width: int, channels: int, kind: str) -> None:
        self.stop()
        fmt = self._audio.get_format_from_width(width)
        self._stream = self._audio.open(format=fmt, channels=channels, rate=rate, output=True)

    def write(self, audio: bytes) -> None:
        if self._stream is not None:
            self._stream.write(audio)

    def finish(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.stop_stream()
                self._stream.close()
            self._stream = None


def open_sink(uri: str) -> Sink:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return FileSink(Path(unquote(parsed.netloc + parsed.path)))
    if parsed.scheme == "null":
        return NullSink()
    if parsed.scheme == "speaker":
        return SpeakerSink()
    raise InvalidInput(f"unknown audio sink {uri!r}: use speaker://, file:///folder or null://")
