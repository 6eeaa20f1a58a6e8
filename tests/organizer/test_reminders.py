"""Reminders fire once, on time or late with a note; across restarts and through the real worker path."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from appliance.events import EventBus
from appliance.organizer.reminders.reminders import LEASE, claim_due, deliver_due, fire_due
from appliance.organizer.reminders.shapes import FiredReminder
from appliance.runtime import Runtime, open_runtime
from appliance.settings import Settings, load_settings
from tests.conftest import ADMIN
from tests.organizer.conftest import Clock
from tests.processes import AtomProcess, free_port, with_setup_code


def _fire(client: TestClient, runtime: Runtime) -> dict:
    """What the control route does when the worker asks, run on the app's own event loop (whose
    live channels it feeds); the route itself is called over real HTTP in the process test below."""
    report = client.blocking_portal.call(deliver_due, runtime.db, runtime.bus, runtime.reminder_announcers)
    return {"fired": report.fired, "late": report.late}


def test_a_reminder_fires_once_on_time_and_reaches_only_its_member(
    household: TestClient, robin: TestClient, runtime: Runtime, clock: Clock
) -> None:
    heard: list[FiredReminder] = []

    async def satellite(reminder: FiredReminder) -> None:
        heard.append(reminder)

    runtime.reminder_announcers.add(satellite)
    made = robin.post("/api/reminders", json={"title": "Take the cake out", "at": "2025-03-24T07:30:00"})
    assert made.status_code == 201, made.text
    assert made.json()["remind_at"] == "2025-03-24T06:30:00Z"  # 07:30 in Berlin
    household.post("/api/reminders", json={"title": "Admin's own", "at": "2025-03-24T07:30:00"})
    with robin.websocket_connect("/api/live") as socket:
        assert json.loads(socket.receive_text(timeout=5))["action"] == "ready"
        assert _fire(household, runtime) == {"fired": 0, "late": 0}
        clock.advance(minutes=30, seconds=30)
        assert _fire(household, runtime) == {"fired": 2, "late": 0}
        event = json.loads(socket.receive_text(timeout=5))
        assert (event["topic"], event["action"], event["data"]["title"]) == (
            "reminders",
            "created",
            "Take the cake out",
        )
        assert event["data"]["late"] is False and event["data"]["note"] is None
        assert _fire(household, runtime) == {"fired": 0, "late": 0}
    assert sorted(r.title for r in heard) == ["Admin's own", "Take the cake out"]
    assert robin.get("/api/reminders").json() == []
    [fired] = robin.get("/api/reminders", params={"state": "fired"}).json()
    assert fired["fired_at"] == "2025-03-24T06:30:30Z"


def test_after_downtime_a_reminder_fires_late_with_a_note(
    household: TestClient, runtime: Runtime, clock: Clock
) -> None:
    household.post("/api/reminders", json={"title": "Call mum", "at": "2025-03-24T09:00:00"})
    clock.set(datetime(2025, 3, 24, 11, 15))  # Atom was off from before 08:00 UTC until now
    assert _fire(household, runtime) == {"fired": 1, "late": 1}
    [fired] = household.get("/api/reminders", params={"state": "fired"}).json()
    assert fired["late_note"] == "Late by 3 hours: this was due at 09:00 on Mon 24 Mar while Atom was not running."


def test_a_reminder_for_a_task_takes_its_title_and_due_time(household: TestClient, robin: TestClient) -> None:
    task = household.post("/api/tasks", json={"title": "Bins out", "due_date": "2025-03-24", "due_time": "19:00:00"})
    made = household.post("/api/reminders", json={"task_id": task.json()["id"]}).json()
    assert (made["title"], made["remind_at"], made["task_id"]) == (
        "Bins out",
        "2025-03-24T18:00:00Z",
        task.json()["id"],
    )
    private = robin.post("/api/tasks", json={"title": "Robin's", "shared": False}).json()
    assert (
        household.post("/api/reminders", json={"task_id": private["id"], "at": "2025-03-25T09:00:00"}).status_code
        == 404
    )
    for body, words in [
        ({"at": "2025-03-25T09:00:00"}, "say what"),
        ({"title": "x"}, "say when"),
        ({"title": "x", "at": "2025-03-20T09:00:00"}, "passed"),
        ({"task_id": private["id"], "event_id": "x", "at": "2025-03-25T09:00:00"}, "not both"),
        ({"title": "x", "at": "tomorrow"}, ""),
        ({"title": "x", "at": "2025-03-25T09:00:00", "user_id": "someone"}, ""),
    ]:
        response = household.post("/api/reminders", json=body)
        assert response.status_code == 400 and words in response.json()["detail"], (body, response.text)


def test_reminders_are_private_and_the_fire_route_is_the_services_alone(
    household: TestClient, robin: TestClient, runtime: Runtime
) -> None:
    mine = robin.post("/api/reminders", json={"title": "secret", "at": "2025-03-25T09:00:00"}).json()
    assert household.get("/api/reminders").json() == []
    assert household.delete(f"/api/reminders/{mine['id']}").status_code == 404
    assert robin.post("/api/control/organizer/reminders/fire").status_code == 403
    service = {"Authorization": f"Bearer {runtime.service_token}"}  # not from the box: refused too
    assert household.post("/api/control/organizer/reminders/fire", headers=service).status_code == 403
    assert robin.delete(f"/api/reminders/{mine['id']}").status_code == 204
    assert robin.get("/api/reminders").json() == []


@pytest.fixture
def data_settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, data_dir=tmp_path / "data", log={"format": "text"})


def _reopen(settings: Settings) -> Iterator[Runtime]:
    runtime = open_runtime(settings)
    try:
        yield runtime
    finally:
        runtime.close()


def _seed(runtime: Runtime, due: datetime) -> None:
    def insert(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(
            "INSERT INTO organizer_reminders (id, user_id, title, remind_at, created_at) VALUES (?, ?, ?, ?, ?)",
            ["r1", "u1", "Dentist", due, due - timedelta(days=1)],
        )

    runtime.db.write_sync(insert)


async def _race(runtime: Runtime, askers: int) -> list[list[FiredReminder]]:
    return await asyncio.gather(*(fire_due(runtime.db) for _ in range(askers)))


def test_a_reminder_fires_once_across_restarts_and_racing_askers(data_settings: Settings, clock: Clock) -> None:
    for runtime in _reopen(data_settings):
        _seed(runtime, datetime(2025, 3, 24, 8, 0))
        assert asyncio.run(fire_due(runtime.db)) == []  # 06:00: not yet
    clock.set(datetime(2025, 3, 24, 8, 0, 20))
    for runtime in _reopen(data_settings):  # "restarted": a new process would see the same file
        results = asyncio.run(_race(runtime, 8))
        assert sorted(len(r) for r in results) == [0] * 7 + [1]
    clock.advance(hours=5)
    for runtime in _reopen(data_settings):
        assert asyncio.run(fire_due(runtime.db)) == []
        fired = runtime.db.read_sync(lambda c: c.execute("SELECT fired_at FROM organizer_reminders").fetchall())
        assert fired == [(datetime(2025, 3, 24, 8, 0, 20),)]


@pytest.mark.process
def test_the_worker_task_fires_through_the_control_api_once_even_across_kill_9(tmp_path: Path) -> None:
    """A real `atom serve`; the worker's task body runs here, reaching it only through the control API."""
    from huey import MemoryHuey

    from appliance.jobs.client import lazy_server_client
    from appliance.jobs.organizer import register_organizer_tasks

    data, port = tmp_path / "data", free_port()
    server = AtomProcess("serve", data, port, tmp_path / "serve.log").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=10)
        signed = http.post("/api/setup", json=with_setup_code(data, ADMIN)).json()
        http.headers["X-CSRF-Token"] = signed["csrf_token"]
        soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        assert http.post("/api/reminders", json={"title": "Real one", "at": soon}).status_code == 201
        settings = load_settings(environ={}, data_dir=data, server={"port": server.port, "host": "127.0.0.1"})
        task = register_organizer_tasks(MemoryHuey(immediate=True), lazy_server_client(settings))["reminders"]
        time.sleep(1.5)
        assert task.call_local().fired == 1
        server.kill()  # kill -9: no chance to tidy up
        server.start()
        assert task.call_local().fired == 0
        http.post("/api/auth/login", json={"username": ADMIN["username"], "password": ADMIN["password"]})
        [fired] = http.get("/api/reminders", params={"state": "fired"}).json()
        assert fired["title"] == "Real one" and fired["late_note"] is None
        assert http.get("/api/reminders").json() == []
    finally:
        server.stop()


