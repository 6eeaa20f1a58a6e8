"""CalDAV over HTTP: accounts, which calendar syncs with which remote one, and "sync now". Thin.

A member's own account reaches servers on the internet only; the household's (added by an
admin) may be on the home network. Passwords go into the vault and never come back out.
"""

from __future__ import annotations

from litestar import delete, get, patch, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.ai.outbound import OutboundRules
from appliance.errors import AtomError
from appliance.events import EVERYONE, Event, EventBus
from appliance.organizer.caldav import accounts
from appliance.organizer.caldav.locate import nameserver_from
from appliance.organizer.caldav.shapes import (
    CalDAVAccount,
    CalDAVAccountCreate,
    CalendarLinkCreate,
    CalendarLinkUpdate,
    CertificateLook,
    RemoteCalendar,
    ServerCertificate,
    SyncReport,
)
from appliance.organizer.caldav.sync import sync_calendar
from appliance.organizer.calendar.calendars import get_calendar
from appliance.organizer.calendar.shapes import Calendar
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep, RuntimeDep, VaultDep

__all__ = ["routes"]

_TAGS = ["calendar"]


@get("/api/caldav/accounts", tags=_TAGS, guards=[members_only])
async def list_accounts(db: DatabaseDep, principal: PrincipalDep) -> list[CalDAVAccount]:
    """Your CalDAV accounts and the household's (never their passwords)."""
    return await accounts.list_accounts(db, principal.user_id)


@post("/api/caldav/accounts", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def add_account(
    runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[CalDAVAccountCreate]
) -> CalDAVAccount:
    """`url`: the server's address, or just a domain or an email address (found in DNS, RFC 6764)."""
    rules = OutboundRules.for_box(runtime.settings)
    dns = nameserver_from(runtime.settings.organizer.caldav_nameserver)
    return await accounts.add_account(runtime.db, runtime.vault, rules, principal, data, dns)


@post("/api/caldav/certificate", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def look_at_certificate(
    runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[CertificateLook]
) -> ServerCertificate:
    """The certificate an https CalDAV server shows (first contact, no password sent): compare its
    fingerprint with the server's own, then add the account with `cert_sha256` to trust it."""
    rules = OutboundRules.for_box(runtime.settings)
    dns = nameserver_from(runtime.settings.organizer.caldav_nameserver)
    return await accounts.look_at_certificate(rules, principal, data, dns)


@delete("/api/caldav/accounts/{account_id:str}", tags=_TAGS, guards=[members_only])
async def remove_account(
    db: DatabaseDep, vault: VaultDep, bus: BusDep, principal: PrincipalDep, account_id: FromPath[str]
) -> None:
    """Calendars synced with it stop syncing and keep what they hold; its password is erased."""
    account = await accounts.remove_account(db, vault, principal, account_id)
    _changed(bus, account.id, account.shared, principal.user_id)


@get("/api/caldav/accounts/{account_id:str}/calendars", tags=_TAGS, guards=[members_only])
async def remote_calendars(
    runtime: RuntimeDep, principal: PrincipalDep, account_id: FromPath[str]
) -> list[RemoteCalendar]:
    """The calendars on the account's server, to choose one to sync with."""
    rules = OutboundRules.for_box(runtime.settings)
    return await accounts.remote_calendars(runtime.db, runtime.vault, rules, principal.user_id, account_id)


@put("/api/calendars/{calendar_id:str}/caldav", tags=_TAGS, guards=[members_only])
async def link_calendar(
    db: DatabaseDep,
    bus: BusDep,
    principal: PrincipalDep,
    calendar_id: FromPath[str],
    data: JSONBody[CalendarLinkCreate],
) -> Calendar:
    """Sync this calendar with a remote one; the first sync merges both sides."""
    calendar = await accounts.link_calendar(db, principal, calendar_id, data)
    _changed(bus, calendar.id, calendar.shared, principal.user_id)
    return calendar


@patch("/api/calendars/{calendar_id:str}/caldav", tags=_TAGS, guards=[members_only])
async def change_link(
    db: DatabaseDep,
    bus: BusDep,
    principal: PrincipalDep,
    calendar_id: FromPath[str],
    data: JSONBody[CalendarLinkUpdate],
) -> Calendar:
    """How often this calendar syncs (`sync_minutes`, 1 to 1440; null: the household's setting)."""
    calendar = await accounts.set_sync_interval(db, principal, calendar_id, data.sync_minutes)
    _changed(bus, calendar.id, calendar.shared, principal.user_id)
    return calendar


@delete("/api/calendars/{calendar_id:str}/caldav", tags=_TAGS, guards=[members_only])
async def unlink_calendar(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, calendar_id: FromPath[str]) -> None:
    calendar = await accounts.unlink_calendar(db, principal, calendar_id)
    _changed(bus, calendar.id, calendar.shared, principal.user_id)


@post("/api/calendars/{calendar_id:str}/sync", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def sync_now(runtime: RuntimeDep, principal: PrincipalDep, calendar_id: FromPath[str]) -> SyncReport:
    """Sync now: what changed on either side since the last sync, and how conflicts were settled."""
    calendar = await get_calendar(runtime.db, principal.user_id, calendar_id)
    rules = OutboundRules.for_box(runtime.settings)
    minutes = runtime.settings.organizer.caldav_sync_minutes
    try:
        report = await sync_calendar(runtime.db, runtime.knowledge, runtime.vault, rules, calendar.id, minutes)
    except AtomError:
        announce_sync(runtime.bus, calendar)  # open pages show the error and what to do about it
        raise
    announce_sync(runtime.bus, calendar)
    return report


def announce_sync(bus: EventBus, calendar: Calendar) -> None:
    """Events and tasks may have changed: both pages refetch."""
    audience = [EVERYONE] if calendar.shared else [calendar.owner_id or ""]
    bus.publish(Event(topic="calendar", action="updated", id=calendar.id), audience)
    bus.publish(Event(topic="tasks", action="updated", id=calendar.id), audience)


def _changed(bus: EventBus, item_id: str, shared: bool, member: str = "") -> None:
    bus.publish(Event(topic="calendar", action="updated", id=item_id), [EVERYONE] if shared else [member])


routes = [
    list_accounts,
    add_account,
    look_at_certificate,
    remove_account,
    remote_calendars,
    link_calendar,
    change_link,
    unlink_calendar,
    sync_now,
]
