"""Box end to end over loopback HTTP: a pasted developer token, readable files in nested folders
(marker-paged) searchable with their link, downloads through Box's redirect to its download host
(followed without the token; to any other address, refused), later syncs reading only changed
files and forgetting deleted ones, and a follow_to that is not https refused in a manifest."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from appliance.connectors.manifest import ConnectorManifest, RateLimit
from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.box_api import TOKEN, FakeBox


def connect_box(client: TestClient, token: str = TOKEN) -> dict:
    answer = client.post("/api/connections", json={"connector": "box", "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_files(box: FakeBox, count: int) -> None:
    for n in range(count):
        box.put(f"Item {n}.md", f"# Item {n}\n\nFile number {n}.".encode())


def downloads(box: FakeBox) -> list[str]:
    return [r.path for r in box.requests if r.path.endswith("/content")]


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
    assert [r.path for r in box.requests[before:] if r.path.endswith("/content")] == [f"/2.0/files/{garden.id}/content"]
    assert {i["title"] for i in record_items(ada, "box")} == {"Garden.txt", "Stairs.txt"}


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
