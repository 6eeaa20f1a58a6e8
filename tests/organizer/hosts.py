"""Host names for loopback servers, without /etc/hosts: Atom's one name lookup answers for them.

Every connection Atom makes on someone's behalf, and the certificate look, resolves names through
appliance.ai.outbound.transport.resolve (trust.py imports it by name); these tests replace that
lookup with one that knows a few names and passes every other to the real one. What is checked
and connected to is still the address it returns. And a test CA stands in for the public
authorities (httpx builds its default context from SSL_CERT_FILE when set).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from appliance.ai.outbound import IPAddress, transport
from appliance.organizer.caldav import trust
from appliance.system.tls import TlsFiles, create_household_tls

__all__ = ["Names", "answer_names", "public_ca"]


class Names(dict[str, str]):
    """host name → the IP address it resolves to, for this test."""


def answer_names(monkeypatch: pytest.MonkeyPatch) -> Names:
    """The names the test adds to the returned dict resolve to their addresses until the test ends."""
    known = Names()
    real = transport.resolve

    async def resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
        if host.lower().rstrip(".") in known:
            return [ipaddress.ip_address(known[host.lower().rstrip(".")])]
        return await real(host, port, timeout)

    monkeypatch.setattr(transport, "resolve", resolve)
    monkeypatch.setattr(trust, "resolve", resolve)
    return known


def public_ca(folder: Path, hosts: list[str], monkeypatch: pytest.MonkeyPatch) -> TlsFiles:
    """A server certificate for `hosts` from a CA this process now trusts as if it were a public one."""
    tls = create_household_tls(folder, hosts, ["127.0.0.1"])
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_cert))
    return tls
