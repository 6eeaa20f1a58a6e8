"""Dropbox end to end over loopback HTTP: code + PKCE without a redirect (the member pastes the
code Dropbox shows; a made-up or another sign-in's code refused), a pasted access token, files'
text through the document parsers searchable with their link, size and kind caps, changes by
list_folder's cursor, a reset cursor answered with a full listing, refresh, revoke on disconnect."""

from __future__ import annotations

import io

import docx
from litestar.testing import TestClient

from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.dropbox_api import APP_KEY, FakeDropbox


def start_dropbox(client: TestClient) -> dict:
    answer = client.post("/api/connections", json={"connector": "dropbox", "client_id": APP_KEY})
    assert answer.status_code == 201, answer.text
    return answer.json()


def sign_in_dropbox(client: TestClient, dropbox: FakeDropbox) -> dict:
    step = start_dropbox(client)
    code = dropbox.consent(step["pkce"]["authorize_url"])
    done = client.post(f"/api/connections/{step['connection']['id']}/sign-in/paste", json={"address": code})
    assert done.status_code == 200, done.text
    return done.json()["connection"]


def seed_files(dropbox: FakeDropbox, count: int) -> None:
    for n in range(count):
        dropbox.put(f"/Notes/Item {n}.md", f"# Item {n}\n\nFile number {n}.".encode())


def _docx(text: str) -> bytes:
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def test_pkce_without_a_redirect_then_readable_files_are_searchable_with_their_link(
    ada: TestClient, dropbox: FakeDropbox
) -> None:
    dropbox.put("/Home/Boiler.md", b"# Boiler\n\nService every September with Heat & Co.")
    dropbox.put("/Home/Lease.docx", _docx("The lease ends in March 2028."))
    dropbox.put("/Photos/cat.png", b"\x89PNG\r\n\x1a\n")
    dropbox.put("/Big/archive.txt", b"huge", size=21 * 1024 * 1024)
    step = start_dropbox(ada)
    assert step["pkce"]["redirect_uri"] == "" and "redirect_uri" not in step["pkce"]["authorize_url"]
    code = dropbox.consent(step["pkce"]["authorize_url"])
    done = ada.post(f"/api/connections/{step['connection']['id']}/sign-in/paste", json={"address": code})
    assert done.status_code == 200 and done.json()["connection"]["account"] == "ada@example.com"
    assert sync(ada, done.json()["connection"])["state"] == "connected"

    (hit,) = found(ada, "september")
    assert hit["title"] == "Boiler.md" and hit["source"] == "dropbox"
    assert found(ada, "lease")[0]["title"] == "Lease.docx"
    links = {i["title"]: i["url"] for i in record_items(ada, "dropbox")}
    assert links == {
        "Boiler.md": "https://www.dropbox.com/home/Home?preview=Boiler.md",
        "Lease.docx": "https://www.dropbox.com/home/Home?preview=Lease.docx",
    }
    downloads = [r for r in dropbox.requests if r.path == "/2/files/download"]
    assert len(downloads) == 2  # not the picture, not the file over the size cap


def test_a_code_that_is_not_this_sign_ins_is_refused(ada: TestClient, bob: TestClient, dropbox: FakeDropbox) -> None:
    ada_step, bob_step = start_dropbox(ada), start_dropbox(bob)
    bobs_code = dropbox.consent(bob_step["pkce"]["authorize_url"])
    paste = f"/api/connections/{ada_step['connection']['id']}/sign-in/paste"
    assert ada.post(paste, json={"address": "x y"}).status_code == 400
    stolen = ada.post(paste, json={"address": bobs_code})
    assert stolen.status_code == 409, stolen.text  # the code is bound to Bob's PKCE challenge
    (ada_connection,) = ada.get("/api/connections").json()
    assert ada_connection["state"] == "needs-sign-in" and ada_connection["account"] is None


def test_a_pasted_access_token_connects(ada: TestClient, dropbox: FakeDropbox) -> None:
    dropbox.put("/todo.txt", b"Ring the chimney sweep.")
    token = dropbox.generated_token()
    answer = ada.post("/api/connections", json={"connector": "dropbox", "sign_in": "token", "token": token})
    assert answer.status_code == 201, answer.text
    sync(ada, answer.json()["connection"])
    assert found(ada, "chimney")[0]["title"] == "todo.txt"


def test_changes_come_by_cursor_and_a_reset_cursor_lists_everything_again(
    ada: TestClient, dropbox: FakeDropbox
) -> None:
    dropbox.put("/a.md", b"Apples in the cellar.")
    dropbox.put("/b.md", b"Bicycle pump in the shed.")
    connection = sign_in_dropbox(ada, dropbox)
    sync(ada, connection)
    dropbox.delete("/a.md")
    dropbox.put("/c.md", b"Candles in the drawer.")
    before = len(dropbox.requests)
    sync(ada, connection)
    assert found(ada, "apples") == [] and found(ada, "candles")[0]["title"] == "c.md"
    pulled = [r.path for r in dropbox.requests[before:]]
    assert pulled == ["/2/files/list_folder/continue", "/2/files/download"]

    dropbox.forget_cursors()
    dropbox.delete("/b.md")
    assert sync(ada, connection)["state"] == "connected"
    assert found(ada, "bicycle") == [] and [i["title"] for i in record_items(ada, "dropbox")] == ["c.md"]


def test_an_expired_token_is_refreshed_and_disconnecting_revokes_it(ada: TestClient, dropbox: FakeDropbox) -> None:
    dropbox.put("/x.md", b"Xylophone lessons on Friday.")
    connection = sign_in_dropbox(ada, dropbox)
    dropbox.expire_access_tokens()
    assert sync(ada, connection)["state"] == "connected"
    assert any((r.body or {}).get("grant_type") == "refresh_token" for r in dropbox.requests)
    answer = ada.delete(f"/api/connections/{connection['id']}").json()
    assert answer["revoked"] is True and dropbox.state.refresh == set()
    assert found(ada, "xylophone") == []
