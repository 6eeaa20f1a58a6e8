"""Liveness for load balancers and systemd: no auth, no database round trip."""

from __future__ import annotations

from litestar import get

from appliance.system.status import atom_version


@get("/healthz", opt={"public": True}, tags=["system"], sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": atom_version()}


routes = [healthz]
