"""Trello end to end over loopback HTTP: the household's key and the member's token, tried before
they are kept and sent in Trello's OAuth header (never in an address), the member's cards as
their tasks with their link, completing in Atom marking the card complete, gone cards forgotten."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient

from tests.connectors.records_helpers import sync
from tests.fakes.trello_api import KEY, TOKEN, FakeTrello


def connect_trello(client: TestClient, token: str = TOKEN, key: str = KEY) -> dict:
    answer = client.post("/api/connections", json={"connector": "trello", "client_id": key, "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_cards(trello: FakeTrello, count: int) -> None:
    for n in range(count):
        trello.add(f"Item {n}")


def revoke_trello(trello: FakeTrello) -> None:
    trello.tokens.clear()


def trello_tasks(client: TestClient, status: str = "open") -> list[dict]:
    return [t for t in client.get("/api/tasks", params={"status": status}).json() if t["source"] == "connector"]


def test_key_and_token_connect_and_the_members_cards_become_tasks(
    ada: TestClient, trello: FakeTrello, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card = trello.add("Paint the shed", desc="Green, like before.", due="2026-12-05T12:00:00.000Z")
    trello.add("Sorted the loft", closed=True)
    trello.add("Not Ada's card", member=False)
    connection = connect_trello(ada)
    assert connection["account"] == "adalovelace"
    assert sync(ada, connection)["state"] == "connected"
    (task,) = trello_tasks(ada)
    assert task["title"] == "Paint the shed" and task["due_date"] == "2026-12-05"
    assert f"https://trello.com/c/{card.id[-8:]}" in task["notes"]
    assert [t["title"] for t in trello_tasks(ada, "done")] == ["Sorted the loft"]
    assert all(TOKEN not in str(r.query) and KEY not in str(r.query) for r in trello.requests)
    assert TOKEN not in caplog.text and TOKEN not in ada.get("/api/connections").text


def test_a_missing_key_or_a_refused_token_is_not_kept(ada: TestClient, trello: FakeTrello) -> None:
    no_key = ada.post("/api/connections", json={"connector": "trello", "token": TOKEN})
    assert no_key.status_code == 400 and "client id" in no_key.json()["detail"]
    refused = ada.post("/api/connections", json={"connector": "trello", "client_id": KEY, "token": "ATTAnope"})
    assert refused.status_code == 400 and "did not accept" in refused.json()["detail"]
    forged = ada.post("/api/connections", json={"connector": "trello", "client_id": KEY, "token": 'x", oauth_token="y'})
    assert forged.status_code == 400
    injected = ada.post("/api/connections", json={"connector": "trello", "client_id": KEY, "token": "a\r\nX-Evil: 1"})
    assert injected.status_code == 400
    assert ada.get("/api/connections").json() == []


def test_completing_in_atom_completes_the_card_and_gone_cards_are_forgotten(
    ada: TestClient, trello: FakeTrello
) -> None:
    done, gone = trello.add("Return the library books"), trello.add("Old idea")
    connection = connect_trello(ada)
    sync(ada, connection)
    (returned,) = [t for t in trello_tasks(ada) if t["title"] == "Return the library books"]
    assert ada.post(f"/api/tasks/{returned['id']}/complete").status_code in (200, 201)
    gone.member = False  # Ada left the card
    sync(ada, connection)
    assert trello.cards[done.id].dueComplete is True
    assert trello_tasks(ada) == [] and [t["title"] for t in trello_tasks(ada, "done")] == ["Return the library books"]
