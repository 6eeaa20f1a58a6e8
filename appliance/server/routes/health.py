"""Liveness for load balancers and systemd: no auth, no database round trip.

Answers 503 when the database writer can no longer write, so a supervisor notices a box that
would otherwise look alive while every change fails.
"""

from __future__ import annotations

from litestar import Response, get

from appliance.server.deps import RuntimeDep
from appliance.system.status import atom_version

__all__ = ["routes"]


@get("/healthz", opt={"public": True}, tags=["system"], sync_to_thread=False)
def healthz(runtime: RuntimeDep) -> Response[dict[str, str]]:
    db = runtime.db
    if not db.healthy:
        problem = db.write_problem or "the database writer stopped"
        return Response({"status": "failing", "problem": problem, "version": atom_version()}, status_code=503)
    return Response({"status": "ok", "version": atom_version()})


routes = [healthz]
