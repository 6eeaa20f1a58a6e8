"""`/metrics` for Prometheus: the web server's own figures (Litestar's plugin) and the box's.

Admins only, never public: a signed-in admin, or an admin's API token as a bearer token
(`atom tokens create --user ADMIN --name prometheus`), since the figures describe the household's
use of Atom. The web server's request counts and durations come from `PrometheusConfig`'s
middleware; the rest is read at each scrape (`appliance.system.metrics`).
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar import get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.response import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from appliance.server.auth import admin_only
from appliance.server.deps import RuntimeDep
from appliance.system.metrics import BoxMetrics, Machine, collect_metrics

__all__ = ["routes", "http_metrics"]

# Raspberry Pi firmware bits (`vcgencmd get_throttled`): now in the low bits, since boot 16 higher.
_THROTTLE_BITS = {"under_voltage": 0, "arm_frequency_capped": 1, "throttled": 2, "soft_temperature_limit": 3}

http_metrics = PrometheusConfig(app_name="atom", prefix="atom_http", group_path=True)


class Metrics(PrometheusController):
    path = "/metrics"
    guards = [admin_only]
    tags = ["system"]

    @get()
    async def get(self, runtime: RuntimeDep) -> Response:
        box = await collect_metrics(runtime.settings, runtime.db, runtime.jobs.pending_count)
        ours = CollectorRegistry(auto_describe=False)
        ours.register(_BoxCollector(box))
        body = generate_latest(REGISTRY) + generate_latest(ours)
        return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class _BoxCollector(Collector):
    def __init__(self, box: BoxMetrics) -> None:
        self._box = box

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield from _llm(self._box)
        yield from _jobs(self._box)
        yield from _backups(self._box)
        yield from _machine(self._box.machine)


def _gauge(name: str, text: str, value: float | None = None, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, value=value, labels=labels)


def _llm(box: BoxMetrics) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    first = _gauge(
        "atom_llm_time_to_first_token_seconds", "Local model: request to first text, recent mean", labels=["model"]
    )
    rate = _gauge(
        "atom_llm_tokens_per_second", "Local model: tokens per second after the first, recent mean", labels=["model"]
    )
    replies = CounterMetricFamily("atom_llm_replies", "Local model: replies since the server started", labels=["model"])
    for speed in box.llm:
        first.add_metric([speed.model], speed.first_token_seconds)
        replies.add_metric([speed.model], speed.replies)
        if speed.tokens_per_second is not None:
            rate.add_metric([speed.model], speed.tokens_per_second)
    yield from (first, rate, replies)


def _jobs(box: BoxMetrics) -> Iterator[GaugeMetricFamily]:
    yield _gauge("atom_jobs_pending", "Jobs waiting in the queue", box.jobs_pending)
    yield _gauge("atom_jobs_running", "Jobs the worker reports running now", box.jobs_running)
    failed = _gauge("atom_job_failed_runs", "Failed runs in the kept job history, by job", labels=["job"])
    for name, count in sorted(box.job_failures.items()):
        failed.add_metric([name], count)
    yield failed


def _backups(box: BoxMetrics) -> Iterator[GaugeMetricFamily]:
    yield _gauge("atom_backups_complete", "Complete backups in the backup folder", box.backups_complete)
    if box.last_backup_timestamp is not None and box.last_backup_age_seconds is not None:
        yield _gauge(
            "atom_last_backup_timestamp_seconds", "When the last good backup was made", box.last_backup_timestamp
        )
        yield _gauge("atom_last_backup_age_seconds", "Age of the last good backup", box.last_backup_age_seconds)


def _machine(machine: Machine) -> Iterator[GaugeMetricFamily]:
    yield _gauge("atom_disk_free_bytes", "Free space on the data folder's disk", machine.disk_free_bytes)
    yield _gauge("atom_disk_total_bytes", "Size of the data folder's disk", machine.disk_total_bytes)
    if machine.temperatures_celsius:
        heat = _gauge("atom_soc_temperature_celsius", "Thermal zone temperatures", labels=["zone"])
        for zone, celsius in machine.temperatures_celsius.items():
            heat.add_metric([zone], celsius)
        yield heat
    if machine.throttled is not None:
        yield from _throttling(machine.throttled)


def _throttling(bits: int) -> Iterator[GaugeMetricFamily]:
    yield _gauge("atom_soc_throttled_bits", "Raspberry Pi `vcgencmd get_throttled`, as reported", bits)
    now = _gauge("atom_soc_throttling_now", "Raspberry Pi throttling conditions now (1: yes)", labels=["condition"])
    ever = _gauge(
        "atom_soc_throttling_since_boot", "Raspberry Pi throttling conditions since boot", labels=["condition"]
    )
    for condition, bit in _THROTTLE_BITS.items():
        now.add_metric([condition], (bits >> bit) & 1)
        ever.add_metric([condition], (bits >> (bit + 16)) & 1)
    yield from (now, ever)


routes = [Metrics]
