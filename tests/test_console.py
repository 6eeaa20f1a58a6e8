"""`atom serve` greets a person: where to open Atom, what to do first, and one line when it cannot start."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.processes import free_port

pytestmark = pytest.mark.process


def _serve(data_dir: Path, port: int, **popen: object) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOM_")}
    env.update(ATOM_DATA_DIR=str(data_dir), ATOM_PORT=str(port))
    return subprocess.Popen([sys.executable, "-m", "appliance", "serve"], env=env, **popen)  # type: ignore[call-overload]


def _read_until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            seen += os.read(fd, 4096)
    return seen


def test_the_greeting_names_lan_addresses_the_setup_code_and_the_data_folder(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    controller, terminal = pty.openpty()  # standard error is a terminal, as under `make run`
    server = _serve(data, port, stderr=terminal, stdout=subprocess.DEVNULL)
    os.close(terminal)
    try:
        shown = _read_until(controller, b"install smollm2`").decode()  # the greeting's last line
    finally:
        server.terminate()
        server.wait(20)
        os.close(controller)
    code = (data / "setup.code").read_text().strip()
    assert "Atom is running." in shown
    assert f"One-time setup code: {code}" in shown
    notice = data / "setup.issue"  # a screen plugged into the box shows it above the login prompt
    assert f"Setup code: {code}" in notice.read_text() and notice.stat().st_mode & 0o777 == 0o600
    assert f".local:{port} in a browser" in notice.read_text()
    assert f"Data folder: {data.resolve()}" in shown
    assert "0.0.0.0" not in shown
    assert f":{port}/" in shown
    assert "Local chat is off" in shown and "atom models install" in shown  # no model in this data folder
    log_lines = [line for line in shown.splitlines() if " INFO " in line]
    assert log_lines and not any(line.lstrip().startswith("{") for line in log_lines)  # readable, not JSON


def test_logs_are_json_when_standard_error_is_not_a_terminal(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = _serve(tmp_path / "data", free_port(), stderr=out, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while "Atom is running" not in log.read_text():
        assert time.monotonic() < deadline and server.poll() is None, log.read_text()
        time.sleep(0.1)
    server.terminate()
    server.wait(20)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and all('"level"' in line for line in lines)


def test_a_port_in_use_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        failed = run_cli(tmp_path / "data", "serve", port=port)
    assert failed.returncode == 1
    assert f"port {port} is already in use" in failed.stderr
    assert "ATOM_PORT" in failed.stderr and "Traceback" not in failed.stderr


def test_an_unusable_data_folder_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    failed = run_cli(blocker / "data", "serve", port=free_port())
    assert failed.returncode == 1
    assert "cannot create the data folder" in failed.stderr and "ATOM_DATA_DIR" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_the_data_folder_is_private_from_the_first_command_and_kept_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "migrate").returncode == 0
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert all(p.stat().st_mode & 0o077 == 0 for p in data.rglob("*")), [
        (p.name, oct(p.stat().st_mode)) for p in data.rglob("*")
    ]
    data.chmod(0o755)
    (data / "atom.duckdb").chmod(0o644)
    (data / "notes").mkdir(mode=0o755)
    assert run_cli(data, "migrate").returncode == 0
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert oct((data / "atom.duckdb").stat().st_mode & 0o777) == "0o600"
    assert oct((data / "notes").stat().st_mode & 0o777) == "0o700"
