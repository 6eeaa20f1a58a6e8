"""Box end to end over loopback HTTP: a pasted developer token, readable files in nested folders
(marker-paged) searchable with their link, downloads through Box's redirect to its download host
(followed without the token; to any other address, refused), later syncs following Box's change
stream (Events API) instead of walking: only the files its events name fetched, each once however
often Box repeats an event, trashed ones forgotten and restored ones back, a trashed folder's files
gone with it; and a follow_to that is not https refused in a manifest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient

from appliance import clock
from appliance.connectors.manifest import ConnectorManifest, RateLimit
from appliance.runtime import Runtime
from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.box_api import TOKEN, FakeBox


def connect_box(client: TestClient, token: str = TOKEN) -> dict:
    answer = client.post("/api/connections", json={"connector": "box", "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_files(box: FakeBox, count: int) -> None:
    for n in range(count):
        box.put(f"Item {n}.md", f"# Item {n}\n\nFile number {n}.".encode())


def downloads(box: FakeBox, since: int = 0) -> list[str]:
    return [r.path for r in box.requests[since:] if r.path.endswith("/content")]


def listings(box: FakeBox, since: int = 0) -> list[str]:
    return [r.path for r in box.requests[since:] if r.path.endswith("/items")]


def test_a_pasted_token_brings_in_readable_files_from_every_folder(ada: TestClient, box: FakeBox) -> None:
    home = box.folder("Home")
    boiler = box.put(
        "Boiler.md", b"# Boiler\n\nService every September with Heat & Co.", parent=box.folder("Deep", home)
    )
    box.put("cat.png", b"\x89PNG\r\n\x1a\n", parent=home)
    box.put("archive.txt", b"huge", size=21 * 1024 * 1024)
    box.page_size = 2  # the root's and Home's items come over more than one page
    for n in range(3):
        box.put(f"Note {n}.txt", f"Note {n} about the allotment.".encode(), parent=home)
    connection = connect_box(ada)
    assert connection["account"] == "ada@example.com"
    assert sync(ada, connection)["state"] == "connected"

    (hit,) = found(ada, "september")
    assert hit["title"] == "Boiler.md" and hit["source"] == "box"
    assert hit["url"] == f"https://app.box.com/file/{boiler.id}"
    assert len(found(ada, "allotment")) == 3
    assert len(downloads(box)) == 4  # not the picture, not the file over the size cap
    signed = [r for r in box.requests if r.path.startswith("/d/")]
    assert len(signed) == 4 and all("authorization" not in r.headers for r in signed)  # the token stays at Box
    assert any(r.query.get("marker") for r in box.requests if r.path.endswith("/items"))


def test_later_syncs_read_only_changed_files_and_forget_deleted_ones(ada: TestClient, box: FakeBox) -> None:
    garden = box.put("Garden.txt", b"Prune the roses in March.")
    meter = box.put("Meter.txt", b"Meter reading from last year.")
    box.put("Stairs.txt", b"Carpet the stairs.")
    connection = connect_box(ada)
    sync(ada, connection)
    box.edit(garden, b"Prune the roses in February.")
    box.delete(meter)
    before = len(box.requests)
    assert sync(ada, connection)["items"] == 2
    assert found(ada, "february") and found(ada, "meter") == [] and found(ada, "stairs")
    assert downloads(box, before) == [f"/2.0/files/{garden.id}/content"]
    assert listings(box, before) == []  # the change stream said what changed: no folder was walked
    assert {i["title"] for i in record_items(ada, "box")} == {"Garden.txt", "Stairs.txt"}


def test_the_first_sync_notes_the_change_stream_before_it_walks(ada: TestClient, box: FakeBox) -> None:
    box.put("Garden.txt", b"Prune the roses in March.")
    sync(ada, connect_box(ada))
    asked = [r for r in box.requests if r.path in ("/2.0/events", "/2.0/folders/0/items")]
    assert asked[0].path == "/2.0/events" and asked[0].query["stream_position"] == "now"
    assert asked[0].query["stream_type"] == "changes" and asked[1].path == "/2.0/folders/0/items"


def test_renames_moves_trash_and_restores_come_by_the_change_stream_each_once(ada: TestClient, box: FakeBox) -> None:
    garden = box.put("Garden.txt", b"Prune the roses in March.")
    meter = box.put("Meter.txt", b"Meter reading from last year.")
    stairs = box.put("Stairs.txt", b"Carpet the stairs.")
    archive = box.folder("Archive")
    connection = connect_box(ada)
    sync(ada, connection)
    box.send_twice = True  # Box may send an event more than once
    box.rename(stairs, "Stairs plan.txt")
    box.move(garden, archive)
    box.delete(meter)
    fresh = box.put("New.txt", b"Chimney sweep booked.")
    box.put("photo.png", b"\x89PNG\r\n\x1a\n")
    before = len(box.requests)
    assert sync(ada, connection)["items"] == 3
    assert sorted(downloads(box, before)) == sorted(f"/2.0/files/{f.id}/content" for f in (stairs, garden, fresh))
    assert listings(box, before) == []
    assert {i["title"] for i in record_items(ada, "box")} == {"Garden.txt", "Stairs plan.txt", "New.txt"}
    assert found(ada, "meter") == [] and found(ada, "chimney")

    box.send_twice = False
    box.restore(meter)
    renamed = next(e for e in box.state.events if e["event_type"] == "ITEM_RENAME")
    box.state.events.append(renamed)  # an event already read, sent again in a later page
    before = len(box.requests)
    assert sync(ada, connection)["items"] == 4
    assert downloads(box, before) == [f"/2.0/files/{meter.id}/content"] and found(ada, "meter")


def test_a_trashed_folder_takes_its_files_along_and_brings_them_back(ada: TestClient, box: FakeBox) -> None:
    box.put("Garden.txt", b"Prune the roses in March.")
    papers = box.folder("Papers")
    box.put("Boiler.txt", b"Boiler service in September.", parent=papers)
    connection = connect_box(ada)
    sync(ada, connection)
    box.delete(box.item(papers))  # one event, for the folder: its files are not named
    assert sync(ada, connection)["items"] == 1 and found(ada, "september") == []
    box.restore(box.item(papers))
    before = len(box.requests)
    assert sync(ada, connection)["items"] == 2 and found(ada, "september")
    assert listings(box, before)  # walked again, to find what the folder holds
    later = len(box.requests)
    assert sync(ada, connection)["items"] == 2 and listings(box, later) == []  # and then back to the stream


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example/steal",  # another host
        "https://127.0.0.1:{port}/d/x",  # Box's own port, but not the listed address (scheme differs)
        "javascript:alert(1)",
        "/d/relative",
    ],
)
def test_a_redirect_anywhere_but_the_download_host_is_not_followed(
    ada: TestClient, box: FakeBox, location: str
) -> None:
    box.put("Boiler.md", b"# Boiler\n\nService every September.")
    connection = connect_box(ada)
    box.download_location = location.format(port=box.url.rsplit(":", 1)[1])
    stopped = sync(ada, connection)
    assert stopped["state"] == "error" and "redirect" in stopped["last_error"]
    assert found(ada, "september") == []
    assert not [r for r in box.requests if r.path in ("/steal", "/d/x", "/d/relative")]


def test_a_refused_token_is_not_kept_and_a_revoked_one_needs_sign_in(ada: TestClient, box: FakeBox) -> None:
    refused = ada.post("/api/connections", json={"connector": "box", "token": "not-a-token"})
    assert refused.status_code in (400, 401, 422) and "not-a-token" not in refused.text
    assert ada.get("/api/connections").json() == []
    connection = connect_box(ada)
    box.revoke_all()
    assert sync(ada, connection)["state"] == "needs-sign-in"


def test_follow_to_must_name_an_https_address() -> None:
    manifest = ConnectorManifest(
        name="x",
        title="X",
        sign_in=["token"],
        syncs=[],
        setup=[],
        urls={"api": "https://x.example", "download": "http://dl.x.example"},
        rate_limit=RateLimit(requests=1, per_seconds=1),
        follow_to=["download"],
    )
    with pytest.raises(ValueError, match="https"):
        manifest.check()
    with pytest.raises(ValueError, match="https"):
        ConnectorManifest(**{**_fields(manifest), "follow_to": ["nowhere"]}).check()


def _fields(manifest: ConnectorManifest) -> dict:
    return {name: getattr(manifest, name) for name in manifest.__struct_fields__}


def test_an_event_naming_an_odd_id_or_an_unknown_source_is_skipped(ada: TestClient, box: FakeBox) -> None:
    connection = connect_box(ada)
    sync(ada, connection)
    odd = {"type": "event", "event_id": "x1", "event_type": "ITEM_UPLOAD", "source": {"type": "file", "id": "../me"}}
    comment = {
        "type": "event",
        "event_id": "x2",
        "event_type": "COMMENT_CREATE",
        "source": {"type": "comment", "id": "9"},
    }
    box.state.events += [odd, comment]
    box.put("Garden.txt", b"Prune the roses in March.")
    assert sync(ada, connection)["state"] == "connected" and found(ada, "march")
    assert not [r for r in box.requests if ".." in r.path or r.path.endswith("/me/content")]


def test_a_stream_position_older_than_box_keeps_walks_again(ada: TestClient, box: FakeBox, runtime: Runtime) -> None:
    box.put("Garden.txt", b"Prune the roses in March.")
    connection = connect_box(ada)
    sync(ada, connection)
    box.put("Stairs.txt", b"Carpet the stairs.")
    box.state.events.clear()  # Box has let go of events older than it keeps
    weeks_ago = (clock.now() - timedelta(days=21)).isoformat()
    runtime.db.write_sync(
        lambda c: c.execute(
            "UPDATE connections SET cursor = json_merge_patch(cursor, ?)", [f'{{"stream_at": "{weeks_ago}"}}']
        )
    )
    before = len(box.requests)
    assert sync(ada, connection)["items"] == 2 and found(ada, "stairs")
    assert listings(box, before) and downloads(box, before) == [f"/2.0/files/{box.state.next_id}/content"]
    assert [r.query["stream_position"] for r in box.requests[before:] if r.path == "/2.0/events"] == ["now"]
