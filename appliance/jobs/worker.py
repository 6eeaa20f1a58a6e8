"""`atom worker`: the Huey consumer, in a process of its own (it installs signal handlers)."""

from __future__ import annotations

import threading

from huey.consumer import Consumer

from appliance.jobs.client import lazy_server_client
from appliance.jobs.history import report_job_history
from appliance.jobs.queue import make_huey
from appliance.jobs.tasks import register_tasks
from appliance.settings import Settings
from appliance.system.sdnotify import Watchdog, notify, watchdog_period

__all__ = ["run_worker"]


def run_worker(settings: Settings) -> None:
    """Consume jobs until SIGINT (finish running jobs) or SIGTERM (stop now)."""
    huey = make_huey(settings)
    register_tasks(huey, settings)

    report_job_history(huey, lazy_server_client(settings))
    consumer = huey.create_consumer(workers=settings.jobs.workers, worker_type="thread", periodic=True)
    threading.Thread(target=_tell_systemd, args=(consumer,), name="sd-notify", daemon=True).start()
    try:
        consumer.run()
    finally:
        notify("STOPPING=1")  # here too: the process may end before the notifier thread is scheduled


def _tell_systemd(consumer: Consumer) -> None:
    """READY=1 once the scheduler and workers run, watchdog pings while they all live, STOPPING=1 at a stop."""
    while not _consuming(consumer):
        if consumer.stop_flag.wait(0.1):
            return
    notify("READY=1")
    period = watchdog_period()
    watchdog = Watchdog(lambda: _consuming(consumer), period).start() if period else None
    consumer.stop_flag.wait()
    notify("STOPPING=1")
    if watchdog:
        watchdog.stop()


def _consuming(consumer: Consumer) -> bool:
    threads = [consumer.scheduler, *(thread for _, thread in consumer.worker_threads)]
    return all(thread.is_alive() for thread in threads) and not consumer.stop_flag.is_set()
