"""Calendar over the API: zones, all-day events, repeats across DST, changed and cancelled occurrences."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from tests.organizer.conftest import keyword

UTC = ZoneInfo("UTC")


def _event(client: TestClient, **body: object) -> dict:
    response = client.post("/api/events", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _range(client: TestClient, start: str, end: str, **params: object) -> list[dict]:
    response = client.get("/api/events", params={"start": start, "end": end, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def test_a_weekly_event_keeps_its_wall_clock_across_the_berlin_change(household: TestClient) -> None:
    _event(household, title="Choir", starts="2025-03-24T19:00:00", rrule="FREQ=WEEKLY;COUNT=3")
    found = _range(household, "2025-03-01T00:00:00", "2025-05-01T00:00:00")
    assert [o["starts"] for o in found] == [
        "2025-03-24T19:00:00+01:00",
        "2025-03-31T19:00:00+02:00",
        "2025-04-07T19:00:00+02:00",
    ]
    assert [_utc(o["starts"]) for o in found] == ["2025-03-24 18:00", "2025-03-31 17:00", "2025-04-07 17:00"]
    assert all(o["recurring"] and o["tz"] == "Europe/Berlin" for o in found)


def test_a_daily_event_across_both_new_york_changes(household: TestClient) -> None:
    ny = {"tz": "America/New_York"}
    _event(household, title="School run", starts="2025-03-07T08:15:00", rrule="FREQ=DAILY;COUNT=4", **ny)
    _event(household, title="Autumn run", starts="2025-11-01T08:15:00", rrule="FREQ=DAILY;COUNT=3", **ny)
    spring = _range(household, "2025-03-07T00:00:00", "2025-03-11T00:00:00", **ny)
    assert [_utc(o["starts"]) for o in spring] == [
        "2025-03-07 13:15",
        "2025-03-08 13:15",
        "2025-03-09 12:15",
        "2025-03-10 12:15",
    ]
    autumn = _range(household, "2025-11-01T00:00:00", "2025-11-04T00:00:00", **ny)
    assert [o["starts"][11:] for o in autumn] == ["08:15:00-04:00", "08:15:00-05:00", "08:15:00-05:00"]


def test_a_time_skipped_by_the_change_happens_just_after_it(household: TestClient) -> None:
    _event(household, title="Night feed", starts="2025-03-29T02:30:00", rrule="FREQ=DAILY;COUNT=3")
    found = _range(household, "2025-03-29T00:00:00", "2025-04-01T00:00:00")
    assert [_utc(o["starts"]) for o in found] == ["2025-03-29 01:30", "2025-03-30 01:30", "2025-03-31 00:30"]


def test_an_all_day_event_falls_on_its_date_in_every_zone(household: TestClient) -> None:
    made = _event(household, title="Grandma's birthday", starts="2025-03-30T00:00:00", all_day=True)
    assert (made["all_day"], made["tz"], made["starts"][:10], made["ends"][:10]) == (
        True,
        "Europe/Berlin",
        "2025-03-30",
        "2025-03-31",
    )
    for zone in ("Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"):
        on_the_day = _range(household, "2025-03-30T00:00:00", "2025-03-31T00:00:00", tz=zone)
        assert [(o["title"], o["all_day"], o["starts"][:10]) for o in on_the_day] == [
            ("Grandma's birthday", True, "2025-03-30")
        ], zone
        assert _range(household, "2025-03-29T00:00:00", "2025-03-30T00:00:00", tz=zone) == [], zone
        assert _range(household, "2025-03-31T00:00:00", "2025-04-01T00:00:00", tz=zone) == [], zone


def test_a_multi_day_all_day_event_and_a_timed_one_seen_from_another_zone(household: TestClient) -> None:
    trip = _event(household, title="Trip", starts="2025-04-10T00:00:00", ends="2025-04-12T00:00:00", all_day=True)
    assert trip["ends"][:10] == "2025-04-13"  # the day after the last, as iCalendar counts
    call = _event(household, title="Call", starts="2025-04-11T09:00:00")
    seen = _range(household, "2025-04-11T00:00:00", "2025-04-12T00:00:00", tz="America/New_York")
    assert [o["title"] for o in seen] == ["Trip", "Call"]
    assert seen[1]["starts"] == "2025-04-11T09:00:00+02:00"  # in the event's own zone: 03:00 in New York
    assert call["id"] == seen[1]["event_id"]


def test_one_occurrence_changed_another_cancelled(household: TestClient) -> None:
    series = _event(household, title="Standup", starts="2025-03-24T09:00:00", rrule="FREQ=WEEKLY;COUNT=4")
    ids = [o["recurrence_id"] for o in _range(household, "2025-03-01T00:00:00", "2025-05-01T00:00:00")]
    moved = household.put(
        f"/api/events/{series['id']}/occurrences",
        json={"recurrence_id": ids[1], "starts": "2025-03-31T11:00:00", "title": "Late standup"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["overridden"] == [ids[1]]
    cancelled = household.put(f"/api/events/{series['id']}/occurrences", json={"recurrence_id": ids[2], "cancel": True})
    assert cancelled.json()["exdates"] == [ids[2]]
    found = _range(household, "2025-03-01T00:00:00", "2025-05-01T00:00:00")
    assert [(o["title"], o["starts"], o["changed"]) for o in found] == [
        ("Standup", "2025-03-24T09:00:00+01:00", False),
        ("Late standup", "2025-03-31T11:00:00+02:00", True),
        ("Standup", "2025-04-14T09:00:00+02:00", False),
    ]
    again = household.put(f"/api/events/{series['id']}/occurrences", json={"recurrence_id": ids[2], "cancel": True})
    assert again.status_code == 404  # already gone
    moved_back = household.put(
        f"/api/events/{series['id']}/occurrences", json={"recurrence_id": ids[1], "cancel": True}
    )
    assert moved_back.json()["overridden"] == []
    assert len(_range(household, "2025-03-01T00:00:00", "2025-05-01T00:00:00")) == 2


def test_editing_the_series_keeps_its_length_and_stopping_the_rule(household: TestClient) -> None:
    series = _event(
        household, title="Yoga", starts="2025-03-24T18:00:00", ends="2025-03-24T19:30:00", rrule="FREQ=DAILY"
    )
    moved = household.patch(f"/api/events/{series['id']}", json={"starts": "2025-03-25T07:00:00"}).json()
    assert (moved["starts"], moved["ends"]) == ("2025-03-25T07:00:00+01:00", "2025-03-25T08:30:00+01:00")
    once = household.patch(f"/api/events/{series['id']}", json={"rrule": None, "title": "Yoga once"}).json()
    assert once["rrule"] is None and once["title"] == "Yoga once"
    assert len(_range(household, "2025-03-20T00:00:00", "2025-04-20T00:00:00")) == 1
    all_day = household.patch(f"/api/events/{series['id']}", json={"all_day": True}).json()
    assert all_day["all_day"] and all_day["starts"][:10] == "2025-03-25" and all_day["ends"][:10] == "2025-03-26"


def test_personal_calendars_are_their_owners_alone(household: TestClient, robin: TestClient) -> None:
    mine = robin.post("/api/calendars", json={"name": "Robin", "color": "#aa3355"}).json()
    assert mine["shared"] is False
    secret = _event(robin, calendar_id=mine["id"], title="Therapy", starts="2025-03-25T10:00:00")
    shared = _event(robin, title="Family dinner", starts="2025-03-25T19:00:00")
    assert [o["title"] for o in _range(robin, "2025-03-25T00:00:00", "2025-03-26T00:00:00")] == [
        "Therapy",
        "Family dinner",
    ]
    assert [o["title"] for o in _range(household, "2025-03-25T00:00:00", "2025-03-26T00:00:00")] == ["Family dinner"]
    for response in (
        household.get(f"/api/events/{secret['id']}"),
        household.patch(f"/api/events/{secret['id']}", json={"title": "x"}),
        household.delete(f"/api/events/{secret['id']}"),
        household.get(
            "/api/events", params={"start": "2025-03-25T00:00:00", "end": "2025-03-26T00:00:00", "calendar": mine["id"]}
        ),
        household.get(f"/api/calendars/{mine['id']}/export.ics"),
        household.post(f"/api/calendars/{mine['id']}/import", content=b"x", headers={"content-type": "text/calendar"}),
        household.post("/api/events", json={"calendar_id": mine["id"], "title": "x", "starts": "2025-03-25T10:00:00"}),
        household.patch(f"/api/events/{shared['id']}", json={"calendar_id": mine["id"]}),
    ):
        assert response.status_code == 404, response.text
    assert keyword(household, "therapy") == []
    assert [h["id"] for h in keyword(robin, "therapy")] == [secret["id"]]
    assert mine["id"] not in {c["id"] for c in household.get("/api/calendars").json()}


def test_events_are_indexed_and_a_deleted_calendar_takes_its_events_out(household: TestClient) -> None:
    club = household.post("/api/calendars", json={"name": "Football club", "shared": True}).json()
    match = _event(household, calendar_id=club["id"], title="Derby", starts="2025-03-29T15:00:00", location="Stadium")
    assert [h["id"] for h in keyword(household, "stadium")] == [match["id"]]
    assert household.delete(f"/api/calendars/{club['id']}").status_code == 204
    assert keyword(household, "stadium") == []
    assert household.get(f"/api/events/{match['id']}").status_code == 404
    assert household.delete("/api/calendars/household").status_code == 400


def test_bad_calendar_input_is_a_clear_4xx(household: TestClient) -> None:
    series = _event(household, title="Weekly", starts="2025-03-24T09:00:00", rrule="FREQ=WEEKLY")
    single = _event(household, title="Once", starts="2025-03-24T09:00:00")
    new = "2025-03-24T10:00:00"

    def event(**body: object):  # type: ignore[no-untyped-def]
        return household.post("/api/events", json={"title": "x", "starts": new, **body})

    def expand(start: str, end: str, **more: str):  # type: ignore[no-untyped-def]
        return household.get("/api/events", params={"start": start, "end": end, **more})

    def occurrence(event_id: str, **body: object):  # type: ignore[no-untyped-def]
        return household.put(f"/api/events/{event_id}/occurrences", json=body)

    cases = [
        (event(ends="2025-03-24T09:00:00"), 400),
        (event(rrule="FREQ=SECONDLY"), 400),
        (event(tz="Atlantis/City"), 400),
        (event(starts="tomorrow"), 400),
        (event(calendar_id="nope"), 404),
        (expand("2025-01-01T00:00:00", "2026-06-01T00:00:00"), 400),
        (expand("2025-02-01T00:00:00", "2025-01-01T00:00:00"), 400),
        (expand("2025-01-01T00:00:00", "2025-02-01T00:00:00", tz="x"), 400),
        (expand("soon", "later"), 400),
        (expand("9999-12-01T00:00:00", "9999-12-31T00:00:00"), 400),
        (expand("0001-01-01T00:00:00", "0001-01-20T00:00:00"), 400),
        (occurrence(series["id"], recurrence_id="2025-03-25T09:00:00+01:00", cancel=True), 404),
        (occurrence(series["id"], recurrence_id="not a time at all"), 400),
        (occurrence(single["id"], recurrence_id="2025-03-24T09:00:00+01:00"), 400),
        (household.post("/api/calendars", json={"name": "x", "color": "red; background:url(x)"}), 400),
        (household.post("/api/calendars", json={"name": ""}), 400),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.json()["detail"]


def _days(client: TestClient, **params: object) -> list[tuple[str, str, str, bool]]:
    """(title, first day, day after the last, changed) of each occurrence from 24 March to 21 April 2025."""
    found = _range(client, "2025-03-24T00:00:00", "2025-04-21T00:00:00", **params)
    return [(o["title"], o["starts"][:10], o["ends"][:10], o["changed"]) for o in found]


def test_one_all_day_occurrence_moves_to_another_day_and_back(household: TestClient) -> None:
    bins = _event(household, title="Bins out", starts="2025-03-24T00:00:00", all_day=True, rrule="FREQ=WEEKLY;COUNT=4")

    def occurrence(**body: object) -> dict:
        response = household.put(f"/api/events/{bins['id']}/occurrences", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    moved = occurrence(recurrence_id="2025-03-31", day="2025-04-01")  # bank-holiday Monday: Tuesday instead
    assert moved["overridden"] == ["2025-03-31"]
    weeks = [("Bins out", "2025-03-24", "2025-03-25", False), ("Bins out", "2025-04-01", "2025-04-02", True)]
    weeks += [("Bins out", "2025-04-07", "2025-04-08", False), ("Bins out", "2025-04-14", "2025-04-15", False)]
    for zone in ("Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"):
        assert _days(household, tz=zone) == weeks, zone  # on the Tuesday in every zone, and not on the Monday
    ics = household.get("/api/calendars/household/export.ics").text.replace("\r\n ", "")
    assert "RECURRENCE-ID;VALUE=DATE:20250331" in ics and "DTSTART;VALUE=DATE:20250401" in ics
    assert "DTEND;VALUE=DATE:20250402" in ics

    occurrence(recurrence_id="2025-04-07", day="2025-04-08", days=2, title="Bins and recycling")
    assert _days(household)[2] == ("Bins and recycling", "2025-04-08", "2025-04-10", True)
    occurrence(recurrence_id="2025-04-07", title="Bins, recycling too")  # its new day and length stay
    assert _days(household)[2] == ("Bins, recycling too", "2025-04-08", "2025-04-10", True)
    occurrence(recurrence_id="2025-03-31", day="2025-03-31")  # moved back
    assert _days(household)[1] == ("Bins out", "2025-03-31", "2025-04-01", True)

    cancelled = occurrence(recurrence_id="2025-03-31", cancel=True)
    assert (cancelled["exdates"], cancelled["overridden"]) == (["2025-03-31"], ["2025-04-07"])
    assert [d[1] for d in _days(household)] == ["2025-03-24", "2025-04-08", "2025-04-14"]

    renamed = household.patch(f"/api/events/{bins['id']}", json={"title": "Wheelie bins"}).json()
    assert renamed["overridden"] == ["2025-04-07"]  # text alone: the moved one stays moved
    assert [d[:2] for d in _days(household)] == [
        ("Wheelie bins", "2025-03-24"),
        ("Bins, recycling too", "2025-04-08"),
        ("Wheelie bins", "2025-04-14"),
    ]
    retimed = household.patch(f"/api/events/{bins['id']}", json={"starts": "2025-03-25T00:00:00"}).json()
    assert (retimed["overridden"], retimed["exdates"]) == ([], [])  # a new start: the series starts afresh
    assert [d[1] for d in _days(household)] == ["2025-03-25", "2025-04-01", "2025-04-08", "2025-04-15"]


def test_moving_an_all_day_occurrence_takes_days_not_times(household: TestClient) -> None:
    bins = _event(household, title="Bins out", starts="2025-03-24T00:00:00", all_day=True, rrule="FREQ=WEEKLY")
    standup = _event(household, title="Standup", starts="2025-03-24T09:00:00", rrule="FREQ=WEEKLY")

    def occurrence(event_id: str, **body: object):  # type: ignore[no-untyped-def]
        return household.put(f"/api/events/{event_id}/occurrences", json=body)

    cases = [
        (occurrence(bins["id"], recurrence_id="2025-03-31", starts="2025-04-01T09:00:00"), "not a time"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", starts="2025-04-01T00:00:00"), "not a time"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", ends="2025-04-02T00:00:00"), "not a time"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", day="2025-04-01", days=0), ">= 1"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", days=-3), ">= 1"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", day="2025-04-01T00:00:00"), "date"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", day="first of April"), "date"),
        (occurrence(bins["id"], recurrence_id="2025-03-31", day="9999-12-31", days=2), "year 9999"),
        (occurrence(standup["id"], recurrence_id="2025-03-31T09:00:00+02:00", starts="9999-12-31T23:30:00"), "9999"),
        (occurrence(standup["id"], recurrence_id="2025-03-31T09:00:00+02:00", day="2025-04-01"), "all-day ones"),
        (
            occurrence(
                standup["id"],
                recurrence_id="2025-03-31T09:00:00+02:00",
                starts="2025-03-31T11:00:00",
                ends="2025-03-31T10:00:00",
            ),
            "end after it starts",
        ),
    ]
    for response, says in cases:
        assert response.status_code == 400, response.text
        assert says in response.text, response.text
    assert household.get(f"/api/events/{bins['id']}").json()["overridden"] == []  # nothing half-done
    assert household.get(f"/api/events/{standup['id']}").json()["overridden"] == []
