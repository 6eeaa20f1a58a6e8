"""A small closed-loop HTTP load generator: N keep-alive connections, fixed duration."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def _worker(client: httpx.AsyncClient, url: str, until: float, latencies: list[float], errors: list[int]) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await client.get(url)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(response.status_code)


async def _load(url: str, headers: dict[str, str], connections: int, seconds: float) -> LoadResult:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        await client.get(url)  # warm up
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(_worker(client, url, until, latencies, errors) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return LoadResult(len(latencies), elapsed, statistics.median(ordered) * 1000, p99 * 1000, len(errors))


def load(url: str, headers: dict[str, str] | None = None, connections: int = 8, seconds: float = 5.0) -> LoadResult:
    return asyncio.run(_load(url, headers or {}, connections, seconds))
