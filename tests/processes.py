"""Real Atom processes for tests: `atom serve` or `atom worker` on a loopback port of their own,
or the app served over real HTTP in a thread of the test's own process (`serving_in_thread`).

A port picked free may be taken by another server before ours binds it (parallel runs, CI). So
an in-process server serves on a socket bound here first, which no one else can take (port 0:
the kernel's pick; `held_port`: bound now, for settings that must name the port up front), and a
child `atom serve` whose port was taken meanwhile is started again on another free one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from litestar import Litestar

__all__ = ["AtomProcess", "free_port", "held_port", "listens_on", "serving_in_thread", "wait_for", "with_setup_code"]

_HELD: dict[int, socket.socket] = {}  # ports bound by held_port until a server takes them
_PORT_TRIES = 5


def with_setup_code(data_dir: Path, account: dict[str, str]) -> dict[str, str]:
    """The first-run setup body for `account`, with the one-time code `atom serve` left in the data folder."""
    return {**account, "setup_code": (data_dir / "setup.code").read_text().strip()}


def free_port() -> int:
    """A loopback port free now, for a child process to bind (it may be taken before it does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def held_port() -> int:
    """A loopback port bound now and held until `serving_in_thread` serves on it."""
    listener = _listening(0)
    port = listener.getsockname()[1]
    _HELD[port] = listener
    return port


def listens_on(pid: int, port: int) -> bool:
    """Whether `pid` itself holds the listening socket on 127.0.0.1:`port` (Linux's /proc): a
    connection alone could reach another server that took the port first."""
    wanted = f"0100007F:{port:04X}"
    inodes = {
        f"socket:[{fields[9]}]"
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if (fields := line.split())[1] == wanted and fields[3] == "0A"  # 0A: LISTEN
    }
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:  # it exited meanwhile, or an fd closed while we looked
        return False


def _listening(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def wait_for(condition: Callable[[], object], what: str = "the expected state", timeout: float = 60) -> None:
    """Poll `condition` until it holds; the test fails, naming `what`, after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def serving_in_thread(app: Litestar, port: int = 0, timeout: float = 20) -> Iterator[str]:
    """`app` on 127.0.0.1 in a thread, on a socket bound before the thread starts: port 0 (the
    default) is one the kernel picks, so no other server can take it; a port from `held_port` is
    served from its held socket. The test fails at once if it never comes up (a port given and taken)."""
    try:
        listener = _HELD.pop(port, None) or _listening(port)
    except OSError as exc:
        pytest.fail(f"the in-process Atom never came up on port {port}: {exc.strerror}")
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                pytest.fail(f"the in-process Atom never came up on port {port}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


class AtomProcess:
    """One Atom command as a child process; restartable on the same port and data folder."""

    def __init__(
        self,
        command: str,
        data_dir: Path,
        port: int,
        log_path: Path,
        extra_env: dict[str, str] | None = None,
        scheme: str = "http",
    ) -> None:
        self.command, self.data_dir, self.port, self.log_path = command, data_dir, port, log_path
        self.extra_env, self.scheme = extra_env or {}, scheme
        self.proc: subprocess.Popen[bytes] | None = None
        self._logged_before = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """This machine's environment without any ATOM_* of its own, then the test's."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ATOM_")}
        ours = {"ATOM_DATA_DIR": str(self.data_dir), "ATOM_PORT": str(self.port), "ATOM_HOST": "127.0.0.1"}
        ours["ATOM_VOICE_WYOMING_PORT"] = "0"  # voice off unless a test asks: parallel runs would share 10300
        return {**clean, **ours, **self.extra_env}

    def start(self) -> AtomProcess:
        """Start it; a `serve` whose port another program took meanwhile starts again on a free one
        (so read `port` and `url` after starting)."""
        for _ in range(_PORT_TRIES):
            self._spawn()
            if self.command != "serve" or not self._port_was_taken():
                break
            self.port = free_port()
        if self.command == "serve":
            self.wait_healthy()
        return self

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self._logged_before = log.tell()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "appliance", self.command], env=self.env(), stdout=log, stderr=log
            )

    def _port_was_taken(self, timeout: float = 30) -> bool:
        """True when this start ended at once because its port is in use; False once it answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return f"port {self.port} is already in use" in self._log_since_spawn()
            if self._answers():
                if self._listener_is_ours():
                    return False
                self.kill()  # another server answered on our port: this one cannot bind it
                return True
            time.sleep(0.1)
        return False

    def _log_since_spawn(self) -> str:
        with self.log_path.open("rb") as log:
            log.seek(self._logged_before)
            return log.read().decode(errors="replace")

    def _answers(self) -> bool:
        try:
            httpx.get(f"{self.url}/healthz", timeout=1, verify=False)  # a TLS test trusts its CA itself
            return True
        except httpx.TransportError:
            return False

    def _listener_is_ours(self) -> bool:
        """Whether our process holds the socket on our port, not another server that took it first."""
        assert self.proc is not None
        return listens_on(self.proc.pid, self.port)

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log_path.read_text()[-3000:]
            if self._answers():
                return
            time.sleep(0.1)
        raise TimeoutError(f"atom {self.command} did not answer: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def restart(self) -> None:
        self.stop()
        self.start()
