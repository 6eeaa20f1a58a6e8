"""Google Drive end to end over loopback HTTP: PKCE with the pasted loopback address, Docs
exported and files downloaded into searchable records with their link (what Atom cannot read,
or too large, left out), later changes by page token (trashed and removed files forgotten), and
Drive's 403 rate limits waited out (Retry-After, else backoff) rather than taken for failures."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.connectors.conftest import Sleeps
from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.google_calendar_api import CLIENT_ID, CLIENT_SECRET
from tests.fakes.google_drive_api import DOC, FakeGoogleDrive
from tests.fakes.loopback import Reply

APP = {"connector": "google_drive", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def sign_in_drive(client: TestClient, drive: FakeGoogleDrive) -> dict:
    step = client.post("/api/connections", json=APP)
    assert step.status_code == 201, step.text
    landed = drive.consent(step.json()["pkce"]["authorize_url"])
    done = client.post(f"/api/connections/{step.json()['connection']['id']}/sign-in/paste", json={"address": landed})
    assert done.status_code == 200, done.text
    return done.json()["connection"]


def seed_drive(drive: FakeGoogleDrive, count: int) -> None:
    for n in range(count):
        drive.put(f"Item {n}.txt", f"Item {n}: notes kept in Drive.".encode())


def test_docs_and_files_become_searchable_records_with_their_link(
    ada: TestClient, google_drive: FakeGoogleDrive
) -> None:
    doc = google_drive.put("Holiday plan", b"Ferry to the island on the 3rd of August.", DOC)
    google_drive.put("Recipes.md", b"# Soup\n\nLeek and potato.", "text/markdown")
    google_drive.put("photo.jpg", b"\xff\xd8\xff", "image/jpeg")
    connection = sign_in_drive(ada, google_drive)
    assert connection["account"] == "ada@example.com"
    assert sync(ada, connection)["state"] == "connected"
    (hit,) = found(ada, "ferry")
    assert hit["title"] == "Holiday plan" and hit["source"] == "google_drive"
    assert found(ada, "leek")[0]["title"] == "Recipes.md"
    links = {i["title"]: i["url"] for i in record_items(ada, "google_drive")}
    assert links["Holiday plan"] == f"https://docs.google.com/document/d/{doc.id}/edit" and len(links) == 2
    assert any(r.path.endswith(f"{doc.id}/export") for r in google_drive.requests)


def test_later_changes_come_by_page_token(ada: TestClient, google_drive: FakeGoogleDrive) -> None:
    keep = google_drive.put("Garden.txt", b"Prune the roses in March.")
    trash = google_drive.put("Old.txt", b"Meter reading from last year.")
    connection = sign_in_drive(ada, google_drive)
    sync(ada, connection)
    google_drive.alter(keep, data=b"Prune the roses in February.")
    google_drive.alter(trash, trashed=True)
    google_drive.put("New.txt", b"Chimney sweep booked.")
    before = len(google_drive.requests)
    sync(ada, connection)
    assert found(ada, "february") and found(ada, "meter") == [] and found(ada, "chimney")
    assert not [r for r in google_drive.requests[before:] if r.path == "/drive/v3/files"]  # no full listing again
    assert any(r.path == "/drive/v3/changes" for r in google_drive.requests[before:])


def test_a_rate_limit_403_is_waited_out_not_a_failure(
    ada: TestClient, google_drive: FakeGoogleDrive, sleeps: Sleeps
) -> None:
    google_drive.put("Boiler.txt", b"Boiler service in September.")
    connection = sign_in_drive(ada, google_drive)
    google_drive.rate_limit(1, "rateLimitExceeded", retry_after="7")
    google_drive.rate_limit(1, "userRateLimitExceeded")  # no Retry-After: exponential backoff
    assert sync(ada, connection)["state"] == "connected"
    assert sleeps.waits == [7.0, 2.0]  # Retry-After on the first try, then 1 s doubled on the second
    assert found(ada, "september")[0]["title"] == "Boiler.txt"


def test_a_rate_limit_that_lasts_stops_the_sync_until_later(
    ada: TestClient, google_drive: FakeGoogleDrive, sleeps: Sleeps
) -> None:
    google_drive.put("Boiler.txt", b"Boiler service in September.")
    connection = sign_in_drive(ada, google_drive)
    google_drive.rate_limit(3)
    stopped = sync(ada, connection)
    assert stopped["state"] == "error" and stopped["retry_at"] and "slow down" in stopped["last_error"]
    assert sleeps.waits == [1.0, 2.0]
    assert sync(ada, connection)["state"] == "connected"  # Drive's quota is back: the sync goes on
    assert found(ada, "september")


def test_another_403_is_still_a_failure_not_a_wait(
    ada: TestClient, google_drive: FakeGoogleDrive, sleeps: Sleeps
) -> None:
    connection = sign_in_drive(ada, google_drive)
    body = {"error": {"errors": [{"domain": "global", "reason": "insufficientPermissions"}], "code": 403}}
    google_drive.answer_next(Reply(403, body))
    assert sync(ada, connection)["state"] == "error"
    assert sleeps.waits == []
