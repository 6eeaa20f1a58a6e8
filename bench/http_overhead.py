"""Authenticated JSON route, Atom against bare Litestar: req/s and p99, idle and while a local model streams.

wrk drives each case at 8 and at 50 keep-alive connections: one warm-up round per case, then
ROUNDS rounds, and the median of the rounds is printed with the spread of p99. The cases take
turns round by round (bare, Atom, Atom while streaming, bare, ...), so whatever else the box is
doing weighs on all of them alike. Where the machine has two cores the servers are pinned to one
and wrk (with this script and its streaming client) to the other. "While streaming" means a
client streams replies from the local model back to back for the whole round, on the same box.
Figures only, no thresholds: machines differ (the README's targets: Atom's p99 within 3x of
bare's).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from bench._cpu import other_work
from bench._servers import atom_server, bare_litestar, first_admin
from bench._wrk import Cores, Round, Summary, cores, require_wrk, wrk_round

CONNECTIONS = (8, 50)
ROUNDS = 5
SECONDS = 3
WARM_UP = 2
QUIET = 0.1  # a round is undisturbed when other processes used less than a tenth of a core meanwhile
MAX_TURNS = 2 * ROUNDS
MODEL = "smollm2"
CACHE = Path(os.environ.get("ATOM_MODEL_CACHE") or Path.home() / ".cache" / "atom" / "pypi")
PROMPT = [{"role": "user", "content": "Write a short story about a robot who learns to garden."}]


@dataclass
class Case:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    during: Callable[[], AbstractContextManager[object]] = nullcontext  # what else runs through each round


class Streamer:
    """Streams replies from the local model back to back on a thread while a round runs."""

    def __init__(self, base: str, token: str) -> None:
        self.body = {"model": f"local/{MODEL}", "messages": PROMPT, "max_tokens": 256, "stream": True}
        self.url, self.headers = f"{base}/v1/chat/completions", {"Authorization": f"Bearer {token}"}
        self.pieces, self.seconds = 0, 0.0
        self.failures: list[str] = []
        self._stop = threading.Event()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Stream from the first words (the model is loaded on first use) until the round ends."""
        self._stop.clear()
        spoke = threading.Event()
        thread = threading.Thread(target=self._loop, args=(spoke,), name="bench-stream", daemon=True)
        thread.start()
        if not spoke.wait(120):
            self._stop.set()
            raise RuntimeError(f"the local model never spoke: {self.failures or 'timed out'}")
        started = time.perf_counter()
        try:
            yield
        finally:
            self._stop.set()
            thread.join(30)
            self.seconds += time.perf_counter() - started
            time.sleep(0.5)  # Atom notices the hang-up and frees the model before the next case

    def _loop(self, spoke: threading.Event) -> None:
        with httpx.Client(timeout=120) as http:
            while not self._stop.is_set():
                with http.stream("POST", self.url, json=self.body, headers=self.headers) as reply:
                    if reply.status_code != 200:
                        self.failures.append(f"HTTP {reply.status_code}")
                        self._stop.wait(0.5)
                        continue
                    self._read(reply, spoke)

    def _read(self, reply: httpx.Response, spoke: threading.Event) -> None:
        for line in reply.iter_lines():
            if line.startswith("data: {") and '"content":"' in line and '"content":""' not in line:
                self.pieces += spoke.is_set()  # counted from the moment the round may start
                spoke.set()
            if self._stop.is_set():
                return  # leaving the stream hangs up, as a browser tab closing would


def _token(base: str, data: Path) -> str:
    with httpx.Client(base_url=base) as http:
        csrf = http.post("/api/setup", json=first_admin(data)).json()["csrf_token"]
        created = http.post("/api/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf})
        return created.json()["secret"]


def _install_model(data: Path) -> None:
    from appliance.ai.models import install_model, load_manifest

    install_model(data, load_manifest().get(MODEL), CACHE)


def _interleaved(cases: list[Case], connections: int, load: frozenset[int], pids: list[int]) -> dict[str, Summary]:
    """A warm-up round per case, then turns in which each case runs a round, until every case has
    ROUNDS undisturbed rounds (or MAX_TURNS have passed); each case keeps its ROUNDS least disturbed."""
    for case in cases:
        _round(case, connections, WARM_UP, load, pids)
    rounds: dict[str, list[Round]] = {case.name: [] for case in cases}
    for _ in range(MAX_TURNS):
        wanting = [case for case in cases if sum(r.others < QUIET for r in rounds[case.name]) < ROUNDS]
        for case in wanting:
            rounds[case.name].append(_round(case, connections, SECONDS, load, pids))
        if not wanting:
            break
    kept = {name: sorted(results, key=lambda r: r.others)[:ROUNDS] for name, results in rounds.items()}
    return {name: Summary(kept[name], set_aside=len(rounds[name]) - len(kept[name])) for name in rounds}


def _round(case: Case, connections: int, seconds: int, load: frozenset[int], pids: list[int]) -> Round:
    with case.during(), other_work(pids) as others:
        result = wrk_round(case.url, connections, seconds, load, case.headers)
    return replace(result, others=others())


def _line(name: str, result: Summary, bare: Summary) -> str:
    low, high = result.p99_range
    return (
        f"   {name:<28} {result.rps:5.0f} req/s ({result.rps / bare.rps:4.2f})  p50 {result.p50_ms:5.1f} ms  "
        f"p99 {result.p99_ms:5.1f} ms ({result.p99_ms / bare.p99_ms:3.1f}x)  rounds' p99 {low:.1f}-{high:.1f}  "
        f"others <= {result.others:.2f} cores, {result.set_aside} set aside  errors {result.errors}"
    )


def run() -> None:
    require_wrk()
    where, before = cores(), os.sched_getaffinity(0)
    if where.load:
        os.sched_setaffinity(0, where.load)  # the streaming client and this script stay off the servers' core
    try:
        _run(where)
    finally:
        os.sched_setaffinity(0, before)


def _run(where: Cores) -> None:
    print(f"   {where.note}; cases take turns; median of {ROUNDS} rounds of {SECONDS} s; wrk -t1")
    print(f"   {_other_work()}")
    print("   (in brackets: Atom against bare Litestar in the same rounds)")
    with bare_litestar(where.server) as bare, atom_server(prepare=_install_model, cpus=where.server) as atom:
        (bare_url, bare_pid), (base, atom_pid, data) = bare, atom
        token = _token(base, data)
        bearer = {"Authorization": f"Bearer {token}"}
        streamer = Streamer(base, token)
        cases = [
            Case("bare Litestar GET /hello", f"{bare_url}/hello"),
            Case("Atom GET /api/auth/me", f"{base}/api/auth/me", bearer),
            Case("Atom, local model streaming", f"{base}/api/auth/me", bearer, streamer.running),
        ]
        for connections in CONNECTIONS:
            results = _interleaved(cases, connections, where.load, [bare_pid, atom_pid])
            print(f"   {connections} connections:")
            for case in cases:
                print(_line(case.name, results[case.name], results[cases[0].name]))
    rate = streamer.pieces / max(streamer.seconds, 1e-9)
    print(f"   the stream during its rounds: {rate:.0f} tokens/s; failures: {streamer.failures or 'none'}")
    print(f"   {_other_work()}")


def _other_work() -> str:
    """The load average: processes outside the benchmark that wanted the CPU make every figure noisier."""
    one, five, _ = os.getloadavg()
    busy = "; other work is running, so expect noisy figures" if five > 1 else ""
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores{busy}"
