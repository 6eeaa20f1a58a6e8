"""What a member finds of a connector's records: keyword search (the Search page's API) and the
connection's items, shared by the record connectors' tests and the contract."""

from __future__ import annotations

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
