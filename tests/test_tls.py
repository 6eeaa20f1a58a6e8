"""HTTPS on the LAN: a household CA, a server certificate, and every process still talking."""

from __future__ import annotations

import ssl
import time

import httpx
import pytest

from tests.conftest import ADMIN, run_cli
from tests.processes import AtomProcess, free_port, with_setup_code

pytestmark = pytest.mark.process


def test_atom_serves_https_with_a_household_ca(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    made = run_cli(data, "tls", "create", "--hostname", "atom.test", "--ip", "127.0.0.1")
    assert made.returncode == 0, made.stderr
    assert oct((data / "tls" / "server.key").stat().st_mode & 0o777) == "0o600"
    env = dict(line.strip().split("=", 1) for line in made.stdout.splitlines() if line.strip().startswith("ATOM_"))
    port = free_port()
    server = AtomProcess("serve", data, port, tmp_path / "serve.log", env, scheme="https")
    worker = AtomProcess("worker", data, port, tmp_path / "worker.log", env, scheme="https")
    try:
        server.start()
        worker.port = server.port
        worker.start()
        trusted = ssl.create_default_context(cafile=str(data / "tls" / "household-ca.pem"))
        with httpx.Client(base_url=server.url, verify=trusted) as http:
            assert http.get("/healthz").json()["status"] == "ok"
            signed_in = http.post("/api/setup", json=with_setup_code(data, ADMIN))
            assert "secure" in signed_in.headers["set-cookie"].lower()
            deadline = time.monotonic() + 60
            while not http.get("/api/system/status").json()["components"][1]["ok"]:  # the worker got through
                assert time.monotonic() < deadline, worker.log_path.read_text()[-2000:]
                time.sleep(0.5)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/healthz")  # not trusted without the household CA
    finally:
        worker.stop()
        server.stop()
