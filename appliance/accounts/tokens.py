"""Personal API tokens: shown once, stored as a digest, listed and revoked by their owner."""

from __future__ import annotations

import uuid
from datetime import timedelta

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.secrets import digest, new_secret
from appliance.accounts.shapes import ApiToken, NewApiToken, Principal
from appliance.errors import NotFound
from appliance.storage import Database

__all__ = [
    "TOKEN_PREFIX",
    "create_token",
    "list_tokens",
    "get_token",
    "revoke_token",
    "principal_for_token",
    "token_active",
]

TOKEN_PREFIX = "atom_"
_TOUCH_EVERY = timedelta(minutes=1)


async def create_token(db: Database, user_id: str, name: str) -> NewApiToken:
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(id=uuid.uuid4().hex, name=name, prefix=secret[:12], created_at=clock.now(), last_used_at=None)
    await db.write(queries.insert_token, user_id, token, digest(secret))
    return NewApiToken(token=token, secret=secret)


async def list_tokens(db: Database, user_id: str) -> list[ApiToken]:
    return await db.read(queries.tokens_of, user_id)


async def get_token(db: Database, user_id: str, token_id: str) -> ApiToken:
    token = await db.read(queries.token_of, user_id, token_id)
    if token is None:
        raise NotFound("no such token")
    return token


async def revoke_token(db: Database, user_id: str, token_id: str) -> None:
    if not await db.write(queries.delete_token, user_id, token_id):
        raise NotFound("no such token")


async def principal_for_token(db: Database, secret: str) -> Principal | None:
    row = await db.read(queries.token_principal_row, digest(secret))
    if row is None:
        return None
    user_id, username, display_name, role, token_id, last_used = row
    at = clock.now()
    if last_used is None or at - last_used > _TOUCH_EVERY:
        await db.write(queries.touch_token, token_id, at)
    return Principal(
        user_id=user_id, username=username, display_name=display_name, role=role, via="token", token_id=token_id
    )


async def token_active(db: Database, token_id: str) -> bool:
    """Whether a token still works: not revoked, and its member not disabled."""
    return await db.read(queries.token_active, token_id)
