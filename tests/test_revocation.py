"""Revocation is immediate: live channels close at once, old credentials answer 401.

The app runs on a real loopback port; members hold real WebSockets (the `websockets` client)
and speak HTTP with httpx.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from appliance.accounts import users
from appliance.accounts.shapes import User, UserCreate
from appliance.runtime import Runtime
from appliance.storage import Database

PASSWORD = "correct horse battery"
CLOSE_SIGNED_OUT = 4401


def add(runtime: Runtime, username: str, role: str = "member") -> User:
    return asyncio.run(users.add_user(runtime.db, UserCreate(username=username, password=PASSWORD, role=role)))  # type: ignore[arg-type]


@contextmanager
def signed_in(url: str, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as http:
        answer = http.post("/api/auth/login", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
        http.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield http


def bearer(url: str, secret: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {secret}"})


@contextmanager
def live_channel(url: str, headers: dict[str, str]) -> Iterator[ClientConnection]:
    with connect(url.replace("http://", "ws://") + "/api/live", additional_headers=headers, proxy=None) as socket:
        assert json.loads(socket.recv(timeout=5))["action"] == "ready"
        yield socket


def cookie_of(http: httpx.Client) -> dict[str, str]:
    return {"Cookie": f"atom_session={http.cookies['atom_session']}"}


def assert_closes_soon(socket: ClientConnection, within: float = 2.0) -> None:
    """The server ends the channel (code 4401) within `within` seconds; events on the way are skipped."""
    deadline = time.monotonic() + within
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv(timeout=max(deadline - time.monotonic(), 0.01))
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_SIGNED_OUT


def test_revoking_a_token_closes_its_channel_and_the_token_answers_401(live_url: str, runtime: Runtime) -> None:
    add(runtime, "bob")
    with signed_in(live_url, "bob") as bob:
        made = bob.post("/api/tokens", json={"name": "script"}).json()
        with (
            bearer(live_url, made["secret"]) as script,
            live_channel(live_url, {"Authorization": script.headers["authorization"]}) as socket,
        ):
            with live_channel(live_url, cookie_of(bob)) as browser:
                assert script.get("/api/auth/me").status_code == 200  # warms the principal cache
                assert bob.delete(f"/api/tokens/{made['token']['id']}").status_code == 204
                assert script.get("/api/auth/me").status_code == 401
                assert_closes_soon(socket)
                assert json.loads(browser.recv(timeout=5))["topic"] == "tokens"  # the browser's channel lives on


def test_disabling_a_member_closes_every_channel_of_theirs(live_url: str, runtime: Runtime) -> None:
    add(runtime, "admin", role="admin")
    bob = add(runtime, "bob")
    with signed_in(live_url, "admin") as admin, signed_in(live_url, "bob") as phone:
        secret = phone.post("/api/tokens", json={"name": "script"}).json()["secret"]
        with (
            bearer(live_url, secret) as script,
            live_channel(live_url, cookie_of(phone)) as browser,
            live_channel(live_url, {"Authorization": script.headers["authorization"]}) as api,
        ):
            assert admin.patch(f"/api/members/{bob.id}", json={"disabled": True}).status_code == 200
            assert_closes_soon(browser)
            assert_closes_soon(api)
            assert phone.get("/api/auth/me").status_code == 401
            assert script.get("/api/auth/me").status_code == 401


def test_an_admin_password_reset_signs_the_member_out_everywhere(live_url: str, runtime: Runtime) -> None:
    add(runtime, "admin", role="admin")
    bob = add(runtime, "bob")
    with signed_in(live_url, "admin") as admin, signed_in(live_url, "bob") as phone, signed_in(live_url, "bob") as pc:
        secret = phone.post("/api/tokens", json={"name": "script"}).json()["secret"]
        with (
            bearer(live_url, secret) as script,
            live_channel(live_url, cookie_of(phone)) as on_phone,
            live_channel(live_url, cookie_of(pc)) as on_pc,
            live_channel(live_url, {"Authorization": script.headers["authorization"]}) as api,
        ):
            reset = admin.patch(f"/api/members/{bob.id}", json={"password": "a brand new one"})
            assert reset.status_code == 200
            for socket in (on_phone, on_pc, api):
                assert_closes_soon(socket)
            assert phone.get("/api/auth/me").status_code == 401
            assert pc.get("/api/auth/me").status_code == 401
            assert script.get("/api/auth/me").status_code == 401
    with signed_in(live_url, "bob", "a brand new one") as again:
        assert again.get("/api/tokens").json() == []  # every token of theirs was revoked


def test_changing_my_password_closes_my_other_sign_ins_channels_only(live_url: str, runtime: Runtime) -> None:
    add(runtime, "bob")
    with signed_in(live_url, "bob") as phone, signed_in(live_url, "bob") as pc:
        with live_channel(live_url, cookie_of(phone)) as on_phone, live_channel(live_url, cookie_of(pc)) as on_pc:
            changed = pc.post(
                "/api/account/password", json={"current_password": PASSWORD, "new_password": "newer and longer"}
            )
            assert changed.status_code == 204
            assert_closes_soon(on_phone)
            assert json.loads(on_pc.recv(timeout=5))["topic"] == "sessions"  # told its list shrank; still open
            assert pc.get("/api/auth/me").status_code == 200


def test_a_session_that_expires_closes_its_channel_when_it_does(
    live_url: str, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Runtime, "session_lifetime", property(lambda _: timedelta(seconds=3)))
    add(runtime, "bob")
    with signed_in(live_url, "bob") as phone:
        signed_in_at = time.monotonic()
        with live_channel(live_url, cookie_of(phone)) as socket:
            assert_closes_soon(socket, within=5)
            assert 2.5 < time.monotonic() - signed_in_at < 5  # at expiry, not before
        assert phone.get("/api/auth/me").status_code == 401


def test_a_request_that_slides_the_session_refreshes_the_cookie(live_url: str, runtime: Runtime) -> None:
    add(runtime, "bob")
    lifetime = int(runtime.session_lifetime.total_seconds())
    with signed_in(live_url, "bob") as phone:
        assert "set-cookie" not in phone.get("/api/auth/me").headers  # early in its life: nothing to refresh
        runtime.db.write_sync(lambda c: c.execute("UPDATE sessions SET expires_at = now() + INTERVAL 1 HOUR"))
        slid = phone.get("/api/auth/me")
        assert slid.status_code == 200
        assert f"Max-Age={lifetime}" in slid.headers["set-cookie"]
        assert "HttpOnly" in slid.headers["set-cookie"]
        assert "set-cookie" not in phone.get("/api/auth/me").headers  # once per slide
        runtime.db.write_sync(lambda c: c.execute("UPDATE sessions SET expires_at = now() + INTERVAL 1 HOUR"))
        cookies = phone.post("/api/auth/logout").headers.get_list("set-cookie")
        assert len(cookies) == 1 and "Max-Age=0" in cookies[0]  # signing out is not undone by a refresh


def test_a_write_counts_before_its_caller_hears_of_it(tmp_path: Path) -> None:
    """The principal cache trusts entries made at the current write generation; a revocation
    must have moved the generation by the time the revoking request carries on."""
    db = Database(tmp_path / "atom.duckdb")
    try:
        before = db.generation
        seen: list[int] = []
        future: Future[None] = db._submit(lambda conn: None, ())  # noqa: SLF001 - the writer's own hand-off
        future.add_done_callback(lambda _: seen.append(db.generation))
        future.result(timeout=5)
        assert seen == [before + 1]
    finally:
        db.close()