class _CrashingBus(EventBus):
    """The process dying between the claim and the hand-over, as far as this run can tell."""

    def publish(self, event, audience) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("killed between claim and delivery")


def _fired_rows(runtime: Runtime) -> list[tuple]:
    return runtime.db.read_sync(lambda c: c.execute("SELECT fired_at FROM organizer_reminders").fetchall())


def test_a_reminder_claimed_but_never_delivered_is_delivered_by_the_next_run(
    data_settings: Settings, clock: Clock
) -> None:
    for runtime in _reopen(data_settings):
        _seed(runtime, datetime(2025, 3, 24, 6, 0))
        with pytest.raises(RuntimeError):
            asyncio.run(deliver_due(runtime.db, _CrashingBus(), runtime.reminder_announcers, run="dead-run"))
        assert _fired_rows(runtime) == [(None,)]  # claimed, not fired: it is not lost
        assert asyncio.run(claim_due(runtime.db, run="dead-run")) == []  # the dead run's lease still holds it
    clock.advance(minutes=3)
    for runtime in _reopen(data_settings):  # the next run (a restart) takes the dead claim at once
        bus, heard = EventBus(), []
        runtime.reminder_announcers.add(functools.partial(_hear, heard))
        report = asyncio.run(deliver_due(runtime.db, bus, runtime.reminder_announcers, run="next-run"))
        assert (report.fired, report.late) == (1, 1)
        assert [r.id for r in heard] == ["r1"] and heard[0].note.startswith("Late by 3 minutes: this was due at")
        assert _fired_rows(runtime) == [(datetime(2025, 3, 24, 6, 3),)]
        assert asyncio.run(deliver_due(runtime.db, bus, runtime.reminder_announcers, run="next-run")).fired == 0
        assert asyncio.run(deliver_due(runtime.db, bus, runtime.reminder_announcers, run="third-run")).fired == 0


