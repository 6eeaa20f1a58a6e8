"""Shared fixtures: a real data folder, the app in-process, and real Atom processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime, open_runtime
from appliance.server import create_app
from appliance.settings import Settings, load_settings
from tests.processes import AtomProcess, free_port, serving_in_thread

ADMIN = {"username": "admin", "password": "correct horse battery", "display_name": "Ada Admin"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # the in-process clients name their host testserver.local (Litestar) or testserver (schemathesis)
    server = {"allowed_hosts": ["testserver.local", "testserver"]}
    return load_settings(environ={}, data_dir=tmp_path / "data", log={"format": "text"}, server=server)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = open_runtime(settings)
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(app=create_app(runtime, close_runtime=False)) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient, runtime: Runtime) -> TestClient:
    """The client, signed in as the household's first admin (CSRF header set)."""
    response = client.post("/api/setup", json=first_admin(runtime))
    assert response.status_code == 201, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def first_admin(runtime: Runtime, account: dict[str, str] = ADMIN) -> dict[str, str]:
    """The first-run setup body: the account plus the one-time setup code."""
    assert runtime.setup_code, "setup is already done"
    return {**account, "setup_code": runtime.setup_code}


def sign_in(client: TestClient, username: str, password: str) -> TestClient:
    """Sign `client` in and set its CSRF header."""
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def second_client(runtime: Runtime) -> TestClient:
    return TestClient(app=create_app(runtime, close_runtime=False))


def add_member(admin: TestClient, username: str, password: str = "member password", role: str = "member") -> dict:
    response = admin.post("/api/members", json={"username": username, "password": password, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


# --- real processes ------------------------------------------------------------


@pytest.fixture
def atom_processes(tmp_path: Path) -> Iterator[callable]:
    """Start real Atom processes sharing one data folder; all are stopped at the end."""
    started: list[AtomProcess] = []
    port = [free_port()]  # a serve started on another (its own was taken) takes the others with it

    def start(command: str = "serve") -> AtomProcess:
        proc = AtomProcess(command, tmp_path / "data", port[0], tmp_path / f"{command}.log").start()
        port[0] = proc.port
        started.append(proc)
        return proc

    yield start
    for proc in reversed(started):
        proc.stop()


def run_cli(
    data_dir: Path, *args: str, port: int | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATOM_DATA_DIR": str(data_dir)}
    if port is not None:
        env["ATOM_PORT"] = str(port)
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


# --- AI: cloud providers that retry without sleeping, and a real HTTP server in-process ----


class _NoSleep:
    async def __call__(self, seconds: float) -> None:
        return None


@pytest.fixture
def runtime_fast_retries(runtime: Runtime) -> Runtime:
    """The runtime, its gateway's cloud providers retrying 5xx without waiting, and the running
    vendor fakes standing in for the vendors' servers (tests/fakes/stand_ins.py)."""
    from appliance.ai.gateway import AIGateway
    from appliance.ai.providers._http import RetryPolicy
    from tests.fakes import RunningFakes

    retry = RetryPolicy(sleep=_NoSleep())
    gateway = AIGateway(runtime.settings, runtime.db, runtime.vault, stand_ins=RunningFakes(), retry=retry)
    gateway.on_usage = runtime.ai.on_usage
    runtime.ai = gateway
    return runtime


@pytest.fixture
def ai_admin(runtime_fast_retries: Runtime) -> Iterator[TestClient]:
    with TestClient(app=create_app(runtime_fast_retries, close_runtime=False)) as test_client:
        response = test_client.post("/api/setup", json=first_admin(runtime_fast_retries))
        assert response.status_code == 201, response.text
        test_client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield test_client


@pytest.fixture
def live_url(runtime_fast_retries: Runtime) -> Iterator[str]:
    """The app served over real HTTP on a loopback port, in a thread of this process."""
    with serving_in_thread(create_app(runtime_fast_retries, close_runtime=False)) as url:
        yield url
