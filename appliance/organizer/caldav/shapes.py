"""The shapes of CalDAV accounts, links and sync reports that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = [
    "CalDAVAccount",
    "CalDAVAccountCreate",
    "RemoteCalendar",
    "CalendarLinkCreate",
    "CalendarLinkUpdate",
    "SyncReport",
    "SyncMinutes",
    "CertificateLook",
    "ServerCertificate",
]

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000, pattern=r"^https?://")]
Address = Annotated[str, msgspec.Meta(min_length=3, max_length=2000, pattern=r"^\s*\S+\s*$")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
SyncMinutes = Annotated[int, msgspec.Meta(ge=1, le=1440)]
Fingerprint = Annotated[str, msgspec.Meta(min_length=64, max_length=100, pattern=r"^[0-9A-Fa-f: ]+$")]


class CalDAVAccount(msgspec.Struct, frozen=True, kw_only=True):
    """An account on a CalDAV server (Nextcloud, iCloud, Fastmail, Radicale); its password stays in the vault."""

    id: str
    label: str
    url: str
    username: str
    shared: bool
    """The household's (an admin added it) or one member's own."""
    created_at: datetime
    cert_sha256: str | None = None
    """The one server certificate this account trusts (trusted on first use); None: the system's authorities."""


class CalDAVAccountCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: Label
    url: Address
    """The server, your principal, or one calendar's address, e.g. https://cloud.example/remote.php/dav/;
    or just a domain or an email address (example.com, alex@example.com): the server is then found in
    DNS (RFC 6764) and the account keeps the address found."""
    username: Username
    password: Password
    """An app password where the server offers them. Kept encrypted; never shown again."""
    shared: bool = False
    """A household account (admins only): it may reach servers on the home network, and the
    Household calendar may sync with it."""
    cert_sha256: Fingerprint | None = None
    """For a server whose certificate no public authority signed (a NAS): the SHA-256 fingerprint the
    member checked (see POST /api/caldav/certificate). Atom then trusts that one certificate alone."""
    plain_http: bool = False
    """With a domain or email address only: also look for a plain-http server (`_caldav._tcp`) when DNS
    names no https one. Its password then crosses the network unencrypted."""


class CertificateLook(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Address
    """A server's https address, or a domain or email address to find its server in DNS."""
    shared: bool = False
    """Looked at as a household account would reach it (admins only)."""


class ServerCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """The certificate an https server shows, to compare with the one the server itself shows."""

    url: str
    """The server looked at: the address given, or the one DNS named for a domain."""
    sha256: str
    """AA:BB:… as servers and browsers show it."""
    subject: str
    issuer: str
    not_after: str
    """Its last valid day."""
    trusted: bool
    """An authority this box knows vouches for it and its name: nothing to trust by hand."""


class RemoteCalendar(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    name: str
    components: list[str]
    """What it holds: VEVENT (events), VTODO (tasks); empty when the server does not say."""


class CalendarLinkCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    account_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    remote_url: Url
    """One of the account's calendars (see GET /api/caldav/accounts/{id}/calendars)."""
    sync_minutes: SyncMinutes | None = None
    """How often it syncs, in minutes; none: the household's setting."""


class CalendarLinkUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    sync_minutes: SyncMinutes | None
    """How often it syncs, in minutes (1 to 1440); null: the household's setting."""


class SyncReport(msgspec.Struct, frozen=True, kw_only=True):
    calendar_id: str
    full: bool
    """Everything was listed (first sync, or the server forgot our sync token); else only changes."""
    pulled: int
    pushed: int
    deleted_here: int
    """Items deleted in Atom because they were deleted on the server."""
    deleted_there: int
    conflicts: list[str]
    """One line per conflict and how the rule settled it."""
