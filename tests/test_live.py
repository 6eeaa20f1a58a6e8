"""The live channel delivers each event to the users allowed to see it."""

from __future__ import annotations

import json

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in


def _next_event(socket) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(socket.receive_text(timeout=5))


def test_household_events_reach_every_member(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            assert _next_event(socket)["action"] == "ready"
            carol = add_member(admin, "carol")
            event = _next_event(socket)
            assert (event["topic"], event["action"], event["id"]) == ("members", "created", carol["id"])
            assert event["data"]["username"] == "carol"


def test_private_events_reach_only_their_owner(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.post("/api/tokens", json={"name": "admin's secret script"})
            mine = phone.post("/api/tokens", json={"name": "bob's"}).json()
            event = _next_event(socket)  # the admin's token event never arrives first
            assert (event["topic"], event["id"]) == ("tokens", mine["token"]["id"])


def test_other_sites_cannot_open_the_channel(admin: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect):
        with admin.websocket_connect("/api/live", headers={"Origin": "http://evil.example"}) as socket:
            socket.receive_text(timeout=5)


def test_disabling_a_member_closes_their_channel(admin: TestClient, runtime: Runtime) -> None:
    bob = add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.patch(f"/api/members/{bob['id']}", json={"disabled": True})
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.receive_text(timeout=5)
            assert closed.value.code == 4401


def test_signing_out_closes_that_sign_ins_channel_only(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        sign_in(laptop, "bob", "bob's password")
        with (
            phone.websocket_connect("/api/live") as phone_socket,
            laptop.websocket_connect("/api/live") as laptop_socket,
        ):
            _next_event(phone_socket)
            _next_event(laptop_socket)
            phone.post("/api/auth/logout")
            with pytest.raises(WebSocketDisconnect) as closed:
                phone_socket.receive_text(timeout=5)
            assert closed.value.code == 4401
            assert _next_event(laptop_socket)["topic"] == "sessions"  # the laptop's list of sign-ins shrinks
            carol = add_member(admin, "carol")
            assert _next_event(laptop_socket)["id"] == carol["id"]


def test_ending_a_sign_in_elsewhere_closes_its_channel(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        sign_in(laptop, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as phone_socket:
            _next_event(phone_socket)
            [other] = [s for s in laptop.get("/api/account/sessions").json() if not s["current"]]
            assert laptop.delete(f"/api/account/sessions/{other['id']}").status_code == 204
            with pytest.raises(WebSocketDisconnect) as closed:
                phone_socket.receive_text(timeout=5)
            assert closed.value.code == 4401


def test_a_new_sign_in_is_announced_to_the_members_other_tabs(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone, second_client(runtime) as laptop:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            sign_in(laptop, "bob", "bob's password")
            event = _next_event(socket)
            assert (event["topic"], event["action"]) == ("sessions", "created")
            assert event["data"] is None  # nothing about the other device travels with it


def test_price_edits_reach_everyone(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "bob", "bob's password")
    with second_client(runtime) as phone:
        sign_in(phone, "bob", "bob's password")
        with phone.websocket_connect("/api/live") as socket:
            _next_event(socket)
            admin.put("/api/ai/prices/openai/gpt-4o", json={"input_per_mtok": 1, "output_per_mtok": 2})
            event = _next_event(socket)
            assert (event["topic"], event["id"]) == ("prices", "openai/gpt-4o")
