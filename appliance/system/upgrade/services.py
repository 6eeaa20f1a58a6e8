"""Stopping and starting Atom during an upgrade: systemd's units on the box; any `Services` in tests."""

from __future__ import annotations

import subprocess
import time
from typing import Protocol

import httpx

from appliance.errors import ServiceUnavailable

__all__ = ["Services", "Systemd", "wait_healthy"]


class Services(Protocol):
    def stop(self) -> None: ...
    def start(self) -> None: ...


class Systemd:
    """`atom.service` and `atom-worker.service`: the worker stops first (its jobs finish), starts last."""

    def __init__(self, server: str = "atom.service", worker: str = "atom-worker.service") -> None:
        self.server, self.worker = server, worker

    def stop(self) -> None:
        _systemctl("stop", self.worker, self.server)

    def start(self) -> None:
        _systemctl("start", self.server)  # Type=notify: returns once the server answers, or fails
        _systemctl("start", self.worker)


def _systemctl(*args: str) -> None:
    done = subprocess.run(["systemctl", *args], capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise ServiceUnavailable(f"systemctl {' '.join(args)} failed: {done.stderr.strip()[:300]}")


def wait_healthy(url: str, timeout: float, verify: bool = True) -> str | None:
    """None once `url/healthz` answers ok within `timeout` seconds; else what was last seen."""
    deadline, seen = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{url}/healthz", timeout=5, verify=verify)
            if answer.status_code == 200:
                return None
            seen = f"/healthz answered {answer.status_code}"
        except httpx.TransportError as exc:
            seen = f"no answer ({type(exc).__name__})"
        time.sleep(0.5)
    return seen
