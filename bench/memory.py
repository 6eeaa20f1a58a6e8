"""Resident memory of the Atom server at idle, after start-up and a first signed-in request."""

from __future__ import annotations

import time

import httpx

from bench._servers import atom_server, first_admin, rss_mib


def run() -> None:
    with atom_server() as (base, pid, data):
        started = rss_mib(pid)
        with httpx.Client(base_url=base) as http:
            csrf = http.post("/api/setup", json=first_admin(data)).json()
            http.get("/api/system/status", headers={"X-CSRF-Token": csrf["csrf_token"]})
        time.sleep(2)
        idle = rss_mib(pid)
    print(f"   server RSS after start-up:       {started:6.1f} MiB")
    print(f"   server RSS idle after first use: {idle:6.1f} MiB")
