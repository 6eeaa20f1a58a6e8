"""Search results brought in by a connection carry their stored link (http(s) only) to open them at
the service; a note has none, another member never sees the record or its link."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.connectors.base import RemoteRecord
from appliance.connectors.records import write_record
from appliance.runtime import Runtime
from tests.connectors.records_helpers import found, sync
from tests.connectors.test_dropbox import sign_in_dropbox
from tests.fakes.dropbox_api import FakeDropbox


def test_a_connected_result_has_its_link_and_a_note_has_none(ada: TestClient, dropbox: FakeDropbox) -> None:
    dropbox.put("/Home/Boiler.md", b"# Boiler\n\nService every September with Heat & Co.")
    assert sync(ada, sign_in_dropbox(ada, dropbox))["state"] == "connected"
    assert ada.post("/api/notes", json={"title": "Boiler note", "body": "September service booked."}).is_success

    hits = {hit["type"]: hit for hit in found(ada, "september")}
    assert hits["connected"]["url"] == "https://www.dropbox.com/home/Home?preview=Boiler.md"
    assert hits["note"]["url"] is None


def test_only_web_links_are_given_and_only_to_their_owner(runtime: Runtime, ada: TestClient, bob: TestClient) -> None:
    ada_id = ada.get("/api/auth/me").json()["id"]
    for n, url in enumerate(("javascript:alert(document.cookie)", "data:text/html,<script>1</script>", None)):
        item = RemoteRecord(remote_id=f"r{n}", title=f"Hostile {n}", text="quartermaster ledger", url=url)
        ada.blocking_portal.call(write_record, runtime.db, runtime.knowledge, ada_id, "notion", None, item)
    safe = RemoteRecord(remote_id="ok", title="Safe", text="quartermaster ledger", url="http://wiki.example/page")
    ada.blocking_portal.call(write_record, runtime.db, runtime.knowledge, ada_id, "notion", None, safe)

    links = {hit["title"]: hit["url"] for hit in found(ada, "quartermaster")}
    assert links == {"Hostile 0": None, "Hostile 1": None, "Hostile 2": None, "Safe": "http://wiki.example/page"}
    assert found(bob, "quartermaster") == []
