"""systemd's notify protocol, spoken directly: a datagram to the unix socket in $NOTIFY_SOCKET.

`Type=notify` units learn from `READY=1` that Atom answers (not merely that the process exists),
from `STOPPING=1` that it is going down on purpose, and from `WATCHDOG=1`, sent while Atom is
still doing its work, that it has not hung: when the pings stop for `WatchdogSec=`, systemd kills
and restarts it. Outside systemd (no $NOTIFY_SOCKET) every call does nothing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

from appliance.storage import Database

__all__ = ["notify", "watchdog_period", "Watchdog", "serving_alive"]

log = logging.getLogger("appliance.system.sdnotify")


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `message` ("READY=1", …) to systemd; False when no one listens."""
    address = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket: the name begins with a NUL byte
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.connect(address)
            sock.sendall(message.encode())
        except OSError as exc:
            log.warning("systemd notify socket refused %s: %s", message, exc.strerror)
            return False
    return True


def watchdog_period(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings (a third of `WatchdogSec=`), or None when no watchdog is set for us."""
    env = os.environ if environ is None else environ
    if env.get("WATCHDOG_PID", str(os.getpid())) != str(os.getpid()):
        return None  # the watchdog is for another process (a parent that exec'd us keeps its own)
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    return usec / 3_000_000 if usec > 0 else None


class Watchdog:
    """Pings `WATCHDOG=1` every `period` seconds for as long as `alive()` holds; silent once it fails."""

    def __init__(self, alive: Callable[[], bool], period: float, environ: Mapping[str, str] | None = None) -> None:
        self._alive, self._period, self._environ = alive, period, environ
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sd-watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self._period + 1)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            if self._checked():
                notify("WATCHDOG=1", self._environ)

    def _checked(self) -> bool:
        try:
            return self._alive()
        except Exception:  # noqa: BLE001 - a check that cannot answer is a failed check
            log.exception("watchdog check failed")
            return False


def serving_alive(
    loop: asyncio.AbstractEventLoop, db: Database, answer_within: float = 10.0, longest_write: float = 600.0
) -> Callable[[], bool]:
    """The server's check: its event loop runs a callback within `answer_within` seconds, and the
    database writer is not stuck in one write for more than `longest_write` (a backup's copy is
    one long write, so this is generous)."""

    def alive() -> bool:
        if db.writer_busy_seconds() > longest_write:
            return False
        turn = asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop)
        try:
            turn.result(answer_within)
        except concurrent.futures.TimeoutError:
            turn.cancel()
            return False
        return True

    return alive
