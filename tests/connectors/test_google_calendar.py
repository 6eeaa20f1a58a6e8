"""Google Calendar end to end over loopback HTTP: PKCE (S256) with a loopback redirect and the
pasted address, a forged or foreign `state` refused, events by sync token, a forgotten sync
token (410) answered with a full listing, refresh, revoking on disconnect, a repeating event's
moved, cancelled and EXDATE'd occurrences (in either order with their series), and Google's rate
limits (429 RESOURCE_EXHAUSTED, 403 rateLimitExceeded) waited out or retried later, never a refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from tests.connectors.conftest import Sleeps
from tests.fakes.google_calendar_api import CLIENT_ID, CLIENT_SECRET, FakeGoogleCalendar

APP = {"connector": "google_calendar", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def start_google(client: TestClient) -> dict:
    answer = client.post("/api/connections", json=APP)
    assert answer.status_code == 201, answer.text
    return answer.json()


def sign_in_google(client: TestClient, google: FakeGoogleCalendar, email: str = "ada@example.com") -> dict:
    step = start_google(client)
    landed = google.consent(step["pkce"]["authorize_url"], email)
    done = client.post(f"/api/connections/{step['connection']['id']}/sign-in/paste", json={"address": landed})
    assert done.status_code == 200, done.text
    return done.json()["connection"]


def seed_events(google: FakeGoogleCalendar, count: int) -> None:
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    for n in range(count):
        starts = base + timedelta(hours=n)
        google.add(
            f"ev{n}",
            summary=f"Item {n}",
            start={"dateTime": starts.isoformat(), "timeZone": "Europe/Berlin"},
            end={"dateTime": (starts + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        )


def event_titles(client: TestClient) -> list[str]:
    start = datetime.now(UTC).date()
    params = {"start": f"{start}T00:00:00Z", "end": f"{start + timedelta(days=60)}T00:00:00Z"}
    answer = client.get("/api/events", params=params)
    assert answer.status_code == 200, answer.text
    return sorted(o["title"] for o in answer.json())


def test_pkce_sign_in_with_the_pasted_address_then_events_on_the_calendar(
    ada: TestClient, google: FakeGoogleCalendar
) -> None:
    seed_events(google, 2)
    google.add("allday", summary="Grandma visits", start={"date": "2027-03-24"}, end={"date": "2027-03-27"})
    step = start_google(ada)
    assert step["pkce"]["redirect_uri"].startswith("http://127.0.0.1/")
    assert "code_challenge_method=S256" in step["pkce"]["authorize_url"]
    assert step["pkce"]["authorize_url"].startswith(google.url + "/o/oauth2/v2/auth?")
    landed = google.consent(step["pkce"]["authorize_url"])
    connection = ada.post(f"/api/connections/{step['connection']['id']}/sign-in/paste", json={"address": landed})
    assert connection.status_code == 200, connection.text
    assert connection.json()["connection"]["account"] == "ada@example.com"

    synced = ada.post(f"/api/connections/{step['connection']['id']}/sync").json()
    assert synced["state"] == "connected" and synced["items"] == 3
    assert event_titles(ada) == ["Item 0", "Item 1"]
    calendars = {c["name"]: c for c in ada.get("/api/calendars").json()}
    assert calendars["Google Calendar"]["shared"] is False
    (allday,) = ada.get("/api/events", params={"start": "2027-03-20T00:00:00Z", "end": "2027-03-30T00:00:00Z"}).json()
    assert allday["title"] == "Grandma visits" and allday["all_day"] is True
    assert (allday["starts"][:10], allday["ends"][:10]) == (
        "2027-03-24",
        "2027-03-27",
    )  # the 24th to the 26th, inclusive


def test_a_forged_or_foreign_state_is_refused(ada: TestClient, bob: TestClient, google: FakeGoogleCalendar) -> None:
    adas, bobs = start_google(ada), start_google(bob)
    landed_for_bob = google.consent(bobs["pkce"]["authorize_url"], "bob@example.com")
    forged = landed_for_bob.replace("state=", "state=x")
    refused = ada.post(f"/api/connections/{adas['connection']['id']}/sign-in/paste", json={"address": forged})
    assert refused.status_code == 400 and "does not belong" in refused.json()["detail"]
    # Bob's real landing address, pasted by Ada into her own sign-in: its state is Bob's, not hers
    crossed = ada.post(f"/api/connections/{adas['connection']['id']}/sign-in/paste", json={"address": landed_for_bob})
    assert crossed.status_code == 400
    # ... and into Bob's connection, which Ada cannot reach at all
    theirs = ada.post(f"/api/connections/{bobs['connection']['id']}/sign-in/paste", json={"address": landed_for_bob})
    assert theirs.status_code == 404
    assert not [r for r in google.requests if r.path == "/token"]  # nothing was exchanged
    elsewhere = ada.post(
        f"/api/connections/{adas['connection']['id']}/sign-in/paste", json={"address": "https://evil.example/?code=1"}
    )
    assert elsewhere.status_code == 400


def test_changes_arrive_by_sync_token_and_a_forgotten_token_lists_everything_again(
    ada: TestClient, google: FakeGoogleCalendar
) -> None:
    seed_events(google, 3)
    connection = sign_in_google(ada, google)
    ada.post(f"/api/connections/{connection['id']}/sync")
    google.change("ev0", summary="Item 0, moved")
    google.cancel("ev1")
    ada.post(f"/api/connections/{connection['id']}/sync")
    listed = [r.query for r in google.requests if r.path.endswith("/events")]
    assert "syncToken" not in listed[0] and listed[1]["syncToken"].startswith("sync-")
    assert event_titles(ada) == ["Item 0, moved", "Item 2"]

    google.forget_sync_tokens()
    google.state.events.pop("ev2")  # gone without a trace: only a full listing can tell
    again = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert again["state"] == "connected"
    listed = [r.query for r in google.requests if r.path.endswith("/events")]
    assert listed[-2].get("syncToken") and "syncToken" not in listed[-1]
    assert event_titles(ada) == ["Item 0, moved"]


def test_an_expired_access_token_is_refreshed(ada: TestClient, google: FakeGoogleCalendar) -> None:
    seed_events(google, 1)
    connection = sign_in_google(ada, google)
    google.expire_access_tokens()
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    assert [r.body["grant_type"] for r in google.requests if r.path == "/token"] == [
        "authorization_code",
        "refresh_token",
    ]


def test_disconnecting_revokes_the_grant_at_google(ada: TestClient, google: FakeGoogleCalendar) -> None:
    seed_events(google, 1)
    connection = sign_in_google(ada, google)
    ada.post(f"/api/connections/{connection['id']}/sync")
    gone = ada.delete(f"/api/connections/{connection['id']}", params={"keep_data": "false"}).json()
    assert gone["revoked"] is True and gone["removed"] == 1
    assert google.state.refresh == {} and event_titles(ada) == []
    (revoke,) = [r for r in google.requests if r.path == "/revoke"]
    assert revoke.query == {}  # the token went in the body, never the address


def test_a_wrong_client_secret_is_named_as_the_apps_problem(ada: TestClient, google: FakeGoogleCalendar) -> None:
    step = ada.post("/api/connections", json=APP | {"client_secret": "not-the-secret"}).json()
    landed = google.consent(step["pkce"]["authorize_url"])
    refused = ada.post(f"/api/connections/{step['connection']['id']}/sign-in/paste", json={"address": landed})
    assert refused.status_code == 409 and "client id and secret" in refused.json()["detail"]
    assert "not-the-secret" not in refused.text


def test_googles_rate_limits_are_waited_out_not_taken_for_a_refusal(
    ada: TestClient, google: FakeGoogleCalendar, sleeps: Sleeps
) -> None:
    seed_events(google, 1)
    connection = sign_in_google(ada, google)
    google.rate_limit(1, "RESOURCE_EXHAUSTED")  # 429 without Retry-After: backoff, not a minute's wait
    google.rate_limit(1, "rateLimitExceeded")  # 403, but a rate limit: backoff again
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    assert sleeps.waits == [1.0, 2.0] and event_titles(ada) == ["Item 0"]


def test_a_lasting_rate_limit_keeps_the_cursor_and_the_sign_in(
    ada: TestClient, google: FakeGoogleCalendar, sleeps: Sleeps
) -> None:
    seed_events(google, 1)
    connection = sign_in_google(ada, google)
    ada.post(f"/api/connections/{connection['id']}/sync")
    google.change("ev0", summary="Item 0, moved")
    google.rate_limit(3, "userRateLimitExceeded")
    stopped = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert stopped["state"] == "error" and stopped["retry_at"] and "slow down" in stopped["last_error"]
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    listed = [r.query for r in google.requests if r.path.endswith("/events") and r.query]
    assert listed[-1]["syncToken"].startswith("sync-")  # resumed from the kept sync token
    assert event_titles(ada) == ["Item 0, moved"]


BERLIN = ZoneInfo("Europe/Berlin")


def weekly_standup(google: FakeGoogleCalendar, weeks: int = 4) -> list[datetime]:
    """A weekly 09:00 stand-up (Berlin) from next Monday, its last week skipped by EXDATE; its starts."""
    today = datetime.now(BERLIN).date()
    monday = today + timedelta(days=7 - today.weekday())
    starts = [datetime.combine(monday + timedelta(weeks=n), time(9), tzinfo=BERLIN) for n in range(weeks)]
    google.add(
        "standup",
        summary="Stand-up",
        start={"dateTime": starts[0].isoformat(), "timeZone": "Europe/Berlin"},
        end={"dateTime": (starts[0] + timedelta(minutes=15)).isoformat(), "timeZone": "Europe/Berlin"},
        recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={weeks}", f"EXDATE;TZID=Europe/Berlin:{starts[-1]:%Y%m%dT%H%M%S}"],
    )
    return starts


def original(start: datetime) -> dict[str, str]:
    return {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"}


def occurrences(client: TestClient, starts: list[datetime]) -> list[tuple[str, datetime]]:
    params = {"start": (starts[0] - timedelta(days=1)).isoformat(), "end": (starts[-1] + timedelta(days=1)).isoformat()}
    answer = client.get("/api/events", params=params)
    assert answer.status_code == 200, answer.text
    return [(o["title"], datetime.fromisoformat(o["starts"])) for o in answer.json()]


def test_a_moved_and_a_cancelled_occurrence_show_as_google_has_them(
    ada: TestClient, google: FakeGoogleCalendar
) -> None:
    starts = weekly_standup(google)
    connection = sign_in_google(ada, google)
    sync = f"/api/connections/{connection['id']}/sync"
    ada.post(sync)
    assert occurrences(ada, starts) == [("Stand-up", s) for s in starts[:3]]  # the EXDATE'd week is not there

    moved = starts[1] + timedelta(hours=5)
    google.change_occurrence(
        "standup",
        original(starts[1]),
        summary="Stand-up, afternoon",
        start={"dateTime": moved.isoformat(), "timeZone": "Europe/Berlin"},
        end={"dateTime": (moved + timedelta(minutes=15)).isoformat(), "timeZone": "Europe/Berlin"},
    )
    google.cancel_occurrence("standup", original(starts[2]))
    assert ada.post(sync).json()["state"] == "connected"  # both come by sync token, after their series
    expected = [("Stand-up", starts[0]), ("Stand-up, afternoon", moved)]
    assert occurrences(ada, starts) == expected

    google.change("standup", summary="Team stand-up")  # the series alone changes: its exceptions stay
    ada.post(sync)
    assert occurrences(ada, starts) == [("Team stand-up", starts[0]), ("Stand-up, afternoon", moved)]

    google.forget_sync_tokens()  # a full listing brings the cancelled occurrence too, and nothing changes
    assert ada.post(sync).json()["state"] == "connected"
    assert occurrences(ada, starts) == [("Team stand-up", starts[0]), ("Stand-up, afternoon", moved)]


def test_an_occurrence_that_comes_before_its_series_fetches_the_series(
    ada: TestClient, google: FakeGoogleCalendar
) -> None:
    starts = weekly_standup(google, weeks=3)
    google.cancel_occurrence("standup", original(starts[0]))
    google.change("standup", description="Bring the numbers")  # the series now lists after its exception
    connection = sign_in_google(ada, google)
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    assert occurrences(ada, starts) == [("Stand-up", starts[1])]
    assert [r.path for r in google.requests if r.path.endswith("/events/standup")]  # asked for the series


def test_a_series_moved_at_google_moves_in_atom(ada: TestClient, google: FakeGoogleCalendar) -> None:
    starts = weekly_standup(google, weeks=3)
    connection = sign_in_google(ada, google)
    ada.post(f"/api/connections/{connection['id']}/sync")
    later = starts[0] + timedelta(hours=1)
    google.change(
        "standup",
        start={"dateTime": later.isoformat(), "timeZone": "Europe/Berlin"},
        end={"dateTime": (later + timedelta(minutes=15)).isoformat(), "timeZone": "Europe/Berlin"},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"],
    )
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert occurrences(ada, starts) == [("Stand-up", later), ("Stand-up", later + timedelta(weeks=1))]


def weekly_bins(google: FakeGoogleCalendar, weeks: int = 4, *extra: str) -> list[date]:
    """All-day "Bins out" each Monday from next Monday, `weeks` times, with `extra` recurrence lines; its days."""
    mondays = [next_monday() + timedelta(weeks=n) for n in range(weeks)]
    google.add(
        "bins",
        summary="Bins out",
        start={"date": mondays[0].isoformat()},
        end={"date": (mondays[0] + timedelta(days=1)).isoformat()},
        recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={weeks}", *extra],
    )
    return mondays


def next_monday() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday())


def all_day(client: TestClient, first: date) -> list[tuple[str, str, str]]:
    """(title, first day, day after the last) of each all-day occurrence in the five weeks from `first`."""
    params = {"start": f"{first}T00:00:00", "end": f"{first + timedelta(weeks=5)}T00:00:00"}
    answer = client.get("/api/events", params=params)
    assert answer.status_code == 200, answer.text
    return [(o["title"], o["starts"][:10], o["ends"][:10]) for o in answer.json() if o["all_day"]]


def events_of(client: TestClient) -> list[dict]:
    """Each event (series) in the member's Google Calendar calendar, as the API has it."""
    found = client.get("/api/events", params={"start": f"{next_monday()}T00:00:00", "end": f"{next_monday()}T23:59:00"})
    return [client.get(f"/api/events/{o['event_id']}").json() for o in found.json()]


