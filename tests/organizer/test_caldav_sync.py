"""Two-way CalDAV sync against a real Radicale started here; the other side is the caldav library.

Atom runs in-process on a pinned clock; the "phone" stamps its own changes, so who changed last
is decided by the test, and the conflict rule can be checked both ways.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.organizer.caldav.sync import BOTH_CHANGED_OURS, BOTH_CHANGED_THEIRS, DELETED_HERE, DELETED_THERE
from appliance.runtime import Runtime
from tests.organizer.conftest import Clock, keyword
from tests.organizer.radicale import PASSWORD, USER, Radicale, start_radicale

pytestmark = pytest.mark.process

MARCH = {"start": "2025-03-01T00:00:00", "end": "2025-05-01T00:00:00"}


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = start_radicale(tmp_path / "radicale")
    yield server
    server.stop()


@pytest.fixture
def linked(household: TestClient, radicale: Radicale) -> TestClient:
    """The Household calendar, linked to the phone's "family" calendar through a household account."""
    remote = radicale.calendar("family")
    account = household.post(
        "/api/caldav/accounts",
        json={"label": "Radicale", "url": radicale.url, "username": USER, "password": PASSWORD, "shared": True},
    )
    assert account.status_code == 201, account.text
    found = household.get(f"/api/caldav/accounts/{account.json()['id']}/calendars").json()
    assert [c["url"] for c in found] == [str(remote.url)]
    link = {"account_id": account.json()["id"], "remote_url": found[0]["url"]}
    assert household.put("/api/calendars/household/caldav", json=link).status_code == 200
    return household


def _sync(client: TestClient) -> dict:
    response = client.post("/api/calendars/household/sync")
    assert response.status_code == 200, response.text
    return response.json()


def _titles(client: TestClient) -> list[str]:
    return [o["title"] for o in client.get("/api/events", params=MARCH).json()]


def _phone_event(radicale: Radicale, uid: str, title: str, start: str = "20250326T180000Z", **extra: str) -> None:
    lines = "".join(f"{k}:{v}\r\n" for k, v in extra.items())
    radicale.calendar().save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20250301T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{title}\r\n{lines}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _phone_titles(radicale: Radicale) -> set[str]:
    remote = radicale.calendar()
    return {str(item.icalendar_component.get("SUMMARY")) for item in [*remote.events(), *remote.todos()]}


