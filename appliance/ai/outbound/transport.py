"""HTTP connections that go only where `Targets` allow: the check sits where the socket is opened.

httpx hands every new connection to an httpcore network backend. Ours looks the host up
itself, checks every address it got (`check_addresses`), then connects to one of those very
addresses. So:

- the address checked is the address connected to: a name that resolves to a public
  address at one moment and a private one the next (DNS rebinding) cannot slip between the two;
- every new connection is checked: each hop of a redirect (downloads follow them, providers
  refuse them), and each reconnect of a kept-alive pool;
- the Host header and TLS (SNI, certificate name) still come from the URL, by httpx, untouched.

Proxies from the environment are off (`trust_env=False`): through a proxy, the address
connected to would be the proxy's, not the server's. Unix sockets are refused.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import anyio
import httpcore
import httpx

from appliance.ai.outbound.addresses import IPAddress, Targets, check_addresses, split_url
from appliance.errors import AddressRefused, InvalidInput

__all__ = ["GuardedAsyncTransport", "GuardedTransport", "check_url", "resolve"]

_LIMITS = httpx.Limits()  # httpx's defaults, which its own transport would have used
_Socket = Iterable[typing.Any]
Stream = TypeVar("Stream")


class GuardedAsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool given a backend that checks every connection."""

    def __init__(self, targets: Targets, tls: ssl.SSLContext) -> None:
        super().__init__(verify=tls, trust_env=False)
        pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            network_backend=_GuardedBackend(targets),
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
        )
        _swap_pool(self, pool)


class GuardedTransport(httpx.HTTPTransport):
    """The blocking twin of GuardedAsyncTransport (model downloads run in a thread or the CLI)."""

    def __init__(self, targets: Targets, tls: ssl.SSLContext | None = None) -> None:
        tls = tls or httpx.create_ssl_context()
        super().__init__(verify=tls, trust_env=False)
        pool = httpcore.ConnectionPool(
            ssl_context=tls,
            network_backend=_GuardedSyncBackend(targets),
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
        )
        _swap_pool(self, pool)


async def resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
    """Every address `host` has; OSError when it has none, TimeoutError when the lookup hangs."""
    with anyio.fail_after(timeout):
        found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _addresses(info[4][0] for info in found)


async def check_url(url: str, targets: Targets) -> None:
    """The check a connection will meet, done now, so a stored address is refused when it is given."""
    host, port = split_url(url)
    try:
        addresses = await resolve(host, port, timeout=10)
    except (OSError, TimeoutError, ValueError):  # ValueError: a name IDNA cannot encode
        raise InvalidInput(f"Atom cannot find the server {host}; check the address") from None
    check_addresses(host, port, addresses, targets)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _Socket | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port, timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        except (OSError, ValueError):
            raise httpcore.ConnectError(f"cannot find the server {host}") from None
        check_addresses(host, port, addresses, self._targets)

        async def connect(ip: IPAddress) -> httpcore.AsyncNetworkStream:
            return await self._inner.connect_tcp(str(ip), port, timeout, local_address, socket_options)

        return await _first_async(addresses, connect)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _Socket | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("Atom does not connect to local sockets on anyone's behalf")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedSyncBackend(httpcore.NetworkBackend):
    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _Socket | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = _addresses(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, ValueError):
            raise httpcore.ConnectError(f"cannot find the server {host}") from None
        check_addresses(host, port, addresses, self._targets)

        def connect(ip: IPAddress) -> httpcore.NetworkStream:
            return self._inner.connect_tcp(str(ip), port, timeout, local_address, socket_options)

        return _first(addresses, connect)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _Socket | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("Atom does not connect to local sockets on anyone's behalf")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


async def _first_async(addresses: list[IPAddress], connect: Callable[[IPAddress], Awaitable[Stream]]) -> Stream:
    """Try the checked addresses in the resolver's order; the last failure if none answers."""
    for ip in addresses[:-1]:
        try:
            return await connect(ip)
        except (httpcore.ConnectError, httpcore.ConnectTimeout):
            continue
    return await connect(addresses[-1])


def _first(addresses: list[IPAddress], connect: Callable[[IPAddress], Stream]) -> Stream:
    for ip in addresses[:-1]:
        try:
            return connect(ip)
        except (httpcore.ConnectError, httpcore.ConnectTimeout):
            continue
    return connect(addresses[-1])


def _addresses(found: Iterable[str | int]) -> list[IPAddress]:
    unique = dict.fromkeys(ipaddress.ip_address(str(address)) for address in found)
    if not unique:
        raise OSError("no addresses")
    return list(unique)


def _swap_pool(transport: httpx.AsyncHTTPTransport | httpx.HTTPTransport, pool: object) -> None:
    """httpx has no public hook for httpcore's network backend, and its transport is a thin adapter
    over `_pool`; ours replaces it. Should httpx ever keep the pool elsewhere, fail closed."""
    if not isinstance(getattr(transport, "_pool", None), (httpcore.AsyncConnectionPool, httpcore.ConnectionPool)):
        raise RuntimeError("this httpx keeps its connection pool elsewhere: appliance/ai/outbound needs updating")
    transport._pool = pool  # type: ignore[assignment]  # a private attribute, swapped on purpose (above)
