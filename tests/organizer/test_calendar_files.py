"""ICS in and out, and the private subscription address phones read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.organizer.calendar.calendars import get_calendar
from appliance.organizer.calendar.events import indexable_event, store_calendar_object
from appliance.organizer.calendar.ical import parse_calendar
from appliance.runtime import Runtime
from tests.conftest import second_client
from tests.organizer.conftest import keyword, me

PHONE_EXPORT = (Path(__file__).parent / "files" / "phone_export.ics").read_bytes()
APRIL = {"start": "2025-03-24T00:00:00", "end": "2025-04-30T00:00:00"}


def _import(client: TestClient, calendar_id: str, body: bytes) -> dict:
    response = client.post(
        f"/api/calendars/{calendar_id}/import", content=body, headers={"content-type": "text/calendar"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _seen(client: TestClient, **params: object) -> list[tuple[str, str]]:
    found = client.get("/api/events", params={**APRIL, **params}).json()
    return [(o["title"], o["starts"]) for o in found]


def test_an_ics_file_from_a_phone_is_imported_with_its_zones_repeats_and_exceptions(household: TestClient) -> None:
    report = _import(household, "household", PHONE_EXPORT)
    assert (report["created"], report["updated"]) == (3, 0)
    assert report["skipped"] == ["No identity: it has no UID", "Every minute: it repeats more often than hourly"]
    seen = _seen(household, tz="Europe/Berlin")
    assert [title for title, _ in seen] == [
        "Swimming lessons",
        "Swimming lessons (gala)",
        "Flight to New York",
        "Swimming lessons",
        "Easter Monday",
    ]
    swims = [starts for title, starts in seen if title.startswith("Swimming")]
    berlin = [s.replace("T", " ")[:16] for s in swims]
    assert berlin == ["2025-03-25 17:00", "2025-04-01 18:00", "2025-04-15 17:00"]
    assert _import(household, "household", PHONE_EXPORT) == {"created": 0, "updated": 3, "skipped": report["skipped"]}
    assert len(_seen(household)) == 5  # the same UIDs replace, never duplicate


def test_an_exported_calendar_imports_elsewhere_unchanged(household: TestClient) -> None:
    _import(household, "household", PHONE_EXPORT)
    exported = household.get("/api/calendars/household/export.ics")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VTIMEZONE" in exported.content and b"X-WR-CALNAME:Household" in exported.content
    copy = household.post("/api/calendars", json={"name": "Copy", "shared": True}).json()
    assert _import(household, copy["id"], exported.content)["created"] == 3
    assert _seen(household, calendar=copy["id"]) == _seen(household, calendar="household")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a calendar",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
        b"\xff\xfe\x00garbage",
        b"BEGIN:VEVENT\r\nEND:VEVENT\r\n",
    ],
)
def test_a_file_that_is_not_a_calendar_is_a_400(household: TestClient, body: bytes) -> None:
    response = household.post(
        "/api/calendars/household/import", content=body, headers={"content-type": "text/calendar"}
    )
    assert response.status_code == 400, response.text
    assert "iCalendar" in response.json()["detail"]


def test_the_subscription_address_serves_my_calendars_without_a_sign_in(
    household: TestClient, robin: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    mine = robin.post("/api/calendars", json={"name": "Robin's"}).json()
    robin.post(
        "/api/events", json={"calendar_id": mine["id"], "title": "Robin's dentist", "starts": "2025-03-26T08:00:00"}
    )
    robin.post("/api/events", json={"title": "Household BBQ", "starts": "2025-03-29T12:00:00"})
    admins = household.post("/api/calendars", json={"name": "Admin's own"}).json()
    household.post(
        "/api/events", json={"calendar_id": admins["id"], "title": "Admin secret", "starts": "2025-03-26T08:00:00"}
    )
    assert robin.get("/api/calendars/feed").json() == {"active": False, "created_at": None}
    made = robin.post("/api/calendars/feed")
    assert made.status_code == 201 and made.headers["cache-control"] == "private, no-store"
    address = made.json()
    assert address["webcal_url"].startswith("webcal://") and robin.get("/api/calendars/feed").json()["active"]
    path = address["url"].split("testserver.local", 1)[1]
    with second_client(runtime) as phone, caplog.at_level(logging.INFO):
        served = phone.get(path)
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/calendar")
        assert b"Robin's dentist" in served.content and b"Household BBQ" in served.content
        assert b"Admin secret" not in served.content
        key = path.split("key=")[1]
        atoms = [r for r in caplog.records if r.name.startswith("appliance")]
        assert any(r.name == "appliance.access" and "/calendar/feed.ics" in str(r.__dict__) for r in atoms)
        assert not [r for r in atoms if key in r.getMessage() or key in str(r.__dict__)]  # the key never logged
        robin.post("/api/calendars/feed")  # a new address revokes the old one
        assert phone.get(path).status_code == 404
        newest = robin.post("/api/calendars/feed").json()["url"].split("testserver.local", 1)[1]
        assert phone.get(newest).status_code == 200
        assert robin.delete("/api/calendars/feed").status_code == 204
        assert phone.get(newest).status_code == 404
        assert robin.delete("/api/calendars/feed").status_code == 404


def test_feed_keys_cannot_be_guessed_or_stretched(household: TestClient, runtime: Runtime) -> None:
    household.post("/api/calendars/feed")
    with second_client(runtime) as stranger:
        for key in ("", "atomcal_", "atomcal_x", "a" * 100, "' OR 1=1 --"):
            assert stranger.get("/calendar/feed.ics", params={"key": key}).status_code in (400, 404), key
        assert stranger.get("/calendar/feed.ics", params={"key": "x" * 101}).status_code == 400
        assert stranger.get("/calendar/feed.ics").status_code == 400
        assert stranger.get("/api/calendars/feed").status_code == 401


def test_a_disabled_member_s_address_stops_working(household: TestClient, robin: TestClient, runtime: Runtime) -> None:
    path = robin.post("/api/calendars/feed").json()["url"].split("testserver.local", 1)[1]
    household.patch(f"/api/members/{robin.member_id}", json={"disabled": True})  # type: ignore[attr-defined]
    with second_client(runtime) as phone:
        assert phone.get(path).status_code == 404


ODD = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//elsewhere//EN\r\nBEGIN:VEVENT\r\nUID:odd@elsewhere\r\n"
    "DTSTAMP:20250301T000000Z\r\nDTSTART:20250301T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
    "RDATE:garbage\r\nEXDATE:nonsense\r\nSUMMARY:Odd\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_an_import_lists_a_series_whose_dates_cannot_be_read_as_skipped(household: TestClient) -> None:
    half = ODD.replace("RDATE:garbage", "RDATE:20250310T090000Z").replace("UID:odd@", "UID:half@")
    half = half.replace("SUMMARY:Odd", "SUMMARY:Half")
    report = _import(
        household, "household", (ODD.replace("END:VCALENDAR\r\n", "") + half.split("VERSION:2.0\r\n", 1)[1]).encode()
    )
    assert report == {
        "created": 0,
        "updated": 0,
        "skipped": ["Odd: its RDATE and EXDATE dates cannot be read", "Half: its EXDATE dates cannot be read"],
    }
    assert keyword(household, "odd") == [] and keyword(household, "half") == []


def _stored_as_a_sync_would(client: TestClient, runtime: Runtime, text: str) -> None:
    """A calendar object another client wrote, stored as a CalDAV sync stores it (imports skip it)."""
    viewer = me(client)

    async def store() -> None:
        calendar = await get_calendar(runtime.db, viewer, "household")
        row = await store_calendar_object(runtime.db, calendar, parse_calendar(text), None, "UTC")
        await runtime.knowledge.index(indexable_event(row))

    client.blocking_portal.call(store)  # type: ignore[union-attr]


def test_a_stored_series_atom_cannot_read_is_left_out_not_a_500(household: TestClient, runtime: Runtime) -> None:
    _stored_as_a_sync_would(household, runtime, ODD)
    household.post("/api/events", json={"title": "Fine", "starts": "2025-03-02T10:00:00"})
    listed = household.get("/api/events", params={"start": "2025-03-01T00:00:00", "end": "2025-03-10T00:00:00"})
    assert listed.status_code == 200, listed.text
    assert [o["title"] for o in listed.json()] == ["Fine"]  # the rest of the calendar still shows
    assert household.get("/calendar?view=month&on=2025-03-01").status_code == 200
    assert "RDATE:garbage" in household.get("/api/calendars/household/export.ics").text  # kept as it came
    [found] = keyword(household, "odd")
    event = household.get(f"/api/events/{found['id']}")
    assert event.status_code == 200 and event.json()["rdates"] == [] and event.json()["exdates"] == []
    one = {"recurrence_id": "2025-03-02T09:00:00+00:00", "title": "x"}
    changed = household.put(f"/api/events/{found['id']}/occurrences", json=one)
    assert changed.status_code == 400 and "cannot be read" in changed.json()["detail"]