def test_a_delivery_that_hung_is_taken_again_when_its_lease_runs_out(data_settings: Settings, clock: Clock) -> None:
    for runtime in _reopen(data_settings):
        _seed(runtime, datetime(2025, 3, 24, 6, 0))
        [claimed] = asyncio.run(claim_due(runtime.db, run="this-run"))  # ... and its delivery never returns
        assert asyncio.run(claim_due(runtime.db, run="this-run")) == []
        clock.advance(seconds=LEASE.total_seconds())
        assert asyncio.run(fire_due(runtime.db, run="this-run"))[0].id == claimed.id
        assert _fired_rows(runtime) == [(clock.at,)]
        assert asyncio.run(fire_due(runtime.db, run="this-run")) == []


async def _hear(heard: list[FiredReminder], reminder: FiredReminder) -> None:
    heard.append(reminder)


_CLAIM_THEN_DIE = """
import asyncio, os, signal, sys
from pathlib import Path
from appliance.storage import Database
from appliance.organizer.reminders.reminders import claim_due
db = Database(Path(sys.argv[1]))
claimed = asyncio.run(claim_due(db))
print(len(claimed), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # after the claim committed, before any delivery
"""


@pytest.mark.process
def test_a_server_killed_between_claim_and_delivery_loses_no_reminder(tmp_path: Path) -> None:
    """A real process claims the due reminder and is killed with SIGKILL; the next `atom serve` delivers it."""
    import subprocess
    import sys

    from huey import MemoryHuey

    from appliance.jobs.client import lazy_server_client
    from appliance.jobs.organizer import register_organizer_tasks

    data, port = tmp_path / "data", free_port()
    server = AtomProcess("serve", data, port, tmp_path / "serve.log").start()
    try:
        http = httpx.Client(base_url=server.url, timeout=10)
        signed = http.post("/api/setup", json=with_setup_code(data, ADMIN)).json()
        http.headers["X-CSRF-Token"] = signed["csrf_token"]
        soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        assert http.post("/api/reminders", json={"title": "Survives", "at": soon}).status_code == 201
        server.stop()
        time.sleep(1.2)
        died = subprocess.run(
            [sys.executable, "-c", _CLAIM_THEN_DIE, str(data / "atom.duckdb")], capture_output=True, timeout=60
        )
        assert (died.returncode, died.stdout.strip()) == (-9, b"1"), died.stderr.decode()[-2000:]
        server.start()
        settings = load_settings(environ={}, data_dir=data, server={"port": server.port, "host": "127.0.0.1"})
        task = register_organizer_tasks(MemoryHuey(immediate=True), lazy_server_client(settings))["reminders"]
        assert task.call_local().fired == 1
        assert task.call_local().fired == 0
        http.post("/api/auth/login", json={"username": ADMIN["username"], "password": ADMIN["password"]})
        [fired] = http.get("/api/reminders", params={"state": "fired"}).json()
        assert fired["title"] == "Survives"
    finally:
        server.stop()


def test_the_worker_has_a_minutely_reminders_job(runtime: Runtime) -> None:
    assert "reminders" in runtime.jobs.names
