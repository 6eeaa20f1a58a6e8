"""Authenticated clients for a connection: bearer auth from its grant, refreshed through the
token endpoint with the household's app, both clients closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager

import httpx

from appliance.connectors.connections import Record
from appliance.connectors.http import ServiceHttp
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.manifest import ConnectorManifest
from appliance.connectors.oauth import AppClient, refresh_grant
from appliance.connectors.registry import manifest
from appliance.connectors.tokens import Grant, GrantAuth, Refresh

__all__ = ["StaticBearer", "authed", "app_client"]


class StaticBearer(httpx.Auth):
    """A credential the member pasted, tried before anything is stored (in the manifest's header)."""

    def __init__(self, token: str, header: str = "Bearer {token}", client_id: str = "") -> None:
        self._value = header.format(token=token, client_id=client_id)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._value
        yield request


async def app_client(hub: ConnectorHub, record: Record) -> AppClient | None:
    if not record.client_id:
        return None
    secret = await hub.store(record.owner, record.id).get("client-secret")
    return AppClient(client_id=record.client_id, client_secret=secret)


@asynccontextmanager
async def authed(hub: ConnectorHub, record: Record) -> AsyncIterator[tuple[ServiceHttp, ServiceHttp]]:
    """(the connection's authenticated client, a plain one for its token endpoint)."""
    found = manifest(record.connector)
    plain = hub.http(found, record.id)
    client = await app_client(hub, record)
    auth = GrantAuth(
        hub.store(record.owner, record.id),
        _refresher(plain, found, client),
        hub.lock("grant:" + record.id),
        header=lambda token: found.token_header.format(token=token, client_id=record.client_id or ""),
    )
    http = hub.http(found, record.id, auth=auth)
    try:
        yield http, plain
    finally:
        await http.aclose()
        await plain.aclose()


def _refresher(plain: ServiceHttp, found: ConnectorManifest, client: AppClient | None) -> Refresh | None:
    if client is None or not found.oauth.token:
        return None

    async def refresh(grant: Grant) -> Grant:
        return await refresh_grant(plain, found, client, grant)

    return refresh
