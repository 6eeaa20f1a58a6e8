"""Real server processes for benchmarks: Atom itself, and a bare Litestar app to compare against."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench._wrk import pinned
from tests.processes import listens_on

_PORT_TRIES = 5

BARE_APP = """
from litestar import Litestar, get

@get("/hello", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}

app = Litestar([hello])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


BENCH_ADMIN = {"username": "bench", "password": "benchmark password"}


def first_admin(data_dir: Path) -> dict[str, str]:
    """The first-run setup body, with the one-time code `atom serve` left in the data folder."""
    return {**BENCH_ADMIN, "setup_code": (data_dir / "setup.code").read_text().strip()}


@contextmanager
def atom_server(
    env: dict[str, str] | None = None,
    prepare: Callable[[Path], object] | None = None,
    cpus: frozenset[int] = frozenset(),
) -> Iterator[tuple[str, int, Path]]:
    """Yield (base url, pid, data dir) of a fresh `atom serve` on loopback; `prepare` fills the data dir first.

    `cpus`, when given, pins the server (all its threads) to those cores. A port picked free may be
    taken before Atom binds it (another run): Atom then stops saying so and starts on new ports.
    """
    with tempfile.TemporaryDirectory() as tmp:
        if prepare is not None:
            prepare(Path(tmp) / "data")
        for _ in range(_PORT_TRIES):
            port, proc = _spawn_atom(Path(tmp), env or {}, cpus)
            if _came_up(port, proc, Path(tmp) / "serve.log"):
                break
        else:
            raise RuntimeError(f"atom serve found its port taken {_PORT_TRIES} times")
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", proc)
            yield f"http://127.0.0.1:{port}", proc.pid, Path(tmp) / "data"
        finally:
            proc.terminate()
            proc.wait(20)


def _spawn_atom(tmp: Path, env: dict[str, str], cpus: frozenset[int]) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    full = {
        **os.environ,
        "ATOM_DATA_DIR": f"{tmp}/data",
        "ATOM_PORT": str(port),
        "ATOM_HOST": "127.0.0.1",
        "ATOM_LOG_LEVEL": "WARNING",
        "ATOM_VOICE_WYOMING_PORT": str(free_port()),  # never the shared default, 10300
        **env,
    }
    command = pinned([sys.executable, "-m", "appliance", "serve"], cpus)
    with (tmp / "serve.log").open("wb") as log:  # each start's own: only its complaints count
        return port, subprocess.Popen(command, env=full, stderr=log)


def _came_up(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> bool:
    """True once this server holds its port's listening socket; False when a port was taken."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = log.read_text(errors="replace")
            if "is already in use" in said:
                return False
            raise RuntimeError(f"server exited with {proc.returncode}: {said[-2000:]}")
        if listens_on(proc.pid, port):  # not merely answered: another server may hold the port
            return True
        time.sleep(0.1)
    raise TimeoutError(f"atom serve did not listen on {port}")


@contextmanager
def bare_litestar(cpus: frozenset[int] = frozenset()) -> Iterator[tuple[str, int]]:
    """Yield (base url, pid) of a bare Litestar app on uvicorn, the yardstick for Atom's own overhead.

    uvicorn serves a socket bound here and handed over (`--fd`), so no other program can take its port."""
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as held:
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        uvicorn = ["-m", "uvicorn", "bare_app:app", "--fd", str(held.fileno()), "--log-level", "warning"]
        command = pinned([sys.executable, *uvicorn, "--no-access-log"], cpus)
        proc = subprocess.Popen(command, cwd=tmp, pass_fds=[held.fileno()])
        try:
            wait_until_up(f"http://127.0.0.1:{port}/hello", proc)
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            proc.terminate()
            proc.wait(20)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")
