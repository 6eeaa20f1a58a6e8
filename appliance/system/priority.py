"""CPU priority for background work: people waiting for a page come before a model generating.

On a box with few cores, the local model's generation thread and the web server's event loop
share them. At equal priority the scheduler splits a busy core evenly, so while a reply streams
every request waits behind the model's time slices (measured on two cores: half the requests
per second and twice the p99 at 50 clients). A thread with lower priority still gets every
cycle the event loop does not want, so an idle server costs the model nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

__all__ = ["BACKGROUND_STEPS", "lower_this_thread"]

BACKGROUND_STEPS = 10  # nice steps: about a tenth of a core the event loop also wants, all of an idle one

log = logging.getLogger(__name__)


def lower_this_thread(steps: int = BACKGROUND_STEPS) -> None:
    """Lower the calling thread's CPU priority by `steps`; threads it starts later inherit it.

    Linux only, where niceness belongs to each thread (elsewhere it would reach the whole
    process); anywhere it is refused, the thread keeps its priority.
    """
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + steps))
    except OSError as exc:
        log.debug("could not lower the priority of thread %d: %s", thread, exc)
