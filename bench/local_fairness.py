"""Fair turns at the local model: member B's wait while member A floods it, against B alone and FIFO.

Member A sends FLOOD streamed requests at once; when the second of them speaks (so every one of
them has reached the queue, and FLOOD - 2 still wait), member B sends one. B's wait to its first
words is compared with B's wait on an idle model, and with what a first-come-first-served queue
gives: measured as A's own next request, since one member's requests keep their arrival order.
Figures only, no thresholds: machines differ.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench._servers import atom_server, free_port

MODEL = "smollm2"
FLOOD = 8
MAX_TOKENS = 48
RUNS = 3
PASSWORD = "benchmark password"
CACHE = Path(os.environ.get("ATOM_MODEL_CACHE") or Path.home() / ".cache" / "atom" / "pypi")
BODY = {
    "model": f"local/{MODEL}",
    "messages": [{"role": "user", "content": "Write a short story about a robot who learns to garden."}],
    "max_tokens": MAX_TOKENS,
    "temperature": 0,
    "stream": True,
}


class Timing:
    """One streamed request: seconds to its first words and to its end, or its refusal."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.end = 0.0
        self.status = 0
        self.retry_after = ""
        self.spoke = asyncio.Event()


async def _timed(client: httpx.AsyncClient, token: str, timing: Timing | None = None) -> Timing:
    timing, started = timing or Timing(), time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    async with client.stream("POST", "/v1/chat/completions", json=BODY, headers=headers) as reply:
        timing.status, timing.retry_after = reply.status_code, reply.headers.get("Retry-After", "")
        async for line in reply.aiter_lines():
            if timing.first is None and line.startswith("data: {") and '"content":"' in line:
                if '"content":""' not in line:
                    timing.first = time.perf_counter() - started
                    timing.spoke.set()
    timing.end = time.perf_counter() - started
    return timing


async def _behind_a_flood(client: httpx.AsyncClient, flooder: str, asker: str) -> float:
    """`asker`'s wait to first words, sent once two of `flooder`'s FLOOD requests have spoken."""
    timings = [Timing() for _ in range(FLOOD)]
    flood = [asyncio.create_task(_timed(client, flooder, timing)) for timing in timings]
    while sum(timing.spoke.is_set() for timing in timings) < 2:
        await asyncio.sleep(0.005)
    probe = await _timed(client, asker)
    await asyncio.gather(*flood)
    if probe.first is None:
        raise RuntimeError(f"the request behind the flood was answered {probe.status}")
    return probe.first


async def _measure(base: str, tokens: dict[str, str]) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        await _timed(client, tokens["ann"])  # warm up: loads the model
        alone = [await _timed(client, tokens["bob"]) for _ in range(RUNS)]
        fair = [await _behind_a_flood(client, tokens["ann"], tokens["bob"]) for _ in range(RUNS)]
        fifo = [await _behind_a_flood(client, tokens["ann"], tokens["ann"]) for _ in range(RUNS)]
    return {
        "alone": statistics.median(t.first or t.end for t in alone),
        "turn": statistics.median(t.end for t in alone),
        "fair": statistics.median(fair),
        "fifo": statistics.median(fifo),
    }


async def _refusals(base: str, tokens: dict[str, str]) -> list[Timing]:
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        await _timed(client, tokens["ann"])  # warm up
        return list(await asyncio.gather(*(_timed(client, tokens["ann"]) for _ in range(FLOOD))))


def run() -> None:
    from appliance.ai.models import install_model, load_manifest

    tokens: dict[str, str] = {}

    def prepare(data: Path) -> None:
        install_model(data, load_manifest().get(MODEL), CACHE)
        tokens.update(_members(data))

    roomy = {"ATOM_AI_THREADS": "1", "ATOM_AI_LOCAL_PER_MEMBER": str(FLOOD + 1), "ATOM_AI_LOCAL_QUEUE": str(2 * FLOOD)}
    with atom_server(env=roomy, prepare=prepare) as (base, _pid, _data):
        figures = asyncio.run(_measure(base, tokens))
    with atom_server(env={"ATOM_AI_THREADS": "1"}, prepare=prepare) as (base, _pid, _data):
        refused = asyncio.run(_refusals(base, tokens))
    _report(figures, refused)


def _report(figures: dict[str, float], flood: list[Timing]) -> None:
    estimate = figures["alone"] + (FLOOD - 2) * figures["turn"]
    print(f"   model {MODEL}, 1 thread, replies of {MAX_TOKENS} tokens, median of {RUNS};")
    print(f"   member A sends {FLOOD} at once (limits raised to admit them); B asks once {FLOOD - 2} of them wait")
    print(f"   B alone, idle model:              first words after {figures['alone']:6.2f} s")
    print(f"   B behind A's flood (fair turns):  first words after {figures['fair']:6.2f} s")
    print(f"   the same request in FIFO order:   first words after {figures['fifo']:6.2f} s   (A's own next request)")
    print(f"   FIFO computed: {FLOOD - 2} waiting replies of {figures['turn']:.2f} s + B alone = {estimate:.2f} s")
    admitted = [t for t in flood if t.status == 200]
    refused = [t for t in flood if t.status == 429]
    waits = sorted({t.retry_after for t in refused})
    print(
        f"   default limits: A's {FLOOD} at once -> {len(admitted)} answered, {len(refused)} refused "
        f"with 429 (Retry-After {', '.join(waits) or '-'} s)"
    )


def _members(data: Path) -> dict[str, str]:
    """Two members with API tokens, made with the CLI before the server starts."""
    tokens = {}
    for name, role in (("ann", ["--admin"]), ("bob", [])):
        if name not in _atom(data, "users", "list"):
            _atom(data, "users", "add", name, *role, "--password-stdin", stdin=PASSWORD + "\n")
        tokens[name] = _atom(data, "tokens", "create", "--user", name, "--name", "bench").strip()
    return tokens


def _atom(data: Path, *args: str, stdin: str | None = None) -> str:
    # A port nothing listens on: the CLI works on the data folder directly, not through a server.
    env = {**os.environ, "ATOM_DATA_DIR": str(data), "ATOM_PORT": str(free_port()), "ATOM_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "appliance", *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"atom {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout
