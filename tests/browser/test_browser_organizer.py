"""Tasks, lists, reminders and the calendar in a real browser: forms, live across members' tabs,
a reminder popping up on whatever page is open, the phone layout, and accessibility.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from atom_browser import ADMIN, MEMBER, PHONE, AtomServer, assert_accessible, screenshot, wait_live
from playwright.sync_api import Page, Route, expect

from tests.organizer.radicale import PASSWORD, USER, start_radicale


def _token(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.input_value()


def _api(page: Page, method: str, path: str, body: object = None) -> dict:
    response = page.request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": _token(page)})
    assert response.ok, response.text()
    return response.json() if response.text() else {}


def _open(page: Page, path: str) -> Page:
    page.goto(path)
    wait_live(page)
    return page


def _utc_household(page: Page) -> None:
    page.goto("/tasks")
    _api(page, "PUT", "/api/organizer/household", {"timezone": "UTC"})


def test_a_task_added_in_one_tab_is_done_in_another(signed_in: Callable[..., Page]) -> None:
    alex = signed_in(ADMIN)
    _utc_household(alex)
    robin = _open(signed_in(MEMBER), "/tasks")
    _open(alex, "/tasks")
    alex.get_by_label("What", exact=True).fill("Water the tomatoes")
    alex.get_by_label("Due date").fill(datetime.now(UTC).date().isoformat())
    alex.get_by_label("Due time").fill("23:59")
    alex.get_by_label("Priority").select_option("high")
    alex.get_by_label("Who").select_option(label=MEMBER["display_name"])
    alex.get_by_role("button", name="Add task").click()
    expect(alex.get_by_text("Task added.")).to_be_visible()
    today = robin.get_by_role("list", name="Today")
    expect(today.get_by_text("Water the tomatoes")).to_be_visible()  # live: robin never reloaded
    expect(today.locator(".task-why")).to_contain_text("due today")
    assert_accessible(robin, "tasks")
    screenshot(robin, "tasks", docs=True)
    robin.get_by_role("button", name="Done: Water the tomatoes").click()
    expect(alex.get_by_text("Water the tomatoes")).to_have_count(0)


def test_a_task_sent_before_the_page_module_has_loaded_keeps_its_due_time(signed_in: Callable[..., Page]) -> None:
    """On a slow box a member can send the form while tasks.js is still loading."""
    alex = signed_in(ADMIN, service_workers="block")  # so the page's own module is fetched where it can be held
    _utc_household(alex)
    held: list[Route] = []
    alex.route("**/static/js/pages/tasks.js*", lambda route: held.append(route))
    alex.goto("/tasks")
    alex.get_by_label("What", exact=True).fill("Feed the cat")
    alex.get_by_label("Due date").fill(datetime.now(UTC).date().isoformat())
    alex.get_by_label("Due time").fill("18:30")
    alex.get_by_role("button", name="Add task").click()
    assert len(held) == 1, "tasks.js was not held back"
    held[0].continue_()
    expect(alex.get_by_text("Task added.")).to_be_visible()
    saved = [task for task in _api(alex, "GET", "/api/tasks") if task["title"] == "Feed the cat"]
    assert [task["due_time"] for task in saved] == ["18:30:00"]


def test_the_shopping_list_is_shared_live_and_ticked(signed_in: Callable[..., Page]) -> None:
    alex = _open(signed_in(ADMIN), "/tasks")
    robin = _open(signed_in(MEMBER), "/tasks")
    alex.get_by_placeholder("Add to Shopping…").fill("Oat milk")
    alex.get_by_placeholder("Add to Shopping…").press("Enter")
    shopping = robin.get_by_role("list", name="Shopping")
    expect(shopping.get_by_text("Oat milk")).to_be_visible()
    robin.get_by_role("button", name="Tick off: Oat milk").click()
    expect(alex.get_by_role("button", name="Put back: Oat milk")).to_be_visible()
    alex.get_by_role("button", name="Clear ticked (1)").click()
    expect(robin.get_by_text("Oat milk")).to_have_count(0)


def test_what_a_member_is_typing_survives_another_members_change(signed_in: Callable[..., Page]) -> None:
    alex = _open(signed_in(ADMIN), "/tasks")
    robin = _open(signed_in(MEMBER), "/tasks")
    box = alex.get_by_placeholder("Add to Shopping…")
    box.fill("Rye bre")
    robin.get_by_placeholder("Add to Shopping…").fill("Eggs")
    robin.get_by_placeholder("Add to Shopping…").press("Enter")
    expect(alex.get_by_role("list", name="Shopping").get_by_text("Eggs")).to_be_visible()  # alex's list was redrawn
    expect(box).to_have_value("Rye bre")
    expect(box).to_be_focused()
    box.press("End")
    box.press_sequentially("ad")
    box.press("Enter")
    expect(alex.get_by_role("list", name="Shopping").get_by_text("Rye bread")).to_be_visible()
    expect(box).to_have_value("")  # sent, so emptied


def test_the_next_task_typed_while_one_is_saved_is_kept(signed_in: Callable[..., Page]) -> None:
    alex = _open(signed_in(ADMIN), "/tasks")
    held: list[Route] = []
    alex.route("**/api/tasks", lambda route: held.append(route) if route.request.method == "POST" else route.fallback())
    what = alex.get_by_label("What", exact=True)
    what.fill("Descale the kettle")
    alex.get_by_label("Priority").select_option("high")
    alex.get_by_role("button", name="Add task").click()
    what.fill("Oil the gate")  # typed while the first one is on its way
    assert len(held) == 1, "the first task was not held back"
    held[0].continue_()
    expect(alex.get_by_text("Task added.")).to_be_visible()
    expect(what).to_have_value("Oil the gate")
    expect(alex.get_by_label("Priority")).to_have_value("normal")  # what was sent is reset


def test_an_event_opened_on_the_calendar_stays_open_when_it_is_redrawn(signed_in: Callable[..., Page]) -> None:
    alex = signed_in(ADMIN)
    _utc_household(alex)
    day = datetime.now(UTC).date() + timedelta(days=120 - datetime.now(UTC).date().weekday())  # a Monday of its own
    _api(alex, "POST", "/api/events", {"title": "Dentist", "starts": f"{day}T09:00:00"})
    _open(alex, f"/calendar?view=week&on={day}")
    cell = alex.locator(f"[data-day='{day}']")
    cell.get_by_text("Dentist").click()
    delete = cell.get_by_role("button", name="Delete event: Dentist")
    expect(delete).to_be_visible()
    _api(alex, "POST", "/api/events", {"title": "Yoga", "starts": f"{day}T18:00:00"})  # live: the week is redrawn
    expect(cell.get_by_text("Yoga")).to_be_visible()
    expect(delete).to_be_visible()


def test_a_reminder_pops_up_on_the_page_the_member_has_open(signed_in: Callable[..., Page], atom: AtomServer) -> None:
    robin = _open(signed_in(MEMBER), "/calendar")
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    _api(robin, "POST", "/api/reminders", {"title": "Take the bread out", "at": soon})
    robin.wait_for_timeout(1200)
    service = {"Authorization": "Bearer " + (atom.data_dir / "service.token").read_text().strip()}
    fired = httpx.post(f"{atom.url}/api/control/organizer/reminders/fire", headers=service).json()  # as the worker
    assert fired["fired"] == 1
    toast = robin.get_by_role("alert").filter(has_text="Take the bread out")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_the_calendar_shows_events_live_in_month_week_and_day(signed_in: Callable[..., Page]) -> None:
    alex = signed_in(ADMIN)
    _utc_household(alex)
    robin = _open(signed_in(MEMBER), "/calendar")
    _open(alex, "/calendar")
    today = datetime.now(UTC).date()
    alex.get_by_label("What", exact=True).fill("Choir practice")
    alex.get_by_label("On", exact=True).fill(today.isoformat())
    alex.get_by_label("From", exact=True).fill("19:00")
    alex.get_by_label("To", exact=True).fill("20:30")
    alex.get_by_label("Repeats", exact=True).select_option(label="Every week")
    alex.get_by_role("button", name="Add event").click()
    expect(alex.get_by_text("Event added.")).to_be_visible()
    cell = robin.locator(f"[data-day='{today.isoformat()}']")
    expect(cell.get_by_text("Choir practice")).to_be_visible()  # live in the other member's month
    assert_accessible(robin, "calendar")
    screenshot(robin, "calendar", docs=True)
    robin.goto(f"/calendar?view=week&on={today.isoformat()}")
    expect(robin.locator(f"[data-day='{today.isoformat()}']").get_by_text("19:00", exact=True)).to_be_visible()
    next_week = today + timedelta(days=7)
    robin.goto(f"/calendar?view=day&on={next_week.isoformat()}")
    wait_live(robin)
    robin.get_by_text("Choir practice").click()
    robin.get_by_role("button", name="Skip this one: Choir practice").click()
    expect(robin.get_by_text("Choir practice")).to_have_count(0)
    alex.goto(f"/calendar?view=day&on={next_week.isoformat()}")
    expect(alex.get_by_text("Choir practice")).to_have_count(0)


def test_one_occurrence_is_moved_from_the_page_all_day_to_another_day_or_timed_to_another_time(
    signed_in: Callable[..., Page],
) -> None:
    alex = signed_in(ADMIN)
    _utc_household(alex)
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=56 - today.weekday())  # weeks ahead: no other test's events that week
    weekly = {"rrule": "FREQ=WEEKLY;COUNT=3"}
    _api(alex, "POST", "/api/events", {"title": "Bins out", "starts": f"{monday}T00:00:00", "all_day": True, **weekly})
    _api(alex, "POST", "/api/events", {"title": "Piano lesson", "starts": f"{monday}T16:00:00", **weekly})
    week = f"/calendar?view=week&on={monday + timedelta(weeks=1)}"
    robin = _open(signed_in(MEMBER), week)
    _open(alex, week)
    bank_holiday, tuesday = monday + timedelta(weeks=1), monday + timedelta(weeks=1, days=1)
    cell = robin.locator(f"[data-day='{bank_holiday}']")
    bins = cell.locator(".calendar-item", has_text="Bins out")
    bins.get_by_text("Bins out").click()
    assert_accessible(robin, "calendar-move")
    bins.get_by_label("Move this one to").fill(tuesday.isoformat())
    bins.get_by_role("button", name="Move this one: Bins out").click()
    expect(cell.get_by_text("Bins out")).to_have_count(0)
    expect(robin.locator(f"[data-day='{tuesday}'] .calendar-item.is-changed", has_text="Bins out")).to_be_visible()
    expect(alex.locator(f"[data-day='{tuesday}']").get_by_text("Bins out")).to_be_visible()  # live for alex
    expect(alex.locator(f"[data-day='{bank_holiday}']").get_by_text("Bins out")).to_have_count(0)

    piano = cell.locator(".calendar-item", has_text="Piano lesson")
    piano.get_by_text("Piano lesson").click()
    piano.get_by_label("At (UTC)").fill("17:30")
    piano.get_by_role("button", name="Move this one: Piano lesson").click()
    expect(cell.get_by_text("17:30", exact=True)).to_be_visible()
    expect(cell.get_by_text("16:00", exact=True)).to_have_count(0)
    others = robin.locator(f"[data-day='{monday + timedelta(weeks=2)}']")
    robin.goto(f"/calendar?view=week&on={monday + timedelta(weeks=2)}")
    expect(others.get_by_text("Bins out")).to_be_visible()  # the other weeks stay where they were
    expect(others.get_by_text("16:00", exact=True)).to_be_visible()


def test_a_subscription_address_is_made_and_serves_ics(signed_in: Callable[..., Page], atom: AtomServer) -> None:
    robin = _open(signed_in(MEMBER), "/calendar")
    robin.get_by_role("button", name="Make a new address").click()
    address = robin.get_by_label("Your address (shown once)")
    prefix = f"{atom.url}/calendar/feed.ics?key="
    expect(address).to_have_value(
        re.compile("^" + re.escape(prefix) + r"[\w-]{20,}$")
    )  # filled in when the answer comes
    served = httpx.get(address.input_value())
    assert served.status_code == 200 and served.text.startswith("BEGIN:VCALENDAR")
    expect(robin.get_by_text("Your subscription address is active")).to_be_visible()


def test_the_organizer_pages_fit_a_phone(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN, viewport=PHONE)
    for path in ("/tasks", "/calendar", "/calendar?view=week"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{path} scrolls sideways"
    screenshot(page, "calendar-phone")
    assert_accessible(page, "calendar-phone")


def test_a_caldav_server_is_linked_and_synced_from_the_page(signed_in: Callable[..., Page], tmp_path: Path) -> None:
    radicale = start_radicale(tmp_path / "radicale")
    try:
        today = datetime.now(UTC).date()
        radicale.calendar("family").save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:phone-1\r\n"
            f"DTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:{today:%Y%m%d}\r\nSUMMARY:Phone picnic\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        alex = _open(signed_in(ADMIN), "/calendar")
        alex.get_by_label("Name", exact=True).fill("Radicale")
        alex.get_by_label("Server address").fill(radicale.url)
        alex.get_by_label("User name").fill(USER)
        alex.get_by_label("Password").fill(PASSWORD)
        alex.get_by_label("The household's account (it may be on the home network)").check()
        alex.get_by_role("button", name="Add account").click()
        expect(alex.get_by_text("Account added.")).to_be_visible()
        alex.get_by_label("Account", exact=True).select_option(label="Radicale")
        expect(alex.get_by_label("Remote calendar")).to_contain_text("Family")
        alex.get_by_role("button", name="Sync this calendar").click()
        alex.get_by_role("button", name="Sync Household now").click()
        expect(alex.locator(f"[data-day='{today.isoformat()}']").get_by_text("Phone picnic")).to_be_visible()
        assert PASSWORD not in alex.content()
    finally:
        radicale.stop()


def test_a_nas_certificate_is_shown_and_trusted_and_the_interval_chosen(
    signed_in: Callable[..., Page], tmp_path: Path
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from appliance.organizer.caldav.trust import fingerprint
    from appliance.system.tls import create_household_tls

    tls = create_household_tls(tmp_path / "nas-tls", ["localhost"], ["127.0.0.1"])
    expected = fingerprint(x509.load_pem_x509_certificate(tls.server_cert.read_bytes()).public_bytes(Encoding.DER))
    radicale = start_radicale(tmp_path / "radicale", tls=tls)
    try:
        radicale.calendar("family")
        alex = _open(signed_in(ADMIN), "/calendar")
        alex.get_by_label("Name", exact=True).fill("NAS")
        alex.get_by_label("Server address").fill(radicale.url)
        alex.get_by_label("User name").fill(USER)
        alex.get_by_label("Password").fill(PASSWORD)
        alex.get_by_label("The household's account (it may be on the home network)").check()
        alex.get_by_role("button", name="Add account").click()
        panel = alex.get_by_role("region", name="The server's certificate")
        expect(panel.locator("[data-cert-fingerprint]")).to_have_text(expected)
        nas = [a for a in _api(alex, "GET", "/api/caldav/accounts") if a["label"] == "NAS"]
        assert nas == []  # nothing added (nor the password sent) before the member says so
        screenshot(alex, "calendar-certificate")
        assert_accessible(alex, "calendar-certificate")
        panel.get_by_role("button", name=re.compile("trust this certificate")).click()
        expect(alex.get_by_text("Account added.")).to_be_visible()
        [account] = [a for a in _api(alex, "GET", "/api/caldav/accounts") if a["label"] == "NAS"]
        assert account["cert_sha256"] == expected
        alex.get_by_label("Account", exact=True).select_option(label="NAS")
        expect(alex.get_by_label("Remote calendar")).to_contain_text("Family")
        alex.get_by_role("button", name="Sync this calendar").click()
        # the form's "Linked" line may be gone already: the calendar's region reloads as the link lands
        _wait_for_interval(alex, account["id"], None)  # a new link: the household's default interval
        alex.get_by_label("Sync every").select_option(label="hour")
        expect(alex.get_by_role("button", name="Sync Household now")).to_be_visible()
        _wait_for_interval(alex, account["id"], 60)
    finally:
        radicale.stop()


def _wait_for_interval(page: Page, account_id: str, minutes: int | None) -> None:
    """Until the household calendar is linked to that account with this interval (None: the default)."""
    for _ in range(100):
        [household] = [c for c in _api(page, "GET", "/api/calendars") if c["id"] == "household"]
        link = household["caldav"]
        if link and link["account_id"] == account_id and link["sync_minutes"] == minutes:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the interval never became {minutes} minutes")
