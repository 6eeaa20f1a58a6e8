"""How much CPU other processes took while a benchmark round ran, so rounds they disturbed can be set aside.

A p99 over a few seconds is decided by a few dozen requests: another process taking the server's
core for a tenth of a second moves it more than anything the server does. Linux counts CPU time
for the whole machine (/proc/stat) and per process; what the machine spent beyond this process,
its finished children (wrk) and the servers under test was spent on other work.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["other_work"]

_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds every core has spent on anything but idling, since boot (interrupts left out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields[:8]
    return (user + nice + system + steal) / _TICK


def _process(pid: int) -> float:
    """CPU seconds process `pid` (all its threads) has used, or 0 once it is gone."""
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(after_name[11]) + int(after_name[12])) / _TICK  # utime, stime


def _ours(pids: Iterable[int]) -> float:
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished wrk runs
    used = mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime
    return used + sum(_process(pid) for pid in pids)


@contextmanager
def other_work(pids: Iterable[int]) -> Iterator[Callable[[], float]]:
    """Yields a function giving the cores other processes used, on average, while the block ran."""
    pids = list(pids)
    started, busy, ours = time.monotonic(), _machine_busy(), _ours(pids)
    ended: list[float] = []
    yield lambda: ended[0]
    elapsed = time.monotonic() - started
    ended.append(max(0.0, (_machine_busy() - busy) - (_ours(pids) - ours)) / elapsed)