def day(value: date, days: int = 0) -> str:
    return (value + timedelta(days=days)).isoformat()


def test_an_all_day_occurrence_moved_at_google_moves_in_atom(ada: TestClient, google: FakeGoogleCalendar) -> None:
    mondays = weekly_bins(google)
    connection = sign_in_google(ada, google)
    sync = f"/api/connections/{connection['id']}/sync"
    ada.post(sync)
    assert all_day(ada, mondays[0]) == [("Bins out", day(m), day(m, 1)) for m in mondays]

    google.change_occurrence(  # a bank holiday: Tuesday instead
        "bins", {"date": day(mondays[1])}, start={"date": day(mondays[1], 1)}, end={"date": day(mondays[1], 2)}
    )
    google.change_occurrence(  # and over Easter, Wednesday and Thursday
        "bins",
        {"date": day(mondays[2])},
        summary="Bins out (Easter)",
        start={"date": day(mondays[2], 2)},
        end={"date": day(mondays[2], 4)},
    )
    assert ada.post(sync).json()["state"] == "connected"
    expected = [
        ("Bins out", day(mondays[0]), day(mondays[0], 1)),
        ("Bins out", day(mondays[1], 1), day(mondays[1], 2)),
        ("Bins out (Easter)", day(mondays[2], 2), day(mondays[2], 4)),
        ("Bins out", day(mondays[3]), day(mondays[3], 1)),
    ]
    assert all_day(ada, mondays[0]) == expected
    [event] = [e for e in events_of(ada) if e["title"] == "Bins out"]
    assert sorted(event["overridden"]) == [day(mondays[1]), day(mondays[2])]

    google.change_occurrence(  # moved back at Google
        "bins", {"date": day(mondays[1])}, start={"date": day(mondays[1])}, end={"date": day(mondays[1], 1)}
    )
    google.forget_sync_tokens()  # and a full listing brings the exceptions again: nothing moves twice
    assert ada.post(sync).json()["state"] == "connected"
    assert all_day(ada, mondays[0]) == [expected[0], ("Bins out", day(mondays[1]), day(mondays[1], 1)), *expected[2:]]


