"""Whole-appliance memory: atom serve and atom worker with the default models loaded and used.

The server starts on a data folder holding the default models (chat, embeddings, speech both ways,
wake word), then every one of them is used once: a note (embedded), a question (embeddings and
the chat model), a spoken command and a spoken reply over Wyoming. Resident memory is then read
for both processes: RSS, and PSS, which shares pages mapped by both (the Python libraries) fairly,
so PSS summed is what the box really spends. The issue's target is 1 GB for the whole appliance.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from bench._servers import atom_server, first_admin, free_port, rss_mib
from bench.voice import _load_voice

TARGET_MIB = 1024


def pss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no Pss")


def _install_defaults(data: Path) -> None:
    manifest = load_manifest()
    for name, spec in manifest.models.items():
        if spec.default:
            install_model(data, manifest.get(name), model_cache())


def _use_everything(base: str, data: Path, voice_port: int) -> None:
    with httpx.Client(base_url=base, timeout=300) as http:
        csrf = http.post("/api/setup", json=first_admin(data)).json()["csrf_token"]
        http.headers["X-CSRF-Token"] = csrf
        http.post("/api/notes", json={"title": "Bins", "body": "The green bin goes out on Tuesday evenings."})
        answer = http.post("/api/ask", json={"question": "When does the green bin go out?"})
        answer.raise_for_status()
    asyncio.run(_load_voice(voice_port))


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "appliance", "worker"], env=env, stderr=subprocess.DEVNULL)


def run() -> None:
    voice_port = free_port()
    env = {"ATOM_VOICE_WYOMING_PORT": str(voice_port), "ATOM_VOICE_ALLOWED_ADDRESSES": "127.0.0.1"}
    with atom_server(env=env, prepare=_install_defaults) as (base, pid, data):
        worker_env = {**os.environ, "ATOM_DATA_DIR": str(data), "ATOM_PORT": base.rsplit(":", 1)[1], **env}
        worker = _start_worker(worker_env)
        try:
            time.sleep(3)
            idle = {"serve": (rss_mib(pid), pss_mib(pid)), "worker": (rss_mib(worker.pid), pss_mib(worker.pid))}
            _use_everything(base, data, voice_port)
            time.sleep(2)
            used = {"serve": (rss_mib(pid), pss_mib(pid)), "worker": (rss_mib(worker.pid), pss_mib(worker.pid))}
        finally:
            worker.terminate()
            worker.wait(30)
    for when, figures in (("idle, default models installed", idle), ("after using every default model", used)):
        print(f"   {when}:")
        for name, (rss, pss) in figures.items():
            print(f"     atom {name:<7} RSS {rss:7.1f} MiB   PSS {pss:7.1f} MiB")
        total = sum(pss for _, pss in figures.values())
        print(f"     whole appliance PSS {total:7.1f} MiB   (target <= {TARGET_MIB} MiB)")
