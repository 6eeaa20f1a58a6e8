"""Notes and documents over the API: who may see what, what is kept, and keyword search at once.

Search by meaning is tested with the real model in test_search_by_meaning.py; here every search
is by keyword, which must find a write the moment the write returns.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in


def _keyword(client: TestClient, text: str, **params: object) -> list[dict]:
    response = client.get("/api/search", params={"q": text, "mode": "keyword", **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_note_is_found_by_keyword_the_moment_it_is_saved(admin: TestClient) -> None:
    note = admin.post("/api/notes", json={"title": "Boiler", "body": "The boiler pressure should read 1.5 bar."})
    assert note.status_code == 201
    found = _keyword(admin, "boiler pressure")
    assert [hit["id"] for hit in found] == [note.json()["id"]]
    assert "<mark>" in found[0]["snippet"] and found[0]["type"] == "note"


def test_an_edit_reindexes_and_a_delete_disappears_at_once(admin: TestClient) -> None:
    note_id = admin.post("/api/notes", json={"title": "Bins", "body": "Blue bin goes out on Tuesday."}).json()["id"]
    edited = admin.patch(f"/api/notes/{note_id}", json={"body": "Green bin goes out on Thursday."})
    assert edited.status_code == 200 and edited.json()["body"].startswith("Green")
    assert _keyword(admin, "tuesday") == []
    assert [h["id"] for h in _keyword(admin, "thursday")] == [note_id]
    assert admin.delete(f"/api/notes/{note_id}").status_code == 204
    assert _keyword(admin, "thursday") == []
    assert admin.get(f"/api/notes/{note_id}").status_code == 404


def test_private_notes_stay_private_even_from_the_admin(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        private = robin.post("/api/notes", json={"title": "Diary", "body": "Surprise party for Ada on Friday."}).json()
        shared = robin.post("/api/notes", json={"title": "Party", "body": "Party snacks list", "shared": True}).json()
        assert admin.get(f"/api/notes/{private['id']}").status_code == 404
        assert admin.patch(f"/api/notes/{private['id']}", json={"title": "x"}).status_code == 404
        assert admin.delete(f"/api/notes/{private['id']}").status_code == 404
        assert _keyword(admin, "surprise party") == [] or all(
            h["id"] != private["id"] for h in _keyword(admin, "surprise party")
        )
        assert [h["id"] for h in _keyword(admin, "snacks")] == [shared["id"]]
        assert (
            admin.patch(f"/api/notes/{shared['id']}", json={"title": "mine now"}).status_code == 404
        )  # read, not rewrite
        assert {n["id"] for n in admin.get("/api/notes").json()} == {shared["id"]}
        robin.patch(f"/api/notes/{shared['id']}", json={"shared": False})
        assert _keyword(admin, "snacks") == []


def test_the_limit_never_hides_what_a_member_may_see_behind_what_they_may_not(
    admin: TestClient, runtime: Runtime
) -> None:
    """Visibility is inside the query: many private matches of another member cannot crowd out one visible."""
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        for n in range(30):
            robin.post("/api/notes", json={"title": f"Gutter {n}", "body": "gutter gutter gutter cleaning"})
    mine = admin.post("/api/notes", json={"title": "Roof", "body": "the gutter needs a look"}).json()
    assert [h["id"] for h in _keyword(admin, "gutter", limit=1)] == [mine["id"]]


def test_search_filters_by_type_source_owner_and_date(admin: TestClient, runtime: Runtime) -> None:
    note = admin.post("/api/notes", json={"title": "Passport", "body": "Passport renewal form", "shared": True})
    upload = {"file": ("passport.txt", b"Passport renewal appointment on May 3rd.", "text/plain")}
    document = admin.post("/api/documents", files=upload).json()
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        robins = robin.post("/api/notes", json={"title": "Passport photos", "body": "passport", "shared": True})
        robin.post("/api/notes", json={"title": "Passport (private)", "body": "passport number"})
        robin_id = robin.get("/api/auth/me").json()["id"]
    assert {h["id"] for h in _keyword(admin, "passport")} == {note.json()["id"], document["id"], robins.json()["id"]}
    assert [h["id"] for h in _keyword(admin, "passport", type="document")] == [document["id"]]
    assert [h["type"] for h in _keyword(admin, "passport", source="upload")] == ["document"]
    # "only mine": what I made, shared or not; an owner narrows to what that member shared, never more
    assert {h["id"] for h in _keyword(admin, "passport", mine="true")} == {note.json()["id"], document["id"]}
    assert {h["id"] for h in _keyword(admin, "passport", owner="me")} == {note.json()["id"], document["id"]}
    assert [h["id"] for h in _keyword(admin, "passport", owner=robin_id)] == [robins.json()["id"]]
    assert _keyword(admin, "passport", owner="nobody") == []
    assert _keyword(admin, "passport", since="2999-01-01T00:00:00") == []
    facets = admin.get("/api/search", params={"q": "passport", "mode": "keyword"}).json()["facets"]
    assert facets["type"] == {"note": 2, "document": 1} and facets["source"] == {"notes": 2, "upload": 1}


def _docx(text: str) -> bytes:
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF with real text, written by hand (pypdf reads it back)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


FORMATS = {
    "notes.txt": (b"The spare key is under the blue flowerpot.", "flowerpot"),
    "recipe.md": (b"# Pancakes\n\nWhisk flour, milk and two eggs.", "whisk"),
    "page.html": (
        b"<html><head><title>Vet</title><script>ignored()</script></head>"
        b"<body><p>Rabies jab due in June</p></body></html>",
        "rabies",
    ),
    "letter.pdf": (_pdf("School trip to the aquarium on Friday"), "aquarium"),
    "policy.docx": (_docx("Home insurance excess is 250 euros"), "excess"),
    "mail.eml": (
        b"From: school@example.org\r\nTo: ada@example.org\r\nSubject: Sports day\r\n\r\n"
        b"Sports day moved to Wednesday.\r\n",
        "wednesday",
    ),
    "dentist.ics": (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20261203T090000Z\r\n"
        b"SUMMARY:Dentist check-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "dentist",
    ),
}


@pytest.mark.parametrize("filename", sorted(FORMATS))
def test_each_format_is_parsed_kept_and_found(admin: TestClient, filename: str) -> None:
    raw, word = FORMATS[filename]
    uploaded = admin.post("/api/documents", files={"file": (filename, raw, "application/octet-stream")})
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["filename"] == filename and document["size"] == len(raw)
    assert [h["id"] for h in _keyword(admin, word)] == [document["id"]]
    original = admin.get(f"/api/documents/{document['id']}/file")
    assert original.status_code == 200 and original.content == raw
    assert original.headers["content-disposition"].startswith("attachment")


def _stored(runtime: Runtime) -> tuple[list[Path], int]:
    folder = runtime.settings.data_dir / "documents"
    files = sorted(folder.iterdir()) if folder.exists() else []
    return files, runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM documents").fetchone()[0])


@pytest.mark.parametrize(
    ("filename", "raw", "status", "says"),
    [
        ("broken.pdf", b"%PDF-1.4 truncated nonsense", 400, "could not be read"),
        ("empty.docx", b"PK\x03\x04 not really a zip", 400, "could not be read"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, 400, "binary"),
        ("blank.md", b"   \n\n  ", 400, "no text"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", 400, "cannot read .jpg"),
        ("mail.eml", b"just some words with no headers", 400, "not an email"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_kept(
    admin: TestClient, runtime: Runtime, filename: str, raw: bytes, status: int, says: str
) -> None:
    before = _stored(runtime)
    refused = admin.post("/api/documents", files={"file": (filename, raw, "application/octet-stream")})
    assert refused.status_code == status and says in refused.json()["detail"], refused.text
    assert _stored(runtime) == before


def test_an_oversized_upload_is_refused_while_it_streams_and_nothing_is_kept(
    admin: TestClient, runtime: Runtime
) -> None:
    import msgspec

    small = msgspec.structs.replace(
        runtime.settings, knowledge=msgspec.structs.replace(runtime.settings.knowledge, upload_max_mb=1)
    )
    runtime.settings = small
    before = _stored(runtime)
    too_big = b"a" * (1024 * 1024 + 10)
    refused = admin.post("/api/documents", files={"file": ("big.txt", too_big, "text/plain")})
    assert refused.status_code == 413 and "1 MiB" in refused.json()["detail"]
    assert _stored(runtime) == before
    assert not list((runtime.settings.data_dir / "documents").glob(".incoming-*"))


def test_uploads_must_be_multipart_with_a_file(admin: TestClient) -> None:
    assert admin.post("/api/documents", content=b"hello", headers={"Content-Type": "text/plain"}).status_code == 415
    no_file = admin.post("/api/documents", files={"title": (None, "just a field")})
    assert no_file.status_code == 400 and "'file'" in no_file.json()["detail"]
    json_body = admin.post("/api/notes", content=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert json_body.status_code == 413  # the 1 MiB limit still holds for JSON


def test_a_file_name_cannot_reach_outside_the_documents_folder(admin: TestClient, runtime: Runtime) -> None:
    uploaded = admin.post("/api/documents", files={"file": ("../../../etc/passwd.txt", b"sneaky words", "text/plain")})
    assert uploaded.status_code == 201
    assert uploaded.json()["filename"] == "passwd.txt"
    files, _ = _stored(runtime)
    assert [f.name for f in files] == [uploaded.json()["id"]]


def test_a_private_document_is_neither_listed_nor_downloadable_by_others(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        private = robin.post("/api/documents", files={"file": ("p.txt", b"payslip details", "text/plain")}).json()
        shared = robin.post(
            "/api/documents", files={"file": ("s.txt", b"shared manual", "text/plain")}, data={"shared": "true"}
        ).json()
    assert admin.get(f"/api/documents/{private['id']}/file").status_code == 404
    assert admin.get(f"/api/documents/{private['id']}").status_code == 404
    assert admin.get(f"/api/documents/{shared['id']}/file").content == b"shared manual"
    assert {d["id"] for d in admin.get("/api/documents").json()} == {shared["id"]}
    assert admin.delete(f"/api/documents/{shared['id']}").status_code == 404


def test_a_removed_member_leaves_no_notes_documents_files_or_index_rows(admin: TestClient, runtime: Runtime) -> None:
    member = add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        robin.post("/api/notes", json={"title": "Shared", "body": "robin's zucchini plan", "shared": True})
        robin.post("/api/documents", files={"file": ("z.txt", b"zucchini seeds receipt", "text/plain")})
    assert _keyword(admin, "zucchini") != []
    assert admin.delete(f"/api/members/{member['id']}").status_code == 204
    assert _keyword(admin, "zucchini") == []
    files, rows = _stored(runtime)
    assert files == [] and rows == 0
    index = runtime.knowledge.store.read_sync(lambda c: c.execute("SELECT count(*) FROM chunks").fetchone()[0])
    assert index == 0


def test_search_input_is_checked(admin: TestClient) -> None:
    assert admin.get("/api/search", params={"q": "x" * 501}).status_code == 400
    assert admin.get("/api/search", params={"q": "x", "limit": 0}).status_code == 400
    assert admin.get("/api/search", params={"q": "x", "mode": "telepathy"}).status_code == 400
    assert admin.get("/api/search").status_code == 400
    weird = _keyword(admin, 'NEAR( "unbalanced * OR AND ) ^col:x')  # FTS5 syntax typed by a person is just words
    assert weird == []


def test_the_service_token_and_strangers_cannot_search(client: TestClient, runtime: Runtime) -> None:
    assert client.get("/api/search", params={"q": "x"}).status_code == 401
    assert (
        client.get(
            "/api/search", params={"q": "x"}, headers={"Authorization": f"Bearer {runtime.service_token}"}
        ).status_code
        == 403
    )


def test_the_uploader_renames_and_shares_a_document_and_search_follows(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "robin")
    upload = {"file": ("boiler.txt", b"Boiler service booked with Hearth & Co.", "text/plain")}
    document = admin.post("/api/documents", files=upload).json()
    renamed = admin.patch(f"/api/documents/{document['id']}", json={"title": "  Heating contract  "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "Heating contract" and renamed.json()["shared"] is False
    assert [h["title"] for h in _keyword(admin, "heating contract")] == ["Heating contract"]
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        assert _keyword(robin, "hearth") == []
        assert admin.patch(f"/api/documents/{document['id']}", json={"shared": True}).json()["shared"] is True
        assert [h["id"] for h in _keyword(robin, "hearth")] == [document["id"]]
        assert robin.get(f"/api/documents/{document['id']}").json()["title"] == "Heating contract"
        admin.patch(f"/api/documents/{document['id']}", json={"shared": False})
        assert _keyword(robin, "hearth") == []
        assert robin.get(f"/api/documents/{document['id']}").status_code == 404


def test_nobody_but_the_uploader_may_change_a_document(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        private = robin.post("/api/documents", files={"file": ("p.txt", b"payslip details", "text/plain")}).json()
        shared = robin.post(
            "/api/documents", files={"file": ("s.txt", b"shared manual", "text/plain")}, data={"shared": "true"}
        ).json()
        for target in (private, shared):  # hidden or only readable: either way, not the admin's to change
            refused = admin.patch(f"/api/documents/{target['id']}", json={"shared": True, "title": "mine now"})
            assert refused.status_code == 404
        assert robin.get(f"/api/documents/{private['id']}").json() == private
        assert robin.get(f"/api/documents/{shared['id']}").json() == shared
    assert _keyword(admin, "payslip") == [] and _keyword(admin, "mine now") == []
    assert admin.patch("/api/documents/no-such-id", json={"title": "x"}).status_code == 404


@pytest.mark.parametrize(
    "change",
    [{"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"shared": "yes"}, {"owner_id": "someone"}, [1]],
)
def test_a_bad_document_change_is_refused_with_a_message(admin: TestClient, change: object) -> None:
    document = admin.post("/api/documents", files={"file": ("a.txt", b"alpha words", "text/plain")}).json()
    refused = admin.patch(f"/api/documents/{document['id']}", json=change)
    assert refused.status_code == 400 and refused.json()["detail"], refused.text
    assert admin.get(f"/api/documents/{document['id']}").json() == document
