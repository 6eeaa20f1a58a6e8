"""/metrics: admins only (a session or an admin's API token), Litestar's request figures, and the
box's own: the queue, job failures, backups, disk, temperatures, throttling and the local model's speed."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from litestar.testing import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime
from appliance.server.routes.metrics import _BoxCollector
from appliance.system import jobs as job_history
from appliance.system.backup import create_backup, make_key_pair
from appliance.system.metrics import BoxMetrics, Machine, read_machine, read_temperatures, read_throttled
from appliance.system.shapes import JobRunReport
from tests.conftest import add_member, second_client, sign_in


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text)[(name, tuple(sorted(labels.items())))]


def test_metrics_need_an_admin(admin: TestClient, runtime: Runtime) -> None:
    with second_client(runtime) as anonymous:
        assert anonymous.get("/metrics").status_code == 401
    add_member(admin, "bea", "bea's long password")
    with second_client(runtime) as bea:
        sign_in(bea, "bea", "bea's long password")
        assert bea.get("/metrics").status_code == 403
        member_token = bea.post("/api/tokens", json={"name": "scraper"}).json()["secret"]
    admin_token = admin.post("/api/tokens", json={"name": "prometheus"}).json()["secret"]
    with second_client(runtime) as scraper:
        assert scraper.get("/metrics", headers={"Authorization": f"Bearer {member_token}"}).status_code == 403
        assert scraper.get("/metrics", headers={"Authorization": f"Bearer {runtime.service_token}"}).status_code == 403
        scraped = scraper.get("/metrics", headers={"Authorization": f"Bearer {admin_token}"})
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    assert admin.get("/metrics").status_code == 200


def test_the_box_figures_are_there_and_sane(admin: TestClient, runtime: Runtime) -> None:
    make_key_pair(runtime.settings)
    create_backup(runtime.settings, runtime.db)
    assert admin.post("/api/system/jobs/housekeeping").status_code == 202  # no worker: it waits
    failed = JobRunReport(id="job-1", name="backup", state="failed", detail="the USB disk is full")
    asyncio.run(job_history.record_report(runtime.db, failed))
    running = JobRunReport(id="job-2", name="knowledge_reindex", state="running")
    asyncio.run(job_history.record_report(runtime.db, running))
    text = admin.get("/metrics").text
    assert value(text, "atom_jobs_pending") == 1
    assert value(text, "atom_jobs_running") == 1
    assert value(text, "atom_job_failed_runs", job="backup") == 1
    assert value(text, "atom_backups_complete") == 1
    assert 0 <= value(text, "atom_last_backup_age_seconds") < 120
    assert 0 < value(text, "atom_disk_free_bytes") <= value(text, "atom_disk_total_bytes")
    requests = [k for k in samples(text) if k[0] == "atom_http_requests_total"]
    assert any(("path", "/api/system/jobs/{name}") in labels for _, labels in requests)  # by route, not by URL


def test_temperatures_and_throttling_are_read_where_present(tmp_path: Path) -> None:
    zones = tmp_path / "sys" / "class" / "thermal"
    for name, kind, temp in (("thermal_zone0", "cpu-thermal", "48750\n"), ("thermal_zone1", "gpu", "off\n")):
        (zones / name).mkdir(parents=True)
        (zones / name / "type").write_text(kind + "\n")
        (zones / name / "temp").write_text(temp)
    assert read_temperatures(tmp_path / "sys") == {"thermal_zone0/cpu-thermal": 48.75}  # the unreadable one is left out
    assert read_temperatures(tmp_path / "nothing") == {}
    vcgencmd = tmp_path / "vcgencmd"
    vcgencmd.write_text('#!/bin/sh\n[ "$1" = get_throttled ] && echo "throttled=0x50005"\n')
    vcgencmd.chmod(vcgencmd.stat().st_mode | stat.S_IXUSR)
    assert read_throttled(str(vcgencmd)) == 0x50005
    assert read_throttled(None) is None and read_throttled(str(tmp_path / "missing")) is None
    machine = read_machine(tmp_path, tmp_path / "sys", str(vcgencmd))
    text = _render(machine)
    assert value(text, "atom_soc_temperature_celsius", zone="thermal_zone0/cpu-thermal") == 48.75
    assert value(text, "atom_soc_throttling_now", condition="under_voltage") == 1
    assert value(text, "atom_soc_throttling_now", condition="throttled") == 1
    assert value(text, "atom_soc_throttling_now", condition="arm_frequency_capped") == 0
    assert value(text, "atom_soc_throttling_since_boot", condition="under_voltage") == 1
    assert value(text, "atom_soc_throttling_since_boot", condition="throttled") == 1


def test_figures_the_box_cannot_give_are_left_out(tmp_path: Path) -> None:
    text = _render(Machine(disk_free_bytes=1, disk_total_bytes=2, temperatures_celsius={}, throttled=None))
    names = {name for name, _ in samples(text)}
    assert not any(name.startswith("atom_soc_") for name in names)
    assert "atom_last_backup_age_seconds" not in names


@pytest.mark.timeout(240)
def test_the_local_models_speed_is_measured(admin: TestClient, runtime: Runtime) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")
    install_model(runtime.settings.data_dir, load_manifest().get("smollm2"), model_cache())
    token = admin.post("/api/tokens", json={"name": "openai"}).json()["secret"]
    body = {"model": "auto", "messages": [{"role": "user", "content": "Name three fruits."}], "max_tokens": 24}
    reply = admin.post("/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    text = admin.get("/metrics").text
    first = value(text, "atom_llm_time_to_first_token_seconds", model="smollm2")
    rate = value(text, "atom_llm_tokens_per_second", model="smollm2")
    assert 0 < first < 60 and 1 < rate < 5000
    assert value(text, "atom_llm_replies_total", model="smollm2") >= 1


def _render(machine: Machine) -> str:
    box = BoxMetrics(
        llm=[],
        jobs_pending=0,
        jobs_running=0,
        job_failures={},
        backups_complete=0,
        last_backup_age_seconds=None,
        last_backup_timestamp=None,
        machine=machine,
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_BoxCollector(box))
    return generate_latest(registry).decode()
