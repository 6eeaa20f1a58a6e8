"""systemd's notify protocol: real unix datagram sockets, a real event loop, real Atom processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appliance.storage import Database
from appliance.system.sdnotify import Watchdog, notify, serving_alive, watchdog_period
from tests.processes import AtomProcess, free_port


class Listener:
    """systemd's side: a datagram socket collecting what Atom says, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)

    def next(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self.sock.recv(4096).decode()
            except TimeoutError:
                continue
        raise AssertionError("nothing arrived on the notify socket")

    def until(self, message: str, timeout: float = 30) -> list[str]:
        heard = [self.next(timeout)]
        while heard[-1] != message:
            heard.append(self.next(timeout))
        return heard

    def quiet_for(self, seconds: float) -> list[str]:
        heard, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                heard.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
        return heard


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    own = Listener(tmp_path / "notify.sock")
    yield own
    own.sock.close()


def test_notify_sends_one_datagram_and_is_silent_outside_systemd(listener: Listener) -> None:
    assert notify("READY=1", {"NOTIFY_SOCKET": str(listener.path)})
    assert listener.next(1) == "READY=1"
    assert not notify("READY=1", {})


def test_notify_reaches_an_abstract_socket() -> None:
    name = f"atom-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        assert notify("STOPPING=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"STOPPING=1"


def test_a_socket_nobody_listens_on_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})


def test_the_watchdog_period_is_a_third_of_systemds_and_only_for_this_process() -> None:
    assert watchdog_period({"WATCHDOG_USEC": "60000000"}) == 20
    assert watchdog_period({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": str(os.getpid())}) == 20
    assert watchdog_period({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_period({}) is None
    assert watchdog_period({"WATCHDOG_USEC": "soon"}) is None


def test_the_watchdog_pings_while_alive_and_falls_silent_when_not(listener: Listener) -> None:
    healthy = threading.Event()
    healthy.set()
    dog = Watchdog(healthy.is_set, 0.05, {"NOTIFY_SOCKET": str(listener.path)}).start()
    try:
        assert listener.quiet_for(0.4).count("WATCHDOG=1") >= 3
        healthy.clear()
        listener.quiet_for(0.1)  # a ping already on its way
        assert listener.quiet_for(0.4) == []
    finally:
        dog.stop()


def test_a_blocked_event_loop_fails_the_check(tmp_path: Path) -> None:
    db = Database(tmp_path / "atom.duckdb")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        alive = serving_alive(loop, db, answer_within=0.3)
        assert alive()
        loop.call_soon_threadsafe(time.sleep, 1.5)  # a handler that blocks the loop
        time.sleep(0.1)
        assert not alive()
        time.sleep(1.5)
        assert alive()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        db.close()


def test_a_write_that_never_ends_fails_the_check(tmp_path: Path) -> None:
    db = Database(tmp_path / "atom.duckdb")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    release = threading.Event()
    try:
        alive = serving_alive(loop, db, answer_within=1, longest_write=0.3)
        stuck = db._submit(lambda conn: release.wait(10), ())
        time.sleep(0.5)
        assert not alive()
        release.set()
        stuck.result(5)
        assert alive()
    finally:
        release.set()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        db.close()


def _process(command: str, tmp_path: Path, listener: Listener, usec: str = "600000") -> AtomProcess:
    env = {"NOTIFY_SOCKET": str(listener.path), "WATCHDOG_USEC": usec}
    return AtomProcess(command, tmp_path / "data", free_port(), tmp_path / f"{command}.log", extra_env=env)


def test_atom_serve_is_ready_only_when_it_answers_pings_and_says_it_is_stopping(
    tmp_path: Path, listener: Listener
) -> None:
    server = _process("serve", tmp_path, listener)
    server.start()  # returns once /healthz answers
    try:
        assert listener.next() == "READY=1"
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert listener.quiet_for(1.5).count("WATCHDOG=1") >= 3  # every 0.2 s
    finally:
        server.stop(signal.SIGTERM)  # uvicorn re-raises SIGTERM once it has shut down: systemd counts that as clean
    assert "STOPPING=1" in listener.quiet_for(0.5)


def test_atom_serve_sends_ready_after_it_listens(tmp_path: Path, listener: Listener) -> None:
    server = _process("serve", tmp_path, listener)
    with server.log_path.open("ab") as log:  # started by hand: AtomProcess.start waits for /healthz itself
        server.proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve"], env=server.env(), stdout=log, stderr=log
        )
    try:
        assert listener.next(60) == "READY=1"
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200  # no retry: it listens already
    finally:
        server.stop()


def test_atom_worker_is_ready_pings_and_says_it_is_stopping(tmp_path: Path, listener: Listener) -> None:
    worker = _process("worker", tmp_path, listener).start()
    try:
        assert listener.next(60) == "READY=1"
        assert listener.quiet_for(1.5).count("WATCHDOG=1") >= 3
    finally:
        worker.stop(signal.SIGINT)
    assert "STOPPING=1" in listener.quiet_for(0.5)
