"""HTTP load with `wrk` (C, one thread): rounds of fixed length, their medians, cores kept apart.

A Python load generator needs about as much CPU as the server it measures, which on a small box
makes it the bottleneck and its own scheduling the tail. wrk is cheap, and pinned to a core the
server does not use, it measures the server. wrk's `done` hook reports exact figures as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cores", "Round", "Summary", "cores", "pinned", "require_wrk", "wrk_round"]

# Latencies arrive in microseconds; `summary.duration` too.
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "micros": %d, "p50": %d, "p99": %d, "max": %d, "errors": %d, "status": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Cores:
    """Where the server runs and where the load comes from; empty sets mean unpinned."""

    server: frozenset[int]
    load: frozenset[int]
    note: str


def cores() -> Cores:
    """The first usable core for the server, the next for the load, where the machine has two."""
    usable = sorted(os.sched_getaffinity(0))
    if len(usable) < 2 or shutil.which("taskset") is None:
        why = "one usable core" if len(usable) < 2 else "no taskset"
        return Cores(frozenset(), frozenset(), f"not pinned ({why}): server and load share the CPU")
    server, load = frozenset(usable[:1]), frozenset(usable[1:2])
    return Cores(server, load, f"server pinned to CPU {usable[0]}, load generator to CPU {usable[1]}")


def pinned(command: Sequence[str], cpus: frozenset[int]) -> list[str]:
    """`command` run on `cpus` (all its threads: they inherit the affinity), or as is."""
    if not cpus:
        return list(command)
    return ["taskset", "-c", ",".join(map(str, sorted(cpus))), *command]


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: run `bash scripts/system-packages.sh bench` (or apt-get install wrk)")
    return found


@dataclass(frozen=True)
class Round:
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors and timeouts, plus non-2xx/3xx answers
    others: float = 0.0  # cores other processes used meanwhile, on average (see _cpu.py)


@dataclass(frozen=True)
class Summary:
    """Medians over rounds, so one unlucky round (another process woke up) does not decide."""

    rounds: list[Round]
    set_aside: int = 0  # rounds other processes disturbed, run again and left out

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p99_range(self) -> tuple[float, float]:
        return min(r.p99_ms for r in self.rounds), max(r.p99_ms for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def others(self) -> float:
        return max(r.others for r in self.rounds)


def wrk_round(
    url: str, connections: int, seconds: int, load_cpus: frozenset[int], headers: dict[str, str] | None = None
) -> Round:
    """One wrk run of `seconds` at `connections` keep-alive connections, on `load_cpus`."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "report.lua")
        script.write_text(REPORT_LUA)
        command = [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
        command += [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
        done = subprocess.run(pinned([*command, url], load_cpus), capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Round(
        rps=report["requests"] / (report["micros"] / 1e6),
        p50_ms=report["p50"] / 1000,
        p99_ms=report["p99"] / 1000,
        max_ms=report["max"] / 1000,
        errors=report["errors"] + report["status"],
    )
