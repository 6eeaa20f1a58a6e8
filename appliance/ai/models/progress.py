"""Progress for long byte-moving steps (hashing, extracting, copying, downloading).

The library reports through a `ProgressFactory`; the CLI passes `text_progress` (a bar on
stderr), everything else gets `no_progress`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

__all__ = ["Progress", "ProgressFactory", "TextProgress", "no_progress", "text_progress"]


class Progress(Protocol):
    def advance(self, amount: int) -> None: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, int], Progress]
"""Called with a label and the total number of bytes; returns the progress of that step."""


class _Silent:
    def advance(self, amount: int) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(label: str, total: int) -> Progress:
    return _Silent()


class TextProgress:
    """`label  [########........]  52%  51.2/98.4 MB`, redrawn in place at most 10 times a second."""

    WIDTH = 28

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream or sys.stderr
        self._interactive = self.stream.isatty()
        self._drawn_at = 0.0

    def advance(self, amount: int) -> None:
        self.done += amount
        now = time.monotonic()
        if self._interactive and now - self._drawn_at >= 0.1:
            self._drawn_at = now
            self._draw(end="\r")

    def close(self) -> None:
        # Non-interactive output (logs, CI) gets one line per sizeable step, not a stream of redraws.
        if self._interactive or self.total >= 1_000_000:
            self._draw(end="\n")

    def _draw(self, end: str) -> None:
        self.stream.write(f"{self.label[:40]:<40} {self._bar()} {_megabytes(self.done, self.total)}{end}")
        self.stream.flush()

    def _bar(self) -> str:
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * self.WIDTH)
        return f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}"


def text_progress(label: str, total: int) -> Progress:
    return TextProgress(label, total)


def _megabytes(done: int, total: int) -> str:
    return f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
