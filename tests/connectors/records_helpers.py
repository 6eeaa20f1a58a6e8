"""What a member finds of a connector's records: keyword search (the Search page's API) and the
connection's items, shared by the record connectors' tests and the contract."""

from __future__ import annotations

import time

from litestar.testing import TestClient


def found(client: TestClient, text: str, source: str | None = None) -> list[dict]:
    params: dict[str, str | int] = {"q": text, "mode": "keyword", "limit": 50}
    params |= {"source": source} if source else {}
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def record_items(client: TestClient, connector: str) -> list[dict]:
    mine = [c for c in client.get("/api/connections").json() if c["connector"] == connector]
    if not mine:
        return []
    items = client.get(f"/api/connections/{mine[0]['id']}/items").json()
    return [item for item in items if item["kind"] == "record"]


def record_titles(connector: str, word: str = "Item"):  # type: ignore[no-untyped-def]
    """The titles of the connection's records, each also found by searching for `word`, up to search's limit."""

    def titles(client: TestClient) -> list[str]:
        items = record_items(client, connector)
        hits = found(client, word, connector)
        assert len(hits) == min(len(items), 50), "a record the search does not find"
        assert {hit["id"] for hit in hits} <= {item["local_id"] for item in items}
        return sorted(item["title"] for item in items)

    return titles


def settled(client: TestClient, connection: dict, seconds: float = 10.0) -> None:
    """Wait until no sync of the connection runs (completing a task in Atom may start one at once)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        listed = [c for c in client.get("/api/connections").json() if c["id"] == connection["id"]]
        if not listed or listed[0]["state"] != "syncing":
            return
        time.sleep(0.05)
    raise AssertionError("the connection kept syncing")


def sync(client: TestClient, connection: dict) -> dict:
    """Sync now, once any sync already running has ended; the connection as it is after."""
    for _ in range(3):
        settled(client, connection)
        answer = client.post(f"/api/connections/{connection['id']}/sync")
        assert answer.status_code == 200, answer.text
        if answer.json()["state"] != "syncing":  # else one begun meanwhile ran instead of this one
            return answer.json()
    raise AssertionError("another sync kept running instead")
