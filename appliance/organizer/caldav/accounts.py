"""CalDAV accounts and which calendar syncs with which remote calendar.

A member adds accounts of their own (reaching servers on the internet only); an admin adds the
household's (which may be on the home network). A personal calendar syncs with its owner's
account, the household's calendars with a household account. Passwords live in the vault.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.ai.outbound import OutboundRules, Targets, check_url
from appliance.errors import InvalidInput, NotFound, PermissionDenied
from appliance.organizer.caldav import sites, store
from appliance.organizer.caldav.client import CalDAVClient, open_client
from appliance.organizer.caldav.locate import Nameserver, account_url
from appliance.organizer.caldav.shapes import (
    CalDAVAccount,
    CalDAVAccountCreate,
    CalendarLinkCreate,
    CertificateLook,
    RemoteCalendar,
    ServerCertificate,
)
from appliance.organizer.caldav.trust import (
    Certificate,
    CertificateChanged,
    CertificateUntrusted,
    first_look,
    same_fingerprint,
)
from appliance.organizer.calendar.calendars import get_calendar
from appliance.organizer.calendar.shapes import Calendar
from appliance.organizer.scope import VISIBLE, check_visible, owner_for
from appliance.storage import Database, Reader, Writer
from appliance.vault import HOUSEHOLD, Vault

__all__ = [
    "list_accounts",
    "add_account",
    "remove_account",
    "remote_calendars",
    "link_calendar",
    "unlink_calendar",
    "set_sync_interval",
    "look_at_certificate",
    "credentials",
    "connect",
    "targets_for",
]

_COLUMNS = "id, owner, label, url, username, created_at, cert_sha256"


async def list_accounts(db: Database, viewer: str) -> list[CalDAVAccount]:
    return [_account(row) for row in await db.read(_visible, viewer)]


async def add_account(
    db: Database,
    vault: Vault,
    rules: OutboundRules,
    actor: Principal,
    new: CalDAVAccountCreate,
    nameserver: Nameserver | None = None,
) -> CalDAVAccount:
    """`new.url` may be a domain or an email address: the account keeps the server found for it in DNS."""
    if new.shared and not actor.is_admin:
        raise PermissionDenied("only an admin adds the household's CalDAV account")
    targets = targets_for(rules, new.shared)
    url = await account_url(new.url, plain_http=new.plain_http, nameserver=nameserver)
    await check_url(url, targets)
    pinned = await _certificate_to_trust(url, new.cert_sha256, targets)
    owner = owner_for(new.shared, actor.user_id)
    account = CalDAVAccount(
        id=uuid.uuid4().hex,
        label=new.label.strip() or new.label,
        url=url,
        username=new.username,
        shared=new.shared,
        created_at=clock.now(),
        cert_sha256=pinned.sha256 if pinned else None,
    )
    await vault.put(_vault_owner(owner), _secret_name(account.id), new.password)
    await db.write(_insert, account, owner, actor.user_id, pinned.pem if pinned else None)
    return account


async def look_at_certificate(
    rules: OutboundRules, actor: Principal, look: CertificateLook, nameserver: Nameserver | None = None
) -> ServerCertificate:
    """First contact: the certificate the server shows, for the member to compare before trusting it."""
    if look.shared and not actor.is_admin:
        raise PermissionDenied("only an admin adds the household's CalDAV account")
    url = await account_url(look.url, plain_http=False, nameserver=nameserver)
    seen = await first_look(url, targets_for(rules, look.shared))
    return ServerCertificate(
        url=url,
        sha256=seen.sha256,
        subject=seen.subject,
        issuer=seen.issuer,
        not_after=seen.not_after,
        trusted=seen.trusted,
    )


async def _certificate_to_trust(url: str, fingerprint: str | None, targets: Targets) -> Certificate | None:
    """The certificate to pin: the one the member checked, still the one the server shows. An https
    server no known authority vouches for is refused until its fingerprint is checked and given."""
    if not url.lower().startswith("https://"):
        if fingerprint:
            raise InvalidInput("only an https:// address has a certificate to trust")
        return None
    seen = await first_look(url, targets)
    if fingerprint is None:
        if seen.trusted:
            return None
        raise CertificateUntrusted(
            f"no authority this box knows signed the certificate of {url[:200]}; its SHA-256 fingerprint is "
            f"{seen.sha256}. If your server shows the same, add the account again trusting it"
        )
    if not same_fingerprint(fingerprint, seen.sha256):
        raise CertificateChanged(
            f"the server shows a certificate with the SHA-256 fingerprint {seen.sha256}, "
            "not the one you checked; do not trust it unless you know why it changed"
        )
    return seen


async def remove_account(db: Database, vault: Vault, actor: Principal, account_id: str) -> CalDAVAccount:
    """Calendars synced with it stop syncing (and keep what they hold); the password is erased."""
    account, owner = await _manageable(db, actor, account_id)
    await db.write(_delete, account.id)
    try:
        await vault.delete(_vault_owner(owner), _secret_name(account.id))
    except NotFound:
        pass
    return account


async def remote_calendars(
    db: Database, vault: Vault, rules: OutboundRules, viewer: str, account_id: str
) -> list[RemoteCalendar]:
    async with connect(db, vault, rules, viewer, account_id) as client:
        found = await client.discover()
    return [RemoteCalendar(url=c.url, name=c.name, components=list(c.components)) for c in found]


async def link_calendar(db: Database, actor: Principal, calendar_id: str, link: CalendarLinkCreate) -> Calendar:
    """Sync `calendar_id` with a remote calendar; the first sync merges both sides."""
    calendar = await _linkable(db, actor, calendar_id)
    account, owner = await _account_for(db, actor.user_id, link.account_id)
    if (owner is None) != calendar.shared:
        raise InvalidInput("a household calendar syncs with a household account, a personal one with your own")
    reason = sites.refusal(link.remote_url, account.url, pinned=account.cert_sha256 is not None)
    if reason is not None:
        raise InvalidInput(f"the remote calendar must be on the account's own server ({reason})")
    await db.write(_link, calendar.id, account.id, link.remote_url)
    await db.write(store.set_sync_minutes, calendar.id, link.sync_minutes)
    return await get_calendar(db, actor.user_id, calendar.id)


async def set_sync_interval(db: Database, actor: Principal, calendar_id: str, minutes: int | None) -> Calendar:
    """How often a linked calendar syncs (None: the household's setting); whoever may link it may set it."""
    calendar = await _linkable(db, actor, calendar_id)
    if calendar.caldav is None:
        raise InvalidInput("this calendar is not linked to a CalDAV server")
    await db.write(store.set_sync_minutes, calendar.id, minutes)
    return await get_calendar(db, actor.user_id, calendar.id)


async def unlink_calendar(db: Database, actor: Principal, calendar_id: str) -> Calendar:
    calendar = await _linkable(db, actor, calendar_id)
    await db.write(_link, calendar.id, None, None)
    return await get_calendar(db, actor.user_id, calendar.id)


async def credentials(db: Database, vault: Vault, viewer: str | None, account_id: str) -> tuple[CalDAVAccount, str]:
    """The account and its password; `viewer` None is Atom's own sync job, which may use any."""
    row = await db.read(_one, account_id)
    if row is None or (viewer is not None and row[1] not in (None, viewer)):
        raise NotFound("no such CalDAV account")
    return _account(row), await vault.get(_vault_owner(row[1]), _secret_name(account_id))


@asynccontextmanager
async def connect(
    db: Database, vault: Vault, rules: OutboundRules, viewer: str | None, account_id: str
) -> AsyncIterator[CalDAVClient]:
    """A client signed in as the account, reaching what the account may, trusting what it trusts."""
    account, password = await credentials(db, vault, viewer, account_id)
    pinned = await db.read(_pinned_pem, account_id)
    async with open_client(account.url, account.username, password, targets_for(rules, account.shared), pinned) as c:
        yield c


def targets_for(rules: OutboundRules, shared: bool) -> Targets:
    return rules.targets(household=shared)


async def _linkable(db: Database, actor: Principal, calendar_id: str) -> Calendar:
    calendar = await get_calendar(db, actor.user_id, calendar_id)
    if calendar.shared and not actor.is_admin:
        raise PermissionDenied("only an admin links a household calendar to a CalDAV server")
    return calendar


async def _account_for(db: Database, viewer: str, account_id: str) -> tuple[CalDAVAccount, str | None]:
    row = await db.read(_one, account_id)
    if row is None:
        raise NotFound("no such CalDAV account")
    check_visible(row[1], viewer, "CalDAV account")
    return _account(row), row[1]


async def _manageable(db: Database, actor: Principal, account_id: str) -> tuple[CalDAVAccount, str | None]:
    account, owner = await _account_for(db, actor.user_id, account_id)
    if owner is None and not actor.is_admin:
        raise PermissionDenied("only an admin removes the household's CalDAV account")
    return account, owner


def _vault_owner(owner: str | None) -> str:
    return HOUSEHOLD if owner is None else owner


def _secret_name(account_id: str) -> str:
    return f"caldav:{account_id}"


def _account(row: tuple[Any, ...]) -> CalDAVAccount:
    return CalDAVAccount(
        id=row[0],
        shared=row[1] is None,
        label=row[2],
        url=row[3],
        username=row[4],
        created_at=row[5],
        cert_sha256=row[6],
    )


def _pinned_pem(conn: Reader, account_id: str) -> str | None:
    row = conn.execute("SELECT cert_pem FROM organizer_caldav_accounts WHERE id = ?", [account_id]).fetchone()
    return row[0] if row else None


def _visible(conn: Reader, viewer: str) -> list[tuple[Any, ...]]:
    sql = f"SELECT {_COLUMNS} FROM organizer_caldav_accounts WHERE {VISIBLE} ORDER BY created_at, id"
    return conn.execute(sql, [viewer]).fetchall()


def _one(conn: Reader, account_id: str) -> tuple[Any, ...] | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM organizer_caldav_accounts WHERE id = ?", [account_id]).fetchone()


def _insert(conn: Writer, account: CalDAVAccount, owner: str | None, created_by: str, pem: str | None) -> None:
    conn.execute(
        "INSERT INTO organizer_caldav_accounts (id, owner, label, url, username, created_by, created_at, cert_sha256,"
        " cert_pem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            account.id,
            owner,
            account.label,
            account.url,
            account.username,
            created_by,
            account.created_at,
            account.cert_sha256,
            pem,
        ],
    )


def _delete(conn: Writer, account_id: str) -> None:
    for (calendar_id,) in conn.execute(
        "SELECT id FROM organizer_calendars WHERE caldav_account = ?", [account_id]
    ).fetchall():
        _link(conn, calendar_id, None, None)
    conn.execute("DELETE FROM organizer_caldav_accounts WHERE id = ?", [account_id])


def _link(conn: Writer, calendar_id: str, account_id: str | None, remote_url: str | None) -> None:
    """A new link (or none) starts from nothing: every item is new to the other side."""
    conn.execute(
        "UPDATE organizer_calendars SET caldav_account = ?, remote_url = ?, sync_token = NULL, synced_at = NULL,"
        " sync_error = NULL WHERE id = ?",
        [account_id, remote_url, calendar_id],
    )
    for table in ("organizer_events", "organizer_tasks"):
        conn.execute(f"UPDATE {table} SET href = NULL, etag = NULL, dirty = true WHERE calendar_id = ?", [calendar_id])
    conn.execute("DELETE FROM organizer_sync_tombstones WHERE calendar_id = ?", [calendar_id])
