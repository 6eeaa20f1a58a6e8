"""The shapes of household accounts that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = [
    "Role",
    "Principal",
    "User",
    "UserCreate",
    "UserUpdate",
    "ApiToken",
    "ApiTokenCreate",
    "NewApiToken",
    "SessionInfo",
    "SERVICE_USER_ID",
    "SERVICE_PRINCIPAL",
]

Role = Literal["admin", "member"]
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
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
    via: Literal["session", "token", "service"]
    session_id: str | None = None
    csrf_token: str | None = None

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