def test_atoms_events_and_tasks_reach_the_phone(linked: TestClient, radicale: Radicale) -> None:
    series = linked.post(
        "/api/events", json={"title": "Choir", "starts": "2025-03-24T19:00:00", "rrule": "FREQ=WEEKLY;COUNT=4"}
    ).json()
    ids = [o["recurrence_id"] for o in linked.get("/api/events", params=MARCH).json()]
    linked.put(f"/api/events/{series['id']}/occurrences", json={"recurrence_id": ids[2], "cancel": True})
    linked.post("/api/tasks", json={"title": "Buy stamps", "due_date": "2025-03-27", "priority": "high"})
    report = _sync(linked)
    assert (report["full"], report["pushed"], report["pulled"]) == (True, 2, 0)
    remote = radicale.calendar()
    [event] = remote.events()
    event.load()
    assert event.icalendar_component["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    assert "EXDATE" in event.icalendar_component and "TZID=Europe/Berlin" in event.data
    [todo] = remote.todos()
    assert str(todo.icalendar_component["SUMMARY"]) == "Buy stamps"
    assert todo.icalendar_component["PRIORITY"] == 1
    assert _sync(linked) == {**report, "full": False, "pushed": 0}  # nothing changed: nothing moves


def test_the_phones_events_and_tasks_reach_atom_and_only_changes_move(linked: TestClient, radicale: Radicale) -> None:
    _phone_event(radicale, "dentist@phone", "Dentist")
    radicale.calendar().save_todo(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\nUID:todo@phone\r\n"
        "DTSTAMP:20250301T000000Z\r\nSUMMARY:Renew insurance\r\nDUE;VALUE=DATE:20250330\r\nPRIORITY:9\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )
    first = _sync(linked)
    assert (first["full"], first["pulled"], first["pushed"]) == (True, 2, 0)
    assert _titles(linked) == ["Dentist"]
    [task] = linked.get("/api/tasks").json()
    assert (task["title"], task["due_date"], task["priority"], task["source"]) == (
        "Renew insurance",
        "2025-03-30",
        "low",
        "caldav",
    )
    assert [h["type"] for h in keyword(linked, "dentist")] == ["event"]
    quiet = _sync(linked)
    assert (quiet["full"], quiet["pulled"], quiet["pushed"]) == (False, 0, 0)
    _phone_event(radicale, "party@phone", "Party")
    assert _sync(linked)["pulled"] == 1  # only the new one is fetched
    assert sorted(_titles(linked)) == ["Dentist", "Party"]


def test_edits_travel_both_ways(linked: TestClient, radicale: Radicale, clock: Clock) -> None:
    _phone_event(radicale, "walk@phone", "Walk")
    _sync(linked)
    _phone_event(radicale, "walk@phone", "Long walk", LAST_MODIFIED="20250324T050000Z")
    assert _sync(linked)["pulled"] == 1
    assert _titles(linked) == ["Long walk"]
    [occurrence] = linked.get("/api/events", params=MARCH).json()
    linked.patch(f"/api/events/{occurrence['event_id']}", json={"title": "Longer walk", "location": "Park"})
    assert _sync(linked)["pushed"] == 1
    assert _phone_titles(radicale) == {"Longer walk"}


def test_deletes_travel_both_ways(linked: TestClient, radicale: Radicale) -> None:
    _phone_event(radicale, "gone@phone", "Cancelled dinner")
    task = linked.post("/api/tasks", json={"title": "Old chore"}).json()
    _sync(linked)
    assert _phone_titles(radicale) == {"Cancelled dinner", "Old chore"}
    for item in radicale.calendar().events():
        item.delete()
    linked.delete(f"/api/tasks/{task['id']}")
    report = _sync(linked)
    assert (report["deleted_here"], report["deleted_there"]) == (1, 1)
    assert _titles(linked) == [] and keyword(linked, "cancelled dinner") == []
    assert _phone_titles(radicale) == set()


def test_a_conflict_goes_to_the_later_change_and_the_other_is_kept_as_a_copy(
    linked: TestClient, radicale: Radicale, clock: Clock
) -> None:
    _phone_event(radicale, "meet@phone", "Meeting")
    _sync(linked)
    [occurrence] = linked.get("/api/events", params=MARCH).json()
    clock.set(datetime(2025, 3, 24, 8, 0))
    linked.patch(f"/api/events/{occurrence['event_id']}", json={"title": "Meeting (Atom)"})
    _phone_event(radicale, "meet@phone", "Meeting (phone)", LAST_MODIFIED="20250324T090000Z")  # later
    report = _sync(linked)
    assert report["conflicts"] == [f"Meeting (phone): {BOTH_CHANGED_THEIRS}"]
    shown = {o["title"]: o["conflict"] for o in linked.get("/api/events", params=MARCH).json()}
    assert shown["Meeting (phone)"] == BOTH_CHANGED_THEIRS
    assert "Your version" in shown["Meeting (Atom)"]  # the losing version, kept here
    assert _phone_titles(radicale) == {"Meeting (phone)"}  # the copy is not sent until kept
    copy = next(o for o in linked.get("/api/events", params=MARCH).json() if o["title"] == "Meeting (Atom)")
    assert linked.post(f"/api/events/{copy['event_id']}/keep").json()["conflict"] is None
    _sync(linked)
    assert _phone_titles(radicale) == {"Meeting (phone)", "Meeting (Atom)"}


def test_a_later_change_in_atom_wins_over_an_earlier_one_on_the_phone(
    linked: TestClient, radicale: Radicale, clock: Clock
) -> None:
    _phone_event(radicale, "lunch@phone", "Lunch")
    _sync(linked)
    [occurrence] = linked.get("/api/events", params=MARCH).json()
    _phone_event(radicale, "lunch@phone", "Lunch (phone)", LAST_MODIFIED="20250324T070000Z")
    clock.set(datetime(2025, 3, 24, 9, 0))
    linked.patch(f"/api/events/{occurrence['event_id']}", json={"title": "Lunch (Atom)"})
    report = _sync(linked)
    assert report["conflicts"] == [f"Lunch (Atom): {BOTH_CHANGED_OURS}"] and report["pushed"] == 1
    assert _phone_titles(radicale) == {"Lunch (Atom)"}
    assert sorted(_titles(linked)) == ["Lunch (Atom)", "Lunch (phone)"]


def test_an_edit_wins_over_a_delete_on_either_side(linked: TestClient, radicale: Radicale, clock: Clock) -> None:
    _phone_event(radicale, "a@phone", "Edited here")
    _phone_event(radicale, "b@phone", "Edited there")
    _sync(linked)
    events = {o["title"]: o["event_id"] for o in linked.get("/api/events", params=MARCH).json()}
    linked.patch(f"/api/events/{events['Edited here']}", json={"location": "Kitchen"})
    linked.delete(f"/api/events/{events['Edited there']}")
    for item in radicale.calendar().events():
        item.load()
        if str(item.icalendar_component["SUMMARY"]) == "Edited here":
            item.delete()
    _phone_event(radicale, "b@phone", "Edited there", LAST_MODIFIED="20250324T070000Z", LOCATION="Garden")
    report = _sync(linked)
    assert sorted(report["conflicts"]) == [f"Edited here: {DELETED_THERE}", f"Edited there: {DELETED_HERE}"]
    assert sorted(_titles(linked)) == ["Edited here", "Edited there"]
    assert _phone_titles(radicale) == {"Edited here", "Edited there"}


def test_a_forgotten_sync_token_means_one_full_listing_not_duplicates(
    linked: TestClient, radicale: Radicale, runtime: Runtime
) -> None:
    _phone_event(radicale, "x@phone", "Once")
    _sync(linked)
    runtime.db.write_sync(
        lambda c: c.execute("UPDATE organizer_calendars SET sync_token = 'http://radicale.org/ns/sync/gone'")
    )
    report = _sync(linked)
    assert report["full"] is True and report["pulled"] == 0
    assert _titles(linked) == ["Once"]


def test_accounts_are_guarded(household: TestClient, robin: TestClient, radicale: Radicale, runtime: Runtime) -> None:
    own = {"label": "Mine", "url": radicale.url, "username": USER, "password": PASSWORD}
    refused = robin.post("/api/caldav/accounts", json=own)  # a member's account: internet servers only
    assert refused.status_code == 400 and "will not connect" in refused.json()["detail"]
    assert robin.post("/api/caldav/accounts", json={**own, "shared": True}).status_code == 403
    atom_itself = {**own, "url": "http://127.0.0.1:8080/", "shared": True}
    assert "will not connect" in household.post("/api/caldav/accounts", json=atom_itself).json()["detail"]
    wrong = household.post("/api/caldav/accounts", json={**own, "password": "wrong", "shared": True}).json()
    listed = household.get(f"/api/caldav/accounts/{wrong['id']}/calendars")
    assert listed.status_code == 400 and "user name or password" in listed.json()["detail"]
    assert PASSWORD not in household.get("/api/caldav/accounts").text
    stored = runtime.db.read_sync(lambda c: c.execute("SELECT ciphertext FROM vault_secrets").fetchall())
    assert stored and all(PASSWORD not in text and "wrong" not in text for (text,) in stored)
    link = {"account_id": wrong["id"], "remote_url": radicale.url + "ada/family/"}
    assert robin.put("/api/calendars/household/caldav", json=link).status_code == 403
    elsewhere = {**link, "remote_url": "http://example.com/x/"}
    assert household.put("/api/calendars/household/caldav", json=elsewhere).status_code == 400
    assert household.put("/api/calendars/household/caldav", json=link).status_code == 200
    failed = household.post("/api/calendars/household/sync")
    assert failed.status_code == 400
    [calendar] = [c for c in household.get("/api/calendars").json() if c["id"] == "household"]
    assert "user name or password" in calendar["caldav"]["sync_error"]
    assert "remove the account and add it again" in calendar["caldav"]["sync_advice"]


def _worker_sync(client: TestClient, runtime: Runtime) -> list:
    """What the control route does when the worker asks (every minute): sync the calendars that are due."""
    from appliance.ai.outbound import OutboundRules
    from appliance.organizer.caldav.sync import sync_due

    rules = OutboundRules.for_box(runtime.settings)
    minutes = runtime.settings.organizer.caldav_sync_minutes
    return client.blocking_portal.call(sync_due, runtime.db, runtime.knowledge, runtime.vault, rules, minutes)


def test_the_worker_syncs_each_calendar_when_its_interval_has_passed(
    linked: TestClient, radicale: Radicale, runtime: Runtime, clock: Clock
) -> None:
    assert "caldav-sync" in runtime.jobs.names and runtime.settings.organizer.caldav_sync_minutes == 10
    _phone_event(radicale, "job@phone", "From the job")
    [report] = _worker_sync(linked, runtime)  # never synced: due at once
    assert (report.calendar_id, report.pulled) == ("household", 1)
    assert _titles(linked) == ["From the job"]
    clock.advance(minutes=9)
    assert _worker_sync(linked, runtime) == []  # the household's ten minutes have not passed
    clock.advance(minutes=1)
    assert len(_worker_sync(linked, runtime)) == 1
    assert '<option value="" selected>10 minutes (the household' in linked.get("/fragments/calendars").text
    changed = linked.patch("/api/calendars/household/caldav", json={"sync_minutes": 60})
    assert changed.status_code == 200 and changed.json()["caldav"]["sync_minutes"] == 60
    assert '<option value="60" selected>hour</option>' in linked.get("/calendar").text
    clock.advance(minutes=59)
    assert _worker_sync(linked, runtime) == []
    assert _sync(linked)["calendar_id"] == "household"  # "sync now" does not wait for it
    clock.advance(minutes=60)
    assert len(_worker_sync(linked, runtime)) == 1
    linked.patch("/api/calendars/household/caldav", json={"sync_minutes": None})
    clock.advance(minutes=10)
    assert len(_worker_sync(linked, runtime)) == 1


def test_the_interval_is_checked_and_only_whoever_may_link_sets_it(
    linked: TestClient, robin: TestClient, household: TestClient
) -> None:
    for bad in (0, 1441, "often", 2.5):
        response = linked.patch("/api/calendars/household/caldav", json={"sync_minutes": bad})
        assert response.status_code == 400, (bad, response.text)
    assert linked.patch("/api/calendars/household/caldav", json={"sync_minutes": 5, "x": 1}).status_code == 400
    assert robin.patch("/api/calendars/household/caldav", json={"sync_minutes": 5}).status_code == 403
    own = robin.post("/api/calendars", json={"name": "Robin's"}).json()
    assert household.patch(f"/api/calendars/{own['id']}/caldav", json={"sync_minutes": 5}).status_code == 404
    unlinked = robin.patch(f"/api/calendars/{own['id']}/caldav", json={"sync_minutes": 5})
    assert unlinked.status_code == 400 and "not linked" in unlinked.json()["detail"]


def test_a_server_that_is_down_says_what_to_do(linked: TestClient, radicale: Radicale) -> None:
    radicale.stop()
    with linked.websocket_connect("/api/live") as socket:
        assert json.loads(socket.receive_text(timeout=5))["action"] == "ready"
        assert linked.post("/api/calendars/household/sync").status_code == 503
        heard = json.loads(socket.receive_text(timeout=5))  # the open page refetches, to show the advice
        assert (heard["topic"], heard["id"]) == ("calendar", "household")
    [calendar] = [c for c in linked.get("/api/calendars").json() if c["id"] == "household"]
    assert "not reachable" in calendar["caldav"]["sync_error"]
    assert calendar["caldav"]["sync_advice"].startswith("Check that the server is on and its address is right")
    assert "tries again in 10 minutes" in calendar["caldav"]["sync_advice"]
    page = linked.get("/fragments/calendars").text
    assert "What to do: Check that the server is on" in page


_RICH_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:rich@phone\r\n"
    "DTSTAMP:20250301T000000Z\r\nDTSTART:20250326T170000Z\r\nDURATION:PT1H\r\nSUMMARY:School play\r\n"
    'LOCATION;ALTREP="https://maps.example/hall":Town hall\r\nCATEGORIES:Family,School\r\n'
    "X-PHONE-COLOR:#ff8800\r\nORGANIZER;CN=Ada:mailto:ada@example.com\r\n"
    "ATTENDEE;CN=Robin;PARTSTAT=ACCEPTED:mailto:robin@example.com\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Leave now\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
_RICH_TODO = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\nUID:rich-todo@phone\r\n"
    "DTSTAMP:20250301T000000Z\r\nSUMMARY:Costume\r\nDTSTART;VALUE=DATE:20250325\r\nDUE;VALUE=DATE:20250327\r\n"
    "PRIORITY:3\r\nPERCENT-COMPLETE:30\r\nCATEGORIES:Errands\r\nX-APPLE-SORT-ORDER:42\r\n"
    "ATTENDEE;CN=Robin:mailto:robin@example.com\r\nRELATED-TO:rich@phone\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Costume!\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n"
    "END:VTODO\r\nEND:VCALENDAR\r\n"
)


def _phone_component(radicale: Radicale, name: str):  # type: ignore[no-untyped-def]
    remote = radicale.calendar()
    [item] = remote.events() if name == "VEVENT" else remote.todos(include_completed=True)
    item.load()
    return item.icalendar_component, item.data


def test_what_atom_does_not_model_survives_a_round_trip(linked: TestClient, radicale: Radicale, clock: Clock) -> None:
    radicale.calendar().save_event(_RICH_EVENT)
    radicale.calendar().save_todo(_RICH_TODO)
    assert _sync(linked)["pulled"] == 2
    [occurrence] = linked.get("/api/events", params=MARCH).json()
    [task] = linked.get("/api/tasks").json()
    assert (task["due_date"], task["priority"]) == ("2025-03-27", "high")
    clock.advance(minutes=5)
    linked.patch(f"/api/events/{occurrence['event_id']}", json={"title": "School play (final)"})
    linked.patch(f"/api/tasks/{task['id']}", json={"title": "Costume and shoes"})
    assert linked.post(f"/api/tasks/{task['id']}/complete").status_code == 200
    assert _sync(linked)["pushed"] == 2

    event, text = _phone_component(radicale, "VEVENT")
    assert str(event["SUMMARY"]) == "School play (final)"
    assert event["LOCATION"].params["ALTREP"] == "https://maps.example/hall"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Family", "School"]
    assert str(event["X-PHONE-COLOR"]) == "#ff8800" and "PARTSTAT=ACCEPTED" in text
    assert "mailto:ada@example.com" in str(event["ORGANIZER"])
    [alarm] = event.walk("VALARM")
    assert (str(alarm["DESCRIPTION"]), alarm["TRIGGER"].to_ical()) == ("Leave now", b"-PT30M")

    todo, text = _phone_component(radicale, "VTODO")
    assert (str(todo["SUMMARY"]), str(todo["STATUS"])) == ("Costume and shoes", "COMPLETED")
    assert "COMPLETED" in todo and todo["PERCENT-COMPLETE"] == 100
    assert todo["PRIORITY"] == 3  # still "high" in Atom's words: the phone's own number stays
    assert str(todo["X-APPLE-SORT-ORDER"]) == "42" and str(todo["RELATED-TO"]) == "rich@phone"
    assert [str(c) for c in todo["CATEGORIES"].cats] == ["Errands"] and "mailto:robin@example.com" in text
    assert "DUE;VALUE=DATE:20250327" in text and "DTSTART;VALUE=DATE:20250325" in text
    [alarm] = todo.walk("VALARM")
    assert str(alarm["DESCRIPTION"]) == "Costume!"


def test_a_due_date_moved_in_atom_moves_the_start_with_it(linked: TestClient, radicale: Radicale, clock: Clock) -> None:
    radicale.calendar().save_todo(_RICH_TODO)
    _sync(linked)
    [task] = linked.get("/api/tasks").json()
    clock.advance(minutes=5)
    linked.patch(f"/api/tasks/{task['id']}", json={"due_date": "2025-03-29", "priority": "low"})
    assert _sync(linked)["pushed"] == 1
    todo, text = _phone_component(radicale, "VTODO")
    assert "DUE;VALUE=DATE:20250329" in text and "DTSTART;VALUE=DATE:20250327" in text  # two days' span kept
    assert todo["PRIORITY"] == 9 and "STATUS" not in todo and todo["PERCENT-COMPLETE"] == 30
    assert str(todo["X-APPLE-SORT-ORDER"]) == "42" and todo.walk("VALARM")
    assert _sync(linked)["pushed"] == 0  # nothing changed since: nothing moves


_PHONE_MOVES = (  # the phone moves another week from Monday to Wednesday, for two days
    "BEGIN:VEVENT\r\nUID:{uid}\r\nRECURRENCE-ID;VALUE=DATE:20250407\r\nDTSTAMP:20250324T070000Z\r\n"
    "LAST-MODIFIED:20250324T070000Z\r\nDTSTART;VALUE=DATE:20250409\r\nDTEND;VALUE=DATE:20250411\r\n"
    "SUMMARY:Bins out (Easter)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_moved_all_day_occurrence_travels_both_ways(linked: TestClient, radicale: Radicale) -> None:
    bins = linked.post(
        "/api/events",
        json={"title": "Bins out", "starts": "2025-03-24T00:00:00", "all_day": True, "rrule": "FREQ=WEEKLY;COUNT=4"},
    ).json()
    moved = linked.put(
        f"/api/events/{bins['id']}/occurrences", json={"recurrence_id": "2025-03-31", "day": "2025-04-01"}
    )
    assert moved.status_code == 200, moved.text
    assert _sync(linked)["pushed"] == 1

    [item] = radicale.calendar().events()
    item.load()
    text = item.data.replace("\r\n", "\n")
    assert "DTSTART;VALUE=DATE:20250324" in text and "RRULE:FREQ=WEEKLY;COUNT=4" in text
    [override] = [c for c in item.icalendar_instance.walk("VEVENT") if "RECURRENCE-ID" in c]
    assert "RECURRENCE-ID;VALUE=DATE:20250331" in text
    assert (override.decoded("DTSTART"), override.decoded("DTEND")) == (date(2025, 4, 1), date(2025, 4, 2))

    item.data = text.replace("\n", "\r\n").replace("END:VCALENDAR\r\n", _PHONE_MOVES.format(uid=bins["uid"]))
    item.save()
    assert _sync(linked)["pulled"] == 1
    found = linked.get("/api/events", params=MARCH).json()
    assert [(o["title"], o["starts"][:10], o["ends"][:10], o["changed"]) for o in found] == [
        ("Bins out", "2025-03-24", "2025-03-25", False),
        ("Bins out", "2025-04-01", "2025-04-02", True),  # Atom's move, kept
        ("Bins out (Easter)", "2025-04-09", "2025-04-11", True),  # the phone's
        ("Bins out", "2025-04-14", "2025-04-15", False),
    ]
    assert sorted(linked.get(f"/api/events/{bins['id']}").json()["overridden"]) == ["2025-03-31", "2025-04-07"]

    again = {"recurrence_id": "2025-04-07", "day": "2025-04-08", "days": 1}  # Atom moves the phone's one on
    assert linked.put(f"/api/events/{bins['id']}/occurrences", json=again).status_code == 200
    assert _sync(linked)["pushed"] == 1
    [item] = radicale.calendar().events()
    item.load()
    easter = next(c for c in item.icalendar_instance.walk("VEVENT") if c.get("SUMMARY") == "Bins out (Easter)")
    assert (easter.decoded("RECURRENCE-ID"), easter.decoded("DTSTART"), easter.decoded("DTEND")) == (
        date(2025, 4, 7),
        date(2025, 4, 8),
        date(2025, 4, 9),
    )
