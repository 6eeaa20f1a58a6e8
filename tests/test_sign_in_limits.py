"""Sign-in cannot be brute-forced or used to exhaust the box: over real HTTP, and across a restart."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import pytest

from appliance.accounts import users
from appliance.accounts.shapes import User, UserCreate
from appliance.runtime import Runtime
from appliance.settings import Settings, load_settings
from tests.conftest import run_cli
from tests.processes import AtomProcess, free_port

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Default limits unless a test passes its own `auth` settings (indirect parametrisation)."""
    return load_settings(environ={}, data_dir=tmp_path / "data", auth=getattr(request, "param", {}))


def add(runtime: Runtime, username: str, role: str = "member") -> User:
    return asyncio.run(users.add_user(runtime.db, UserCreate(username=username, password=PASSWORD, role=role)))  # type: ignore[arg-type]


async def _logins(url: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    """All at once, each on its own connection."""
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=100)) as http:
        return await asyncio.gather(*(http.post("/api/auth/login", json=body) for body in bodies))


def logins(url: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    return asyncio.run(_logins(url, bodies))


def test_twenty_parallel_guesses_let_at_most_the_limit_reach_a_password_check(live_url: str, runtime: Runtime) -> None:
    add(runtime, "ada")
    answers = logins(live_url, [{"username": "ada", "password": f"guess {i}"} for i in range(20)])
    checked = [a for a in answers if a.status_code == 401]
    refused = [a for a in answers if a.status_code == 429]
    assert len(checked) + len(refused) == 20
    assert 1 <= len(checked) <= runtime.settings.auth.login_attempts
    assert all(int(a.headers["retry-after"]) >= 1 for a in refused)
    assert all("too many failed sign-ins" in a.json()["detail"] for a in refused)  # the throttle, not a busy pool
    [right] = logins(live_url, [{"username": "ada", "password": PASSWORD}])
    assert right.status_code == 429  # locked out, the right password included


@pytest.mark.parametrize("settings", [{"login_address_attempts": 6}], indirect=True)
def test_an_address_guessing_many_names_is_locked_out(live_url: str, runtime: Runtime) -> None:
    add(runtime, "ada")
    for i in range(6):
        [answer] = logins(live_url, [{"username": f"name{i}", "password": "guess guess"}])
        assert answer.status_code == 401
    [ada] = logins(live_url, [{"username": "ada", "password": PASSWORD}])
    assert ada.status_code == 429
    assert "too many" in ada.json()["detail"]


def test_ada_and_ADA_are_one_account(live_url: str, runtime: Runtime) -> None:
    add(runtime, "admin", role="admin")
    with httpx.Client(base_url=live_url, timeout=30) as admin:
        signed_in = admin.post("/api/auth/login", json={"username": "Admin ", "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        admin.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
        created = admin.post("/api/members", json={"username": "Ada", "password": PASSWORD})
        assert created.status_code == 201 and created.json()["username"] == "ada"
        for twin in ("ada", "ADA ", "\uff21\uff24\uff21"):  # the last is full-width "ＡＤＡ"
            again = admin.post("/api/members", json={"username": twin, "password": PASSWORD})
            assert again.status_code == 409, twin
    answers = logins(live_url, [{"username": name, "password": PASSWORD} for name in ("Ada", "ada", "ADA ")])
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["id"] for a in answers} == {created.json()["id"]}


# --- a real server process ------------------------------------------------------------


def _server(tmp_path: Path, **env: str) -> AtomProcess:
    data = tmp_path / "data"
    added = run_cli(data, "users", "add", "ada", "--admin", "--password-stdin", stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    return AtomProcess("serve", data, free_port(), tmp_path / "serve.log", extra_env=env)


def test_a_lock_out_survives_a_restart(tmp_path: Path) -> None:
    server = _server(tmp_path).start()
    try:
        wrong = logins(server.url, [{"username": "ada", "password": "guess guess"}] * 5)
        assert sorted(a.status_code for a in wrong) == [401] * 5
        server.restart()
        [after] = logins(server.url, [{"username": "ADA", "password": PASSWORD}])
        assert after.status_code == 429
        assert int(after.headers["retry-after"]) > 0
    finally:
        server.stop()


async def _flood_while_reading(url: str, cookie: httpx.Cookies) -> tuple[list[tuple[int, float, float]], float, float]:
    """Twenty guessers post wrong sign-ins without pause; meanwhile a member reads a page of the API."""
    answers: list[tuple[int, float, float]] = []  # (status, sent, answered)
    stop = asyncio.Event()

    async def guesser(http: httpx.AsyncClient, who: int) -> None:
        n = 0
        while not stop.is_set():
            sent = time.monotonic()
            answer = await http.post("/api/auth/login", json={"username": f"g{who}-{n}", "password": "wrong guess"})
            answers.append((answer.status_code, sent, time.monotonic()))
            assert answer.status_code in (401, 429), answer.text
            assert answer.status_code == 401 or "retry-after" in answer.headers
            n += 1
            await asyncio.sleep(0.01 if answer.status_code == 429 else 0)

    limits = httpx.Limits(max_connections=40)
    async with (
        httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as flood,
        httpx.AsyncClient(base_url=url, timeout=60, cookies=cookie) as member,
    ):
        guessers = [asyncio.create_task(guesser(flood, who)) for who in range(20)]
        await asyncio.sleep(1.0)  # the hashing pool is full and its line too
        read_sent = time.monotonic()
        assert (await member.get("/api/auth/me")).status_code == 200
        read_answered = time.monotonic()
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*guessers)
    return answers, read_sent, read_answered


def test_a_sign_in_flood_is_refused_fast_and_other_requests_stay_fast(tmp_path: Path) -> None:
    no_lockouts = {"ATOM_AUTH_LOGIN_ADDRESS_ATTEMPTS": "100000", "ATOM_AUTH_LOGIN_NAME_ATTEMPTS": "100000"}
    server = _server(tmp_path, **no_lockouts).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.post("/api/auth/login", json={"username": "ada", "password": PASSWORD}).status_code == 200
            cookie = http.cookies
        answers, read_sent, read_answered = asyncio.run(_flood_while_reading(server.url, cookie))
    finally:
        server.stop()
    checked = [answered - sent for status, sent, answered in answers if status == 401]
    busy = [answered - sent for status, sent, answered in answers if status == 429]
    assert checked and busy
    # Refusals come at once, not after waiting their turn for a password hash.
    assert statistics.median(busy) < statistics.median(checked)
    # The member's read did not queue behind the hashing: password checks were still under way
    # on both sides of it, and it took less time than a checked guess typically does.
    assert any(sent < read_sent and answered > read_answered for status, sent, answered in answers if status == 401)
    assert read_answered - read_sent < statistics.median(checked)
