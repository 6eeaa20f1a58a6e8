"""Browser sign-ins: a random cookie value whose digest is the session id.

Sessions slide: each use within the second half of the lifetime extends it,
so an active household member stays signed in and an idle one expires. The
caller learns when a use extended the session, so the cookie can follow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.secrets import digest, new_secret
from appliance.accounts.shapes import Principal, SessionInfo, User
from appliance.errors import NotFound
from appliance.storage import Database

__all__ = [
    "start_session",
    "resume_session",
    "session_expiry",
    "end_session",
    "list_sessions",
    "revoke_session",
]


async def start_session(db: Database, user: User, user_agent: str, lifetime: timedelta) -> tuple[str, Principal]:
    cookie = new_secret()
    session_id, csrf = digest(cookie), new_secret()
    created = clock.now()
    expires = created + lifetime
    await db.write(queries.insert_session, session_id, user.id, csrf, user_agent[:200], created, expires)
    principal = Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        via="session",
        session_id=session_id,
        csrf_token=csrf,
        expires_at=expires,
    )
    return cookie, principal


async def resume_session(
    db: Database, cookie: str, lifetime: timedelta, slide: bool = True
) -> tuple[Principal, bool] | None:
    """The principal behind a session cookie, and whether this use extended the session."""
    session_id, at = digest(cookie), clock.now()
    row = await db.read(queries.session_principal_row, session_id, at)
    if row is None:
        return None
    user_id, username, display_name, role, csrf, expires = row
    extended = slide and expires - at < lifetime / 2
    if extended:
        expires = at + lifetime
        await db.write(queries.extend_session, session_id, expires)
    principal = Principal(
        user_id=user_id,
        username=username,
        display_name=display_name,
        role=role,
        via="session",
        session_id=session_id,
        csrf_token=csrf,
        expires_at=expires,
    )
    return principal, extended


async def session_expiry(db: Database, session_id: str) -> datetime | None:
    """When a sign-in lapses unless used again; None if it has ended or its member is disabled."""
    return await db.read(queries.session_expiry, session_id, clock.now())


async def end_session(db: Database, principal: Principal) -> None:
    if principal.session_id is not None:
        await db.write(queries.delete_session, principal.user_id, principal.session_id)


async def list_sessions(db: Database, principal: Principal) -> list[SessionInfo]:
    found = await db.read(queries.sessions_of, principal.user_id, clock.now())
    return [msgspec.structs.replace(s, current=s.id == principal.session_id) for s in found]


async def revoke_session(db: Database, principal: Principal, session_id: str) -> None:
    if not await db.write(queries.delete_session, principal.user_id, session_id):
        raise NotFound("no such sign-in")
