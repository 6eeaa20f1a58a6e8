"""A connection's grant (access and refresh tokens) in the member's vault, refreshed before expiry.

A service that rotates refresh tokens invalidates the old one as it hands out the new: the new
grant is saved before it is used, so a crash between the two never strands the connection.
A refresh the service refuses means the grant is gone: SignInNeeded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable

import httpx
import msgspec

from appliance.errors import NotFound, SignInNeeded
from appliance.vault import Vault

__all__ = ["Grant", "GrantStore", "GrantAuth", "Refresh", "REFRESH_MARGIN"]

REFRESH_MARGIN = 120.0  # seconds before expiry at which a grant is refreshed


class Grant(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None  # Unix time; None: until revoked

    def __repr__(self) -> str:
        return "Grant(<hidden>)"

    def expiring(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at - REFRESH_MARGIN <= now


class GrantStore:
    """The vault entries of one connection: its grant, its app's secret, its pending sign-in."""

    def __init__(self, vault: Vault, owner: str, connection_id: str) -> None:
        self._vault, self._owner, self._prefix = vault, owner, f"connector:{connection_id}:"

    async def grant(self) -> Grant:
        try:
            return msgspec.json.decode(await self._vault.get(self._owner, self._prefix + "grant"), type=Grant)
        except NotFound:
            raise SignInNeeded("this connection has no sign-in") from None

    async def save_grant(self, grant: Grant) -> None:
        await self._vault.put(self._owner, self._prefix + "grant", msgspec.json.encode(grant).decode())

    async def get(self, name: str) -> str | None:
        try:
            return await self._vault.get(self._owner, self._prefix + name)
        except NotFound:
            return None

    async def put(self, name: str, value: str) -> None:
        await self._vault.put(self._owner, self._prefix + name, value)

    async def drop(self, name: str) -> None:
        try:
            await self._vault.delete(self._owner, self._prefix + name)
        except NotFound:
            pass

    async def erase(self) -> None:
        for name in ("grant", "client-secret", "sign-in"):
            await self.drop(name)


Refresh = Callable[[Grant], Awaitable[Grant]]


class GrantAuth(httpx.Auth):
    """Bearer auth from the stored grant: refreshed when near expiry, and once more on a 401."""

    def __init__(
        self,
        store: GrantStore,
        refresh: Refresh | None,
        lock: asyncio.Lock,
        clock: Callable[[], float] = time.time,
        header: Callable[[str], str] = "Bearer {}".format,  # the Authorization value for an access token
    ) -> None:
        self._store, self._refresh, self._lock, self._clock, self._header = store, refresh, lock, clock, header

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        grant = await self._current()
        request.headers["Authorization"] = self._header(grant.access_token)
        response = yield request
        if response.status_code == 401 and grant.refresh_token and self._refresh:
            grant = await self._renewed(grant)
            request.headers["Authorization"] = self._header(grant.access_token)
            yield request

    async def _current(self) -> Grant:
        grant = await self._store.grant()
        if grant.expiring(self._clock()) and grant.refresh_token and self._refresh:
            return await self._renewed(grant)
        return grant

    async def _renewed(self, used: Grant) -> Grant:
        """One refresh at a time per connection; a waiter finding a newer grant takes it instead."""
        async with self._lock:
            stored = await self._store.grant()
            if stored.access_token != used.access_token:
                return stored
            if self._refresh is None:
                raise SignInNeeded("this sign-in cannot be renewed")
            fresh = await self._refresh(stored)
            await self._store.save_grant(fresh)  # before any use: the old refresh token may be dead now
            return fresh
