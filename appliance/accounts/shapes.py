"""The shapes of household accounts that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from appliance.accounts.names import checked_username
from appliance.errors import InvalidInput

__all__ = [
    "Role",
    "Principal",
    "User",
    "UserCreate",
    "UserUpdate",
    "ApiToken",
    "ApiTokenCreate",
    "ApiTokenForMember",
    "NewApiToken",
    "SessionInfo",
    "SERVICE_USER_ID",
    "SERVICE_PRINCIPAL",
]

Role = Literal["admin", "member"]
# Checked after folding to the canonical form (see names.py), so "Ada" arrives as "ada".
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]
TokenName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]

SERVICE_USER_ID = "service"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is asking: a signed-in member, a token holder, or Atom's own service."""

    user_id: str
    username: str
    display_name: str
    role: Role
    via: Literal["session", "token", "service", "satellite"]
    session_id: str | None = None
    token_id: str | None = None
    csrf_token: str | None = None
    expires_at: datetime | None = None  # when a session lapses unless used again; None never

    @property
    def credential_id(self) -> str | None:
        """The sign-in or API token this principal came with; revoking it ends its live channels."""
        return self.session_id or self.token_id

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_service(self) -> bool:
        return self.via == "service"


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    username: str
    display_name: str
    role: Role
    disabled: bool
    created_at: datetime


class UserCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Username
    password: Password
    display_name: DisplayName | None = None
    role: Role = "member"

    def __post_init__(self) -> None:
        """Fold the name to its canonical form, here, so every way in (API, CLI, setup) agrees."""
        try:
            name = checked_username(self.username)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None  # a 400 however the struct was made
        msgspec.structs.force_setattr(self, "username", name)


class UserUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    display_name: DisplayName | None = None
    role: Role | None = None
    disabled: bool | None = None
    password: Password | None = None


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: TokenName


class ApiTokenForMember(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The control API's request (`atom tokens create --user`): a token for the member named `username`."""

    username: Username
    name: TokenName


class NewApiToken(msgspec.Struct, frozen=True, kw_only=True):
    """Returned once, on creation: the only time the secret is shown."""

    token: ApiToken
    secret: str


class SessionInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_agent: str
    created_at: datetime
    expires_at: datetime
    current: bool = False


SERVICE_PRINCIPAL = Principal(
    user_id=SERVICE_USER_ID, username="atom-service", display_name="Atom service", role="admin", via="service"
)
