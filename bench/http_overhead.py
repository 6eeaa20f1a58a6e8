"""Authenticated JSON route through Atom against a bare Litestar route, same run (target ratio ≥ 0.5)."""

from __future__ import annotations

from pathlib import Path

import httpx

from bench._load import LoadResult, load
from bench._servers import atom_server, bare_litestar, first_admin

SECONDS = 5.0


def _token(base: str, data: Path) -> str:
    with httpx.Client(base_url=base) as http:
        csrf = http.post("/api/setup", json=first_admin(data)).json()["csrf_token"]
        created = http.post("/api/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf})
        return created.json()["secret"]


def _line(name: str, result: LoadResult) -> str:
    return (
        f"   {name:<34} {result.rps:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
        f"p99 {result.p99_ms:6.1f} ms   errors {result.errors}"
    )


def run() -> None:
    with bare_litestar() as bare:
        baseline = load(f"{bare}/hello", seconds=SECONDS)
    with atom_server() as (base, _pid, data):
        bearer = {"Authorization": f"Bearer {_token(base, data)}"}
        atom = load(f"{base}/api/auth/me", headers=bearer, seconds=SECONDS)
    print(_line("bare Litestar GET /hello", baseline))
    print(_line("Atom GET /api/auth/me (Bearer)", atom))
    print(f"   ratio (Atom / bare) req/s: {atom.rps / baseline.rps:.2f}   (target >= 0.5)")
    print(f"   ratio (Atom / bare) p99:   {atom.p99_ms / baseline.p99_ms:.2f}x latency")
