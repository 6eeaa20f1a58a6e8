"""A job run by hand ends as the worker reports it, however fast the worker is (the "stays queued" bug)."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.system import jobs as job_history
from appliance.system.shapes import JobRunReport


def _report(runtime: Runtime, job_id: str, name: str, state: str) -> None:
    report = JobRunReport(id=job_id, name=name, state=state)  # type: ignore[arg-type]
    asyncio.run(job_history.record_report(runtime.db, report))


@pytest.fixture
def instant_worker(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """An idle worker: the job runs and both reports arrive before the enqueue call has returned."""
    enqueue = runtime.jobs.enqueue

    def run_at_once(name: str, job_id: str | None = None) -> str:
        queued = enqueue(name, job_id)
        for state in ("running", "succeeded"):
            _report(runtime, queued, name, state)
        return queued

    monkeypatch.setattr(runtime.jobs, "enqueue", run_at_once)


@pytest.mark.usefixtures("instant_worker")
@pytest.mark.parametrize("name", ["heartbeat", "housekeeping"])
def test_a_run_the_worker_finished_at_once_shows_as_succeeded(admin: TestClient, name: str) -> None:
    job_id = admin.post(f"/api/system/jobs/{name}").json()["id"]
    runs = {run["id"]: run for run in admin.get("/api/system/jobs").json()}
    assert runs[job_id]["state"] == "succeeded"
    row = f'data-run-id="{job_id}" data-state="succeeded"'
    assert row in admin.get("/fragments/job-runs").text  # what the System page's message follows


def test_a_routine_heartbeat_stays_out_of_the_history(admin: TestClient, runtime: Runtime) -> None:
    _report(runtime, "routine-beat", "heartbeat", "succeeded")
    assert all(run["id"] != "routine-beat" for run in admin.get("/api/system/jobs").json())


def test_an_unknown_job_is_a_404_and_leaves_no_run(admin: TestClient) -> None:
    answer = admin.post("/api/system/jobs/format-disk")
    assert answer.status_code == 404 and "format-disk" in answer.json()["detail"]
    assert admin.get("/api/system/jobs").json() == []
