"""Backups with real processes: the scheduled job through a real worker, `atom backup` with and
without the server, and a restored data folder served by a new `atom serve`."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from appliance.jobs.tasks import daily_at_local_hour
from tests.conftest import ADMIN, run_cli
from tests.processes import AtomProcess, free_port, with_setup_code

pytestmark = pytest.mark.process

BEA = {"username": "bea", "password": "bea's long password"}


def test_the_backup_job_runs_on_a_real_worker_and_is_in_the_history(atom_processes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = atom_processes("serve")
    http = _admin(server)
    keygen = run_cli(server.data_dir, "backup", "keygen")
    assert keygen.returncode == 0 and keygen.stdout.startswith("AGE-SECRET-KEY-1")
    assert "shown once" in keygen.stderr and "AGE-SECRET-KEY" not in (server.data_dir / "backup.recipient").read_text()
    atom_processes("worker")
    _wait_for(lambda: _component(http, "jobs")["ok"], "the worker's heartbeat")
    queued = http.post("/api/system/jobs/backup")
    assert queued.status_code == 202
    _wait_for(lambda: _run(http, queued.json()["id"])["state"] == "succeeded", "the backup job")
    listed = http.get("/api/system/backups").json()
    assert len(listed) == 1 and listed[0]["ok"] and (server.data_dir / "backups" / listed[0]["file"]).is_file()
    assert _component(http, "backups")["ok"] is True


def test_atom_backup_works_with_and_without_the_server(atom_processes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    phrase = tmp_path / "phrase.txt"
    phrase.write_text("our household passphrase\n")
    offline = run_cli(data, "backup", "--passphrase-file", str(phrase))
    assert offline.returncode == 0, offline.stderr
    server = atom_processes("serve")
    online = run_cli(data, "backup", "--passphrase-file", str(phrase), port=server.port)
    assert online.returncode == 0, online.stderr
    assert "our household passphrase" not in server.log_path.read_text()
    listed = run_cli(data, "backup", "list", port=server.port).stdout.splitlines()
    assert len(listed) == 2 and all("complete" in line for line in listed)
    keyless = run_cli(data, "backup", port=server.port)
    assert keyless.returncode == 1 and "atom backup keygen" in keyless.stderr


def test_a_restored_data_folder_is_served_with_the_members_note(atom_processes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = atom_processes("serve")
    http = _admin(server)
    assert http.post("/api/members", json={**BEA, "role": "member"}).status_code == 201
    bea = _signed_in(server.url, BEA)
    note = bea.post("/api/notes", json={"title": "Frog", "body": "The spare key is under the frog."}).json()
    identity = tmp_path / "key.txt"
    identity.write_text(run_cli(server.data_dir, "backup", "keygen").stdout)
    made = run_cli(server.data_dir, "backup", port=server.port)
    assert made.returncode == 0, made.stderr
    archive = next((server.data_dir / "backups").glob("atom-backup-*.tar.age"))
    server.stop()

    fresh = tmp_path / "elsewhere"
    restored = run_cli(fresh, "restore", str(archive), "--identity-file", str(identity))
    assert restored.returncode == 0, restored.stderr
    again = AtomProcess("serve", fresh, free_port(), tmp_path / "restored.log").start()
    try:
        served = _signed_in(again.url, BEA).get(f"/api/notes/{note['id']}")
        assert served.status_code == 200 and "frog" in served.json()["body"]
    finally:
        again.stop()


def test_the_schedule_follows_the_boxs_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        at_three = daily_at_local_hour(3)
        assert at_three(datetime(2026, 1, 15, 2, 0))  # 03:00 in Berlin's winter is 02:00 UTC
        assert at_three(datetime(2026, 7, 15, 1, 0))  # and 01:00 UTC in its summer
        assert not at_three(datetime(2026, 7, 15, 2, 0)) and not at_three(datetime(2026, 1, 15, 2, 1))
        assert not any(daily_at_local_hour(-1)(datetime(2026, 1, 1, h, 0)) for h in range(24))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def _admin(server: AtomProcess) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=60)
    response = http.post("/api/setup", json=with_setup_code(server.data_dir, ADMIN))
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


def _signed_in(url: str, account: dict[str, str]) -> httpx.Client:
    http = httpx.Client(base_url=url, timeout=30)
    response = http.post("/api/auth/login", json={"username": account["username"], "password": account["password"]})
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


def _component(http: httpx.Client, name: str) -> dict:
    return next(c for c in http.get("/api/system/status").json()["components"] if c["name"] == name)


def _run(http: httpx.Client, job_id: str) -> dict:
    return next((r for r in http.get("/api/system/jobs").json() if r["id"] == job_id), {"state": "unknown"})


def _wait_for(condition, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}")
