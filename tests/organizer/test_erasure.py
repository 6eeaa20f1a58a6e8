"""Removing a member erases everything private to them in the organizer; the household's things stay."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.knowledge import check_index
from appliance.runtime import Runtime
from tests.organizer.conftest import keyword


def test_a_removed_member_s_organizer_goes_and_household_tasks_lose_only_the_assignee(
    household: TestClient, robin: TestClient, runtime: Runtime
) -> None:
    robin_id = robin.member_id  # type: ignore[attr-defined]
    calendar = robin.post("/api/calendars", json={"name": "Robin's"}).json()
    robin.post("/api/events", json={"calendar_id": calendar["id"], "title": "Zumba", "starts": "2025-03-25T18:00:00"})
    robin.post("/api/tasks", json={"title": "Robin's secret errand", "shared": False})
    robin.post("/api/reminders", json={"title": "Robin's pill", "at": "2025-03-25T08:00:00"})
    robin.post("/api/calendars/feed")
    shared = household.post("/api/tasks", json={"title": "Mow the lawn", "assignee_id": robin_id}).json()
    assert household.delete(f"/api/members/{robin_id}").status_code == 204

    def count(table: str) -> int:
        return runtime.db.read_sync(lambda c: c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    for table in ("organizer_reminders", "organizer_feeds", "organizer_events"):
        assert count(table) == 0, table
    assert count("organizer_calendars") == 1  # the Household calendar
    assert [t["title"] for t in household.get("/api/tasks").json()] == ["Mow the lawn"]
    assert household.get(f"/api/tasks/{shared['id']}").json()["assignee_id"] is None
    report = household.blocking_portal.call(check_index, runtime.db, runtime.knowledge)
    assert (report.missing, report.stale, report.orphaned) == ([], [], [])  # the index lost them too
    assert keyword(household, "lawn") and keyword(household, "zumba") == []
