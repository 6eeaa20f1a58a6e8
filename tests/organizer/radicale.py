"""A real Radicale CalDAV server for the sync tests: its own process, a free loopback port, a temp folder.

And a "phone": the caldav library (an independent CalDAV client) acting on the same calendar.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import caldav

from tests.processes import free_port

__all__ = ["Radicale", "start_radicale", "USER", "PASSWORD"]

USER, PASSWORD = "ada", "radicale-secret-1"


@dataclass
class Radicale:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def phone(self) -> caldav.DAVClient:
        return caldav.DAVClient(url=self.url, username=USER, password=PASSWORD)

    def calendar(self, cal_id: str = "family") -> caldav.Calendar:
        """The calendar as the phone sees it (made on first use)."""
        principal = self.phone().principal()
        for found in principal.calendars():
            if str(found.url).rstrip("/").endswith(f"/{cal_id}"):
                return found
        return principal.make_calendar(name=cal_id.title(), cal_id=cal_id)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start_radicale(folder: Path) -> Radicale:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    config = folder / "config"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {folder / "users"}
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = {folder / "collections"}
[logging]
level = warning
"""
    )
    log = folder / "radicale.log"
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)], stdout=out, stderr=out)
    _wait_for(port, process, log)
    return Radicale(url=f"http://127.0.0.1:{port}/", process=process, log=log)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale stopped: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"radicale did not listen on {port}: {log.read_text()[-2000:]}")
