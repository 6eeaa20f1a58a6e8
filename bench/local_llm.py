"""Local chat through Atom's /v1/chat/completions against llama-cpp-python called directly (target ratio ≥ 0.9)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from bench._servers import atom_server, first_admin

MODEL = "smollm2"
THREAD_COUNTS = (1, 2)
MAX_TOKENS = 128
RUNS = 3
PROMPT = [{"role": "user", "content": "Write a short story about a robot who learns to garden."}]
CACHE = Path(os.environ.get("ATOM_MODEL_CACHE") or Path.home() / ".cache" / "atom" / "pypi")


def _direct(model_path: Path, threads: int) -> list[tuple[float, float]]:
    """(time to first token, tokens per second) per run, llama-cpp-python in this process."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(model_path), n_threads=threads, n_ctx=2048, verbose=False)
    llm.create_chat_completion(messages=PROMPT, max_tokens=4)  # warm up
    results = []
    for _ in range(RUNS):
        started, first, pieces = time.perf_counter(), None, 0
        for chunk in llm.create_chat_completion(messages=PROMPT, max_tokens=MAX_TOKENS, temperature=0, stream=True):
            if chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                pieces += 1
        results.append(_figures(started, first, time.perf_counter(), pieces))
    return results


def _through_atom(base: str, token: str) -> list[tuple[float, float]]:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"model": f"local/{MODEL}", "messages": PROMPT, "max_tokens": MAX_TOKENS, "temperature": 0, "stream": True}
    httpx.post(
        f"{base}/v1/chat/completions", json={**body, "stream": False, "max_tokens": 4}, headers=headers, timeout=120
    )  # warm up: loads the model
    results = []
    for _ in range(RUNS):
        started, first, pieces = time.perf_counter(), None, 0
        with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, headers=headers, timeout=120) as reply:
            for line in reply.iter_lines():
                if line.startswith("data: {") and '"content":"' in line and '"content":""' not in line:
                    first = first or time.perf_counter()
                    pieces += 1
        results.append(_figures(started, first, time.perf_counter(), pieces))
    return results


def _figures(started: float, first: float | None, ended: float, pieces: int) -> tuple[float, float]:
    first = first or ended
    return first - started, (pieces - 1) / max(ended - first, 1e-9)


def _token(base: str, data: Path) -> str:
    with httpx.Client(base_url=base) as http:
        csrf = http.post("/api/setup", json=first_admin(data)).json()
        created = http.post("/api/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf["csrf_token"]})
        return created.json()["secret"]


def _best(results: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in results), max(r[1] for r in results)


def run() -> None:
    for threads in THREAD_COUNTS:
        _compare(threads)


def _compare(threads: int) -> None:
    from appliance.ai.models import install_model, load_manifest, require_model

    def prepare(data: Path) -> None:
        install_model(data, load_manifest().get(MODEL), CACHE)

    with atom_server(env={"ATOM_AI_THREADS": str(threads)}, prepare=prepare) as (base, _pid, data):
        atom = _best(_through_atom(base, _token(base, data)))
        model_path = require_model(data, MODEL).path(data)
        direct = _best(_direct(model_path, threads))  # the server sits idle meanwhile
    print(f"   model {MODEL}, {threads} thread(s), {MAX_TOKENS} tokens, best of {RUNS}")
    print(f"   llama-cpp-python direct:   TTFT {direct[0] * 1000:7.1f} ms   {direct[1]:6.1f} tokens/s")
    print(f"   Atom /v1 (HTTP + SSE):     TTFT {atom[0] * 1000:7.1f} ms   {atom[1]:6.1f} tokens/s")
    print(f"   ratio tokens/s (Atom / direct): {atom[1] / direct[1]:.2f}   (target >= 0.9)")
    print(f"   TTFT overhead: {(atom[0] - direct[0]) * 1000:+.1f} ms")