def test_rdate_lines_add_days_and_times_beside_the_rule(ada: TestClient, google: FakeGoogleCalendar) -> None:
    saturdays = [f"{next_monday() + timedelta(days=5, weeks=n):%Y%m%d}" for n in range(2)]
    mondays = weekly_bins(google, 2, f"RDATE;VALUE=DATE:{','.join(saturdays)}")
    starts = weekly_standup(google, weeks=2)  # its second week is EXDATE'd ...
    extra = starts[0] + timedelta(days=3, hours=2)  # ... and it has a Thursday at 11:00 besides
    rdate = f"RDATE;TZID=Europe/Berlin:{extra:%Y%m%dT%H%M%S}"
    google.change("standup", recurrence=[*google.state.events["standup"].body["recurrence"], rdate])
    connection = sign_in_google(ada, google)
    sync = f"/api/connections/{connection['id']}/sync"
    assert ada.post(sync).json()["state"] == "connected"
    assert all_day(ada, mondays[0]) == [
        ("Bins out", day(mondays[0]), day(mondays[0], 1)),
        ("Bins out", day(mondays[0], 5), day(mondays[0], 6)),
        ("Bins out", day(mondays[1]), day(mondays[1], 1)),
        ("Bins out", day(mondays[1], 5), day(mondays[1], 6)),
    ]
    standups = [o for o in occurrences(ada, [starts[0], starts[1] + timedelta(days=3)]) if o[0] == "Stand-up"]
    assert standups == [
        ("Stand-up", starts[0]),
        ("Stand-up", extra),
    ]

    google.change("bins", recurrence=["RRULE:FREQ=WEEKLY;COUNT=2", f"RDATE;VALUE=DATE:{saturdays[1]}"])
    google.cancel_occurrence("bins", {"date": day(mondays[1])})  # and the second Monday, on its own
    assert ada.post(sync).json()["state"] == "connected"
    assert [d[1] for d in all_day(ada, mondays[0])] == [day(mondays[0]), day(mondays[1], 5)]


def test_rdate_lines_atom_cannot_read_add_nothing(ada: TestClient, google: FakeGoogleCalendar) -> None:
    mondays = weekly_bins(google, 2, "RDATE;VALUE=DATE:not-a-date", "RDATE")
    connection = sign_in_google(ada, google)
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    assert [d[1] for d in all_day(ada, mondays[0])] == [day(mondays[0]), day(mondays[1])]
    assert [e["rdates"] for e in events_of(ada)] == [[]]
