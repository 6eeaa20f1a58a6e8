"""Calendar: a month, week or day of every calendar the member may see, in the household's zone.

The grid is rendered here from the same range expansion the API serves (`GET /api/events`), and
re-rendered live when anyone changes an event. `?view=month|week|day&date=YYYY-MM-DD` picks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.errors import InvalidInput
from appliance.organizer.caldav import accounts
from appliance.organizer.calendar import calendars, feeds
from appliance.organizer.calendar.shapes import Occurrence
from appliance.organizer.calendar.views import list_occurrences
from appliance.organizer.household import get_household, household_zone
from appliance.organizer.timing import today_in
from appliance.server.deps import DatabaseDep, SettingsDep
from appliance.server.pages.tasks import REPEATS
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.settings import Settings
from appliance.storage import Database

__all__ = ["pages", "fragments"]

View = Literal["month", "week", "day"]
SYNC_CHOICES = (5, 15, 30, 60, 180, 720, 1440)  # minutes a member may pick for a linked calendar


@dataclass
class Day:
    day: date
    in_focus: bool
    today: bool
    items: list[Occurrence] = field(default_factory=list)


@get("/calendar", include_in_schema=False)
async def calendar_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    view: FromQuery[View] = "month",
    on: FromQuery[str] = "",
) -> Template:
    me = viewer(request)
    grid = await _grid(db, me, view, on)
    return member_page(
        request,
        "calendar.html",
        "Calendar",
        **grid,
        **await _calendars(db, me, settings),
        household=await get_household(db),
        repeats=REPEATS,
    )


@get("/fragments/calendar", include_in_schema=False)
async def calendar_fragment(
    request: Request, db: DatabaseDep, view: FromQuery[View] = "month", on: FromQuery[str] = ""
) -> Template:
    return fragment(request, "partials/calendar_grid.html", **await _grid(db, viewer(request), view, on))


@get("/fragments/calendars", include_in_schema=False)
async def calendars_fragment(request: Request, db: DatabaseDep, settings: SettingsDep) -> Template:
    return fragment(request, "partials/calendars_list.html", **await _calendars(db, viewer(request), settings))


@get("/fragments/caldav-link", include_in_schema=False)
async def caldav_link_fragment(request: Request, db: DatabaseDep, settings: SettingsDep) -> Template:
    return fragment(request, "partials/caldav_link.html", **await _calendars(db, viewer(request), settings))


async def _grid(db: Database, me: Principal, view: View, on: str) -> dict[str, Any]:
    zone = await household_zone(db)
    today = today_in(zone)
    focus = _day(on) or today
    first, last = _span(view, focus)
    start, end = (datetime.combine(d, time(0), tzinfo=zone) for d in (first, last + timedelta(days=1)))
    days = [
        Day(first + timedelta(days=n), _in_focus(view, focus, first + timedelta(days=n)), False)
        for n in range((last - first).days + 1)
    ]
    for day in days:
        day.today = day.day == today
    for occurrence in await list_occurrences(db, me.user_id, start, end, zone.key):
        for day in days:
            if _falls_on(occurrence, day.day, zone):
                day.items.append(occurrence)
    step = {"month": 31, "week": 7, "day": 1}[view]
    earlier = focus.replace(day=1) - timedelta(days=1) if view == "month" else focus - timedelta(days=step)
    later = (
        (focus.replace(day=28) + timedelta(days=4)).replace(day=1) if view == "month" else focus + timedelta(days=step)
    )
    return {
        "view": view,
        "focus": focus,
        "days": days,
        "zone": zone.key,
        "earlier": earlier,
        "later": later,
        "heading": _heading(view, focus, first, last),
        "region_url": f"/fragments/calendar?view={view}&on={focus.isoformat()}",
    }


async def _calendars(db: Database, me: Principal, settings: Settings) -> dict[str, Any]:
    return {
        "calendars": await calendars.list_calendars(db, me.user_id),
        "feed": await feeds.feed_status(db, me.user_id),
        "caldav_accounts": await accounts.list_accounts(db, me.user_id),
        "sync_default": settings.organizer.caldav_sync_minutes,
        "sync_choices": SYNC_CHOICES,
    }


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("`on` is a date, YYYY-MM-DD") from None


def _span(view: View, focus: date) -> tuple[date, date]:
    if view == "day":
        return focus, focus
    if view == "week":
        monday = focus - timedelta(days=focus.weekday())
        return monday, monday + timedelta(days=6)
    first = focus.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def _in_focus(view: View, focus: date, day: date) -> bool:
    return view != "month" or (day.month == focus.month and day.year == focus.year)


def _falls_on(occurrence: Occurrence, day: date, zone: ZoneInfo) -> bool:
    """All-day: every date it covers; timed: the day it starts, in the household's zone."""
    if occurrence.all_day:
        return occurrence.starts.date() <= day < occurrence.ends.date()
    return occurrence.starts.astimezone(zone).date() == day


def _heading(view: View, focus: date, first: date, last: date) -> str:
    if view == "month":
        return focus.strftime("%B %Y")
    if view == "day":
        return focus.strftime("%A %d %B %Y")
    return f"{first:%d %b} – {last:%d %b %Y}"


pages = [calendar_page]
fragments = [calendar_fragment, calendars_fragment, caldav_link_fragment]
