"""Atom as real processes on loopback: the server, the worker, the CLI, and kill -9."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from appliance.runtime import Runtime
from appliance.server import create_app
from tests.conftest import ADMIN, run_cli
from tests.organizer import radicale
from tests.processes import AtomProcess, free_port, held_port, serving_in_thread, wait_for, with_setup_code

pytestmark = pytest.mark.process


def _signed_in(server: AtomProcess) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=10)
    setup_code = server.data_dir / "setup.code"
    response = http.post("/api/setup", json=with_setup_code(server.data_dir, ADMIN)) if setup_code.exists() else None
    if response is None or response.status_code == 409:
        response = http.post("/api/auth/login", json={"username": ADMIN["username"], "password": ADMIN["password"]})
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


def test_server_process_answers_with_request_ids_headers_and_json_logs(atom_processes) -> None:  # type: ignore[no-untyped-def]
    server = atom_processes("serve")
    health = httpx.get(f"{server.url}/healthz")
    assert health.json()["status"] == "ok"
    assert health.headers["x-request-id"]
    assert "default-src 'self'" in health.headers["content-security-policy"]
    assert health.headers["x-content-type-options"] == "nosniff"
    traced = httpx.get(f"{server.url}/api/members", headers={"X-Request-ID": "trace-me-123"})
    assert traced.status_code == 401 and traced.headers["x-request-id"] == "trace-me-123"
    http = _signed_in(server)
    status = http.get("/api/system/status").json()
    assert {c["name"] for c in status["components"]} >= {"database", "jobs", "disk"}
    server.stop()
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    traced_lines = [line for line in lines if line.get("request_id") == "trace-me-123"]
    assert traced_lines and traced_lines[0]["path"] == "/api/members" and traced_lines[0]["status"] == 401
    assert ADMIN["password"] not in server.log_path.read_text()


def test_acknowledged_writes_survive_kill_9(atom_processes) -> None:  # type: ignore[no-untyped-def]
    server = atom_processes("serve")
    http = _signed_in(server)
    acknowledged: list[str] = []
    stop = threading.Event()

    def write_stream() -> None:
        n = 0
        while not stop.is_set():
            try:
                response = http.post("/api/tokens", json={"name": f"token {n}"})
            except httpx.TransportError:
                return
            if response.status_code == 201:
                acknowledged.append(response.json()["token"]["id"])
            n += 1

    writers = [threading.Thread(target=write_stream) for _ in range(3)]
    for writer in writers:
        writer.start()
    time.sleep(2.0)
    server.kill()  # SIGKILL, mid-stream
    stop.set()
    for writer in writers:
        writer.join(10)
    assert len(acknowledged) > 20
    server.start()
    http = _signed_in(server)
    stored = {t["id"] for t in http.get("/api/tokens").json()}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged writes lost"


def test_a_queued_job_survives_a_worker_restart(atom_processes) -> None:  # type: ignore[no-untyped-def]
    server = atom_processes("serve")
    http = _signed_in(server)
    worker = atom_processes("worker")
    wait_for(lambda: http.get("/api/system/status").json()["components"][1]["ok"], "worker heartbeat")
    assert worker.stop(signal.SIGINT) == 0  # graceful stop, as systemd does
    queued = http.post("/api/system/jobs/housekeeping").json()
    run = _job(http, queued["id"])
    assert run["state"] == "queued"
    worker.start()
    wait_for(lambda: _job(http, queued["id"])["state"] == "succeeded", "the queued job to run")


def test_jobs_run_by_hand_end_as_succeeded_even_quiet_ones(atom_processes) -> None:  # type: ignore[no-untyped-def]
    """A running worker may finish a job before the server has written "queued"; that must not stick."""
    server = atom_processes("serve")
    http = _signed_in(server)
    atom_processes("worker")
    wait_for(lambda: http.get("/api/system/status").json()["components"][1]["ok"], "worker heartbeat")
    for name in ("heartbeat", "housekeeping"):
        queued = http.post(f"/api/system/jobs/{name}").json()
        job_id = queued["id"]
        wait_for(lambda job_id=job_id: _job(http, job_id)["state"] == "succeeded", f"{name} to show as succeeded")
    names = [run["name"] for run in http.get("/api/system/jobs").json()]
    assert names.count("heartbeat") == 1  # the minutely heartbeats themselves stay out of the history


def test_cli_works_with_and_without_the_server(atom_processes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    password_file = tmp_path / "pw"
    password_file.write_text("first admin password\n")
    added = run_cli(data, "users", "add", "root", "--admin", "--password-file", str(password_file))
    assert added.returncode == 0, added.stderr
    server = atom_processes("serve")
    online = run_cli(data, "users", "add", "kid", "--password-stdin", port=server.port, stdin="kid password 1\n")
    assert online.returncode == 0, online.stderr
    listed = run_cli(data, "users", "list", port=server.port)
    assert "root" in listed.stdout and "kid" in listed.stdout and "admin" in listed.stdout
    token = run_cli(data, "tokens", "create", "--user", "kid", "--name", "satellite", port=server.port)
    secret = token.stdout.strip()
    assert secret.startswith("atom_") and "shown once" in token.stderr
    me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["username"] == "kid"
    disabled = run_cli(data, "users", "disable", "kid", port=server.port)
    assert disabled.returncode == 0
    assert httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    unknown = run_cli(data, "tokens", "create", "--user", "ghost", port=server.port)
    assert unknown.returncode == 1 and "ghost" in unknown.stderr


def test_an_in_process_server_that_never_comes_up_fails_the_test_at_once(runtime: Runtime) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(pytest.fail.Exception, match=f"never came up on port {port}"):
            with serving_in_thread(create_app(runtime, close_runtime=False), port):
                pass
        assert time.monotonic() - started < 10  # not the whole 20 s timeout: the server thread ended
    with serving_in_thread(create_app(runtime, close_runtime=False)) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_a_held_port_is_nobody_elses_until_the_in_process_server_serves_on_it(runtime: Runtime) -> None:
    port = held_port()
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", port))  # what another test's server would have done meanwhile
    with serving_in_thread(create_app(runtime, close_runtime=False), port) as url:
        assert url == f"http://127.0.0.1:{port}" and httpx.get(f"{url}/healthz").status_code == 200


def test_a_serve_whose_port_was_taken_meanwhile_starts_on_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = AtomProcess("serve", tmp_path / "data", port, tmp_path / "serve.log").start()
        try:
            assert server.port != port and httpx.get(f"{server.url}/healthz").status_code == 200
            assert f"port {port} is already in use" in (tmp_path / "serve.log").read_text()
        finally:
            server.stop()


def test_a_serve_does_not_mistake_another_server_on_its_port_for_itself(runtime: Runtime, tmp_path: Path) -> None:
    with serving_in_thread(create_app(runtime, close_runtime=False)) as other:
        port = int(other.rsplit(":", 1)[1])  # answers /healthz, as a lingering Atom would
        server = AtomProcess("serve", tmp_path / "ours", port, tmp_path / "serve.log").start()
        try:
            assert server.port != port and httpx.get(f"{server.url}/healthz").status_code == 200
            assert (tmp_path / "ours" / "setup.code").exists()  # this one is ours: its own data folder
        finally:
            server.stop()


def test_a_radicale_whose_port_was_taken_meanwhile_starts_on_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()  # another server, answering on the port picked for Radicale
        port = taken.getsockname()[1]
        picks = iter([port])
        monkeypatch.setattr(radicale, "free_port", lambda: next(picks, 0) or free_port())
        server = radicale.start_radicale(tmp_path / "radicale")
        try:
            assert f":{port}/" not in server.url
            assert httpx.get(server.url, auth=(radicale.USER, radicale.PASSWORD)).status_code in (200, 302)
            assert "Address already in use" in (tmp_path / "radicale" / "radicale.log").read_text()
        finally:
            server.stop()


def _job(http: httpx.Client, job_id: str) -> dict:
    return next(r for r in http.get("/api/system/jobs").json() if r["id"] == job_id)


def test_a_worker_started_before_the_server_reports_within_seconds(atom_processes) -> None:  # type: ignore[no-untyped-def]
    atom_processes("worker")  # as `make run` and systemd may: the worker first
    time.sleep(1.5)
    server = atom_processes("serve")
    http = _signed_in(server)
    wait_for(lambda: http.get("/api/system/status").json()["components"][1]["ok"], "the retried heartbeat", 15)
