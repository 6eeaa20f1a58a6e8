"""Tasks over the API, on a pinned clock: ranking with reasons, repeats across DST, today, privacy."""

from __future__ import annotations

from datetime import date, datetime, time

from litestar.testing import TestClient

from appliance.organizer.tasks.priority import Ranking, score
from appliance.organizer.tasks.shapes import Task
from tests.organizer.conftest import Clock, keyword, me


def _task(client: TestClient, **body: object) -> dict:
    response = client.post("/api/tasks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_task_keeps_notes_due_time_priority_assignee_and_rule(household: TestClient, robin: TestClient) -> None:
    robin_id = me(robin)
    task = _task(
        household,
        title="Service the boiler",
        notes="Call the plumber first",
        due_date="2025-03-28",
        due_time="14:30:00",
        priority="high",
        assignee_id=robin_id,
        rrule="RRULE:freq=yearly",
    )
    assert (task["due_date"], task["due_time"], task["tz"]) == ("2025-03-28", "14:30:00", "Europe/Berlin")
    assert task["due_at"] == "2025-03-28T13:30:00Z"  # CET, before the change
    assert (task["priority"], task["assignee_id"], task["rrule"]) == ("high", robin_id, "FREQ=YEARLY")
    assert robin.get(f"/api/tasks/{task['id']}").json()["notes"] == "Call the plumber first"
    changed = robin.patch(f"/api/tasks/{task['id']}", json={"due_time": None, "assignee_id": None, "title": "Boiler"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["due_time"], changed.json()["assignee_id"], changed.json()["title"]) == (
        None,
        None,
        "Boiler",
    )
    assert changed.json()["rrule"] == "FREQ=YEARLY" and changed.json()["notes"] == "Call the plumber first"


def test_the_list_is_ranked_and_each_task_says_why(household: TestClient, clock: Clock) -> None:
    _task(household, title="Someday: sort photos", priority="low")
    _task(household, title="Tax return", due_date="2025-03-20", priority="high")  # overdue
    _task(household, title="Water plants", due_date="2025-03-24")  # today
    _task(household, title="Book dentist", due_date="2025-03-29")
    ranked = household.get("/api/tasks").json()
    assert [t["title"] for t in ranked] == ["Tax return", "Water plants", "Book dentist", "Someday: sort photos"]
    why = {t["title"]: t["why"] for t in ranked}
    assert why["Tax return"] == "overdue by 4 days · high priority"
    assert why["Water plants"] == "due today · nobody has taken it"
    assert why["Book dentist"].startswith("due in 5 days")
    assert ranked[0]["score"] > ranked[1]["score"] > ranked[2]["score"] > ranked[3]["score"]


def test_a_repeating_task_rolls_to_its_next_date_across_the_berlin_clock_change(household: TestClient) -> None:
    """Weekly at 09:00 Berlin: 08:00 UTC before 30 March 2025, 07:00 UTC after it; still 09:00 on the wall."""
    task = _task(household, title="Bins out", due_date="2025-03-24", due_time="09:00:00", rrule="FREQ=WEEKLY")
    assert task["due_at"] == "2025-03-24T08:00:00Z"
    rolled = household.post(f"/api/tasks/{task['id']}/complete").json()
    assert (rolled["due_date"], rolled["due_time"], rolled["completed_at"]) == ("2025-03-31", "09:00:00", None)
    assert rolled["due_at"] == "2025-03-31T07:00:00Z"


def test_a_repeating_task_across_the_new_york_clock_change(household: TestClient, clock: Clock) -> None:
    clock.set(datetime(2025, 3, 8, 12, 0))
    task = _task(
        household,
        title="Feed fish",
        due_date="2025-03-08",
        due_time="20:00:00",
        tz="America/New_York",
        rrule="FREQ=DAILY",
    )
    assert task["due_at"] == "2025-03-09T01:00:00Z"  # EST, UTC-5
    rolled = household.post(f"/api/tasks/{task['id']}/complete").json()
    assert (rolled["due_date"], rolled["due_time"], rolled["due_at"]) == (
        "2025-03-09",
        "20:00:00",
        "2025-03-10T00:00:00Z",
    )


def test_a_late_completion_rolls_past_today_and_a_count_runs_out(household: TestClient, clock: Clock) -> None:
    task = _task(household, title="Pills", due_date="2025-03-20", due_time="08:00:00", rrule="FREQ=DAILY;COUNT=6")
    rolled = household.post(f"/api/tasks/{task['id']}/complete").json()
    assert rolled["due_date"] == "2025-03-24"  # 06:00 UTC is 07:00 in Berlin: today's 08:00 is still ahead
    assert rolled["rrule"] == "FREQ=DAILY;COUNT=2"  # 20th to 23rd passed, 24th and 25th left
    clock.set(datetime(2025, 3, 24, 9, 0))
    assert household.post(f"/api/tasks/{task['id']}/complete").json()["due_date"] == "2025-03-25"
    done = household.post(f"/api/tasks/{task['id']}/complete").json()
    assert done["completed_at"] is not None and done["due_date"] == "2025-03-25"
    assert household.get("/api/tasks").json() == []
    assert [t["id"] for t in household.get("/api/tasks", params={"status": "done"}).json()] == [task["id"]]
    reopened = household.post(f"/api/tasks/{task['id']}/reopen").json()
    assert reopened["completed_at"] is None


def test_today_is_per_member(household: TestClient, robin: TestClient) -> None:
    robin_id, admin_id = me(robin), me(household)
    _task(household, title="Robin: walk dog", due_date="2025-03-24", assignee_id=robin_id)
    _task(household, title="Admin: pay rent", due_date="2025-03-23", assignee_id=admin_id)
    _task(household, title="Anyone: fix shelf", due_date="2025-03-24")
    _task(household, title="Next week", due_date="2025-03-31", assignee_id=robin_id)
    _task(robin, title="Robin's own secret", due_date="2025-03-24", shared=False)
    _task(household, title="Urgent someday", priority="high", assignee_id=robin_id)
    assert {t["title"] for t in robin.get("/api/tasks/today").json()} == {
        "Robin: walk dog",
        "Anyone: fix shelf",
        "Robin's own secret",
        "Urgent someday",
    }
    assert {t["title"] for t in household.get("/api/tasks/today").json()} == {"Admin: pay rent", "Anyone: fix shelf"}
    seen_by_admin = household.get("/api/tasks/today", params={"member": robin_id}).json()
    assert "Robin's own secret" not in {t["title"] for t in seen_by_admin}


def test_private_tasks_stay_private_and_are_assigned_to_their_owner_only(
    household: TestClient, robin: TestClient
) -> None:
    secret = _task(robin, title="Plan surprise party", shared=False)
    assert secret["calendar_id"] is None and secret["shared"] is False
    for response in (
        household.get(f"/api/tasks/{secret['id']}"),
        household.patch(f"/api/tasks/{secret['id']}", json={"title": "x"}),
        household.post(f"/api/tasks/{secret['id']}/complete"),
        household.delete(f"/api/tasks/{secret['id']}"),
    ):
        assert response.status_code == 404
    assert secret["id"] not in {t["id"] for t in household.get("/api/tasks", params={"status": "all"}).json()}
    assert keyword(household, "surprise party") == []
    assert [h["id"] for h in keyword(robin, "surprise party")] == [secret["id"]]
    refused = robin.patch(f"/api/tasks/{secret['id']}", json={"assignee_id": me(household)})
    assert refused.status_code == 400 and "private" in refused.json()["detail"]
    household_task = _task(household, title="Shared")
    refused = household.patch(f"/api/tasks/{household_task['id']}", json={"calendar_id": "nope"})
    assert refused.status_code == 404


def test_tasks_are_indexed_as_they_change(household: TestClient) -> None:
    task = _task(household, title="Renew passport", notes="forms at the town hall")
    assert [h["id"] for h in keyword(household, "town hall")] == [task["id"]]
    household.patch(f"/api/tasks/{task['id']}", json={"notes": "forms online"})
    assert keyword(household, "town hall") == []
    assert household.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert keyword(household, "passport") == []
    assert household.get(f"/api/tasks/{task['id']}").status_code == 404


def test_bad_tasks_are_refused_with_the_reason(household: TestClient) -> None:
    cases = [
        ({"title": "x", "rrule": "FREQ=DAILY"}, "needs a due date"),
        ({"title": "x", "due_date": "2025-03-24", "rrule": "FREQ=NEVER"}, "RRULE"),
        ({"title": "x", "due_date": "2025-03-24", "rrule": "FREQ=MINUTELY"}, "hourly"),
        ({"title": "x", "due_date": "2025-03-24", "rrule": "FREQ=DAILY;UNTIL=20250401"}, "UTC"),
        ({"title": "x", "due_time": "10:00:00"}, "due date"),
        ({"title": "x", "tz": "Mars/Olympus_Mons"}, "time zone"),
        ({"title": "x", "tz": "../../etc/passwd"}, "time zone"),
        ({"title": "x", "assignee_id": "nobody"}, "assignee"),
        ({"title": "x", "priority": "urgent"}, ""),
        ({"title": ""}, ""),
        ({"title": "x", "source": "caldav"}, ""),
        ({"title": "x", "due_date": "2025-02-30"}, ""),
    ]
    for body, words in cases:
        response = household.post("/api/tasks", json=body)
        assert response.status_code == 400, (body, response.text)
        assert words in response.json()["detail"], (body, response.json())
    assert household.get("/api/tasks", params={"status": "maybe"}).status_code == 400
    assert household.put("/api/organizer/household", json={"timezone": "Nowhere/Land"}).status_code == 400


def test_only_an_admin_sets_the_household_zone(household: TestClient, robin: TestClient) -> None:
    assert robin.get("/api/organizer/household").json() == {"timezone": "Europe/Berlin"}
    assert robin.put("/api/organizer/household", json={"timezone": "UTC"}).status_code == 403
    assert household.put("/api/organizer/household", json={"timezone": "America/New_York"}).status_code == 200
    assert _task(robin, title="x", due_date="2025-03-24")["tz"] == "America/New_York"


def _bare(**fields: object) -> Task:
    base: dict[str, object] = dict(
        id="t", title="t", notes="", shared=True, owner_id=None, calendar_id=None, due_date=None, due_time=None,
        tz="UTC", due_at=None, priority="normal", assignee_id=None, rrule=None, source="member", completed_at=None,
        created_by="a", created_at=datetime(2025, 3, 1), updated_at=datetime(2025, 3, 1),
    )  # fmt: skip
    return Task(**{**base, **fields})  # type: ignore[arg-type]


def test_the_score_weighs_load_age_and_source() -> None:
    ranking = Ranking(today=date(2025, 3, 24), now=datetime.fromisoformat("2025-03-24T12:00:00+00:00"), load={"bo": 9})
    busy, _ = score(_bare(assignee_id="bo"), ranking)
    free, _ = score(_bare(assignee_id="al"), ranking)
    assert (
        busy > free and score(_bare(assignee_id="bo"), ranking)[1] == "waiting 23 days · its assignee has 9 open tasks"
    )
    old, _ = score(_bare(created_at=datetime(2025, 1, 1)), ranking)
    new, _ = score(_bare(created_at=datetime(2025, 3, 24)), ranking)
    assert old > new
    mine, _ = score(_bare(), ranking)
    suggested, _ = score(_bare(source="assistant"), ranking)
    assert mine > suggested
    fresh = {"created_at": datetime(2025, 3, 24), "assignee_id": "al"}
    assert score(_bare(source="assistant", **fresh), ranking)[1] == "suggested by Atom"
    assert score(_bare(**fresh), ranking)[1] == "no due date"
    late, why = score(
        _bare(due_date=date(2025, 3, 24), due_time=time(9), due_at=datetime.fromisoformat("2025-03-24T09:00:00+00:00")),
        ranking,
    )
    assert why.startswith("overdue since 09:00") and late > score(_bare(due_date=date(2025, 3, 24)), ranking)[0]
