"""Lists over the API: the household's two, members' own, items ticked and cleared, found by search."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.organizer.conftest import keyword


def _items(client: TestClient, list_id: str) -> list[dict]:
    response = client.get(f"/api/lists/{list_id}/items")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_household_starts_with_shopping_and_chores_shared_by_everyone(
    household: TestClient, robin: TestClient
) -> None:
    assert [(x["name"], x["shared"]) for x in robin.get("/api/lists").json()] == [("Chores", True), ("Shopping", True)]
    milk = robin.post("/api/lists/shopping/items", json={"text": " Milk "}).json()
    household.post("/api/lists/shopping/items", json={"text": "Bread"})
    assert [i["text"] for i in _items(household, "shopping")] == ["Milk", "Bread"]
    assert household.patch(f"/api/lists/shopping/items/{milk['id']}", json={"done": True}).json()["done"] is True
    assert [(i["text"], i["done"]) for i in _items(robin, "shopping")] == [("Bread", False), ("Milk", True)]
    counts = {x["id"]: (x["open_items"], x["done_items"]) for x in robin.get("/api/lists").json()}
    assert counts["shopping"] == (1, 1)
    assert robin.post("/api/lists/shopping/clear").json() == {"removed": 1}
    assert [i["text"] for i in _items(household, "shopping")] == ["Bread"]
    assert household.post("/api/lists/shopping/clear", params={"everything": "true"}).json() == {"removed": 1}
    assert _items(robin, "shopping") == []


def test_items_move_and_are_removed(household: TestClient) -> None:
    first = household.post("/api/lists/chores/items", json={"text": "Hoover"}).json()
    second = household.post("/api/lists/chores/items", json={"text": "Dust"}).json()
    household.patch(f"/api/lists/chores/items/{second['id']}", json={"position": first["position"] - 1})
    assert [i["text"] for i in _items(household, "chores")] == ["Dust", "Hoover"]
    assert household.delete(f"/api/lists/chores/items/{first['id']}").status_code == 204
    assert household.delete(f"/api/lists/chores/items/{first['id']}").status_code == 404
    assert [i["text"] for i in _items(household, "chores")] == ["Dust"]


def test_a_private_list_is_nobody_elses_not_even_the_admins(household: TestClient, robin: TestClient) -> None:
    gifts = robin.post("/api/lists", json={"name": "Gift ideas", "shared": False})
    assert gifts.status_code == 201
    gift_id = gifts.json()["id"]
    item = robin.post(f"/api/lists/{gift_id}/items", json={"text": "Telescope for Ada"}).json()
    for call in (
        lambda: household.get(f"/api/lists/{gift_id}"),
        lambda: household.get(f"/api/lists/{gift_id}/items"),
        lambda: household.post(f"/api/lists/{gift_id}/items", json={"text": "peek"}),
        lambda: household.patch(f"/api/lists/{gift_id}/items/{item['id']}", json={"done": True}),
        lambda: household.delete(f"/api/lists/{gift_id}/items/{item['id']}"),
        lambda: household.post(f"/api/lists/{gift_id}/clear"),
        lambda: household.delete(f"/api/lists/{gift_id}"),
    ):
        assert call().status_code == 404
    assert gift_id not in {x["id"] for x in household.get("/api/lists").json()}
    assert keyword(household, "telescope") == []
    assert [h["id"] for h in keyword(robin, "telescope")] == [gift_id]


def test_an_item_is_never_reached_through_another_list(household: TestClient, robin: TestClient) -> None:
    private = robin.post("/api/lists", json={"name": "Mine", "shared": False}).json()
    secret = robin.post(f"/api/lists/{private['id']}/items", json={"text": "secret"}).json()
    assert household.patch(f"/api/lists/shopping/items/{secret['id']}", json={"text": "x"}).status_code == 404
    assert household.delete(f"/api/lists/shopping/items/{secret['id']}").status_code == 404
    assert [i["text"] for i in _items(robin, private["id"])] == ["secret"]


def test_only_its_maker_or_an_admin_renames_or_deletes_a_household_list(
    household: TestClient, robin: TestClient
) -> None:
    assert robin.delete("/api/lists/shopping").status_code == 403
    assert robin.patch("/api/lists/chores", json={"name": "Jobs"}).status_code == 403
    trip = robin.post("/api/lists", json={"name": "Camping trip"}).json()
    assert trip["shared"] is True
    assert robin.patch(f"/api/lists/{trip['id']}", json={"name": "Camping"}).json()["name"] == "Camping"
    assert household.patch("/api/lists/chores", json={"name": "Jobs"}).json()["name"] == "Jobs"
    robin.post(f"/api/lists/{trip['id']}/items", json={"text": "Tent pegs"})
    assert household.delete(f"/api/lists/{trip['id']}").status_code == 204
    assert robin.get(f"/api/lists/{trip['id']}").status_code == 404
    assert keyword(robin, "tent pegs") == []


def test_what_is_on_a_list_is_found_at_once_and_forgotten_when_cleared(household: TestClient) -> None:
    household.post("/api/lists/shopping/items", json={"text": "Oat milk"})
    [hit] = keyword(household, "oat milk")
    assert (hit["type"], hit["id"], hit["title"]) == ("list", "shopping", "Shopping list")
    household.post("/api/lists/shopping/clear", params={"everything": "true"})
    assert keyword(household, "oat milk") == []


def test_bad_input_is_a_clear_400_or_404(household: TestClient) -> None:
    for body in ({"text": ""}, {"text": "x" * 501}, {"text": "ok", "done": True}, {}, {"text": 5}):
        response = household.post("/api/lists/shopping/items", json=body)
        assert response.status_code == 400, body
        assert response.json()["detail"]
    assert household.post("/api/lists", json={"name": ""}).status_code == 400
    assert household.post("/api/lists", json={"name": "x", "owner_id": "someone"}).status_code == 400
    assert household.post("/api/lists/nope/items", json={"text": "x"}).status_code == 404
    assert household.patch("/api/lists/shopping/items/nope", json={"done": True}).status_code == 404
    assert household.patch("/api/lists/shopping/items/x", json={"position": "first"}).status_code == 400


def test_changes_reach_the_household_live_and_private_ones_only_their_owner(
    household: TestClient, robin: TestClient
) -> None:
    with robin.websocket_connect("/api/live") as socket:
        assert json.loads(socket.receive_text(timeout=5))["action"] == "ready"
        mine = household.post("/api/lists", json={"name": "Admin's own", "shared": False}).json()
        household.post(f"/api/lists/{mine['id']}/items", json={"text": "private"})
        household.post("/api/lists/shopping/items", json={"text": "Eggs"})
        event = json.loads(socket.receive_text(timeout=5))
        assert (event["topic"], event["action"], event["id"]) == ("lists", "updated", "shopping")


def test_a_removed_members_lists_go_and_the_households_stay(
    household: TestClient, robin: TestClient, runtime: Runtime
) -> None:
    robin_id = robin.member_id  # type: ignore[attr-defined]
    private = robin.post("/api/lists", json={"name": "Robin's", "shared": False}).json()
    robin.post(f"/api/lists/{private['id']}/items", json={"text": "Robin's secret item"})
    robin.post("/api/lists/shopping/items", json={"text": "Cheese from Robin"})
    assert household.delete(f"/api/members/{robin_id}").status_code == 204
    left = runtime.db.read_sync(lambda c: c.execute("SELECT text FROM organizer_list_items ORDER BY text").fetchall())
    assert left == [("Cheese from Robin",)]
    assert [h["id"] for h in keyword(household, "cheese")] == ["shopping"]
    assert keyword(household, "secret") == []
