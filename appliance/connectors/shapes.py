"""The shapes of connections that cross a boundary (API bodies, job answers, events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from appliance.connectors.manifest import SignInKind

__all__ = [
    "ConnectionState",
    "Connection",
    "ConnectionCreate",
    "ConnectStep",
    "DeviceStep",
    "PkceStep",
    "PastedAddress",
    "Connector",
    "SyncOutcome",
    "SyncedItem",
    "Disconnected",
]

ConnectionState = Literal["signing-in", "connected", "syncing", "needs-sign-in", "error"]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class Connector(msgspec.Struct, frozen=True, kw_only=True):
    """A service Atom can connect to, as the Connections page shows it."""

    name: str
    title: str
    sign_in: list[SignInKind]
    syncs: list[str]
    setup: list[str]
    needs_client_id: bool
    needs_client_secret: bool
    token_label: str


class Connection(msgspec.Struct, frozen=True, kw_only=True):
    """A member's connection to one service. Its tokens never appear here."""

    id: str
    connector: str
    title: str
    state: ConnectionState
    sign_in: SignInKind
    account: str | None
    """Who the member is at the service (a login), once signed in."""
    last_sync_at: datetime | None
    last_error: str | None
    """What went wrong, in Atom's words."""
    error_action: str | None
    """What the member can do about it."""
    retry_at: datetime | None
    """The service asked Atom to wait until then; syncs resume from the cursor."""
    items: int = 0
    created_at: datetime
    updated_at: datetime


class ConnectionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Start signing in to `connector` (again, if the member has a connection to it: its sync state stays)."""

    connector: Short
    sign_in: SignInKind | None = None
    """Default: the first kind the connector offers."""
    client_id: Short | None = None
    """The household's registered app, where the service needs one."""
    client_secret: Secret | None = None
    token: Secret | None = None
    """For sign-in kind `token`: the credential the member pasted."""


class DeviceStep(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 8628: the member opens `verification_uri` and types `user_code`; the page then polls."""

    user_code: str
    verification_uri: str
    interval: int
    expires_at: datetime


class PkceStep(msgspec.Struct, frozen=True, kw_only=True):
    """Open `authorize_url`, sign in, then paste the address the browser lands on (it starts with `redirect_uri`);
    where `redirect_uri` is empty, the service shows a code instead and the member pastes that."""

    authorize_url: str
    redirect_uri: str
    expires_at: datetime


class ConnectStep(msgspec.Struct, frozen=True, kw_only=True):
    connection: Connection
    device: DeviceStep | None = None
    pkce: PkceStep | None = None


class PastedAddress(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]


class SyncOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What one scheduled sync did to one connection."""

    id: str
    connector: str
    state: ConnectionState
    skipped: bool = False


class SyncedItem(msgspec.Struct, frozen=True, kw_only=True):
    """An item a connection brought in, and the Atom task or event it became."""

    remote_id: str
    kind: Literal["task", "event", "record"]
    local_id: str
    """The task's, event's or searchable record's id in Atom."""
    title: str
    url: str | None
    done: bool


class Disconnected(msgspec.Struct, frozen=True, kw_only=True):
    revoked: bool
    """The service revoked Atom's grant; otherwise `message` says where the member can."""
    kept: int
    """Tasks and events the connection brought in that stay, now ordinary ones (searchable records never stay)."""
    removed: int
    message: str
