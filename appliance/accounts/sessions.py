"""Browser sign-ins: a random cookie value whose digest is the session id.

Sessions slide: each use within the second half of the lifetime extends it,
so an active household member stays signed in and an idle one expires.
"""

from __future__ import annotations

from datetime import timedelta

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.models import Principal, SessionInfo, User
from appliance.accounts.secrets import digest, new_secret
from appliance.errors import NotFound
from appliance.storage import Database

__all__ = ["start_session", "principal_for_session", "end_session", "list_sessions", "revoke_session"]


async def start_session(db: Database, user: User, user_agent: str, lifetime: timedelta) -> tuple[str, Principal]:
    cookie = new_secret()
    session_id, csrf = digest(cookie), new_secret()
    created = clock.now()
    await db.write(queries.insert_session, session_id, user.id, csrf, user_agent[:200], created, created + lifetime)
    principal = Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        via="session",
        session_id=session_id,
        csrf_token=csrf,
    )
    return cookie, principal


async def principal_for_session(db: Database, cookie: str, lifetime: timedelta) -> Principal | None:
    session_id, at = digest(cookie), clock.now()
    row = await db.read(queries.session_principal_row, session_id, at)
    if row is None:
        return None
    user_id, username, display_name, role, csrf, expires = row
    if expires - at < lifetime / 2:
        await db.write(queries.extend_session, session_id, at + lifetime)
    return Principal(
        user_id=user_id,
        username=username,
        display_name=display_name,
        role=role,
        via="session",
        session_id=session_id,
        csrf_token=csrf,
    )


async def end_session(db: Database, principal: Principal) -> None:
    if principal.session_id is not None:
        await db.write(queries.delete_session, principal.user_id, principal.session_id)


async def list_sessions(db: Database, principal: Principal) -> list[SessionInfo]:
    found = await db.read(queries.sessions_of, principal.user_id, clock.now())
    return [SessionInfo(**{**_fields(s), "current": s.id == principal.session_id}) for s in found]


async def revoke_session(db: Database, principal: Principal, session_id: str) -> None:
    if not await db.write(queries.delete_session, principal.user_id, session_id):
        raise NotFound("no such sign-in")


def _fields(info: SessionInfo) -> dict[str, object]:
    return {f: getattr(info, f) for f in info.__struct_fields__}
