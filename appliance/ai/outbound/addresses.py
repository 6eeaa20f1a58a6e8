"""Which addresses Atom may connect to, decided on the IP address itself, never on the URL's text.

    public      a server on the internet                     any key
    household   LAN, loopback, link-local, unique-local IPv6,  household keys (an admin's) only
                shared address space, this box's own addresses
    nowhere     0.0.0.0, ::, multicast, broadcast            never: no server lives there

and, above all of those, Atom's own port on any address of this box is refused for everyone:
otherwise a key could make Atom call its own API (the control API included). Addresses
that no key chose are `trusted` for every key: a provider's fixed address replaced by the
operator (`ai.provider_urls`), or a test's loopback fake standing in for a public server.

IPv6 addresses that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by the
IPv4 address inside them too, since that is where the packets end up.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from appliance.errors import AddressRefused, InvalidInput

__all__ = ["IPAddress", "Targets", "Kind", "kind_of", "check_addresses", "split_url"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Kind = Literal["public", "household", "nowhere"]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


@dataclass(frozen=True, kw_only=True)
class Targets:
    """Where one outside connection may go. The default is the strictest: public servers only."""

    household: bool = False  # LAN and loopback servers too: household keys and admins' downloads
    own_ports: frozenset[int] = frozenset()  # Atom's own ports: refused on every address of this box
    # (host or IP as written, port) that any key may reach; never set from anything a key holds
    trusted: frozenset[tuple[str, int]] = field(default_factory=frozenset)


def kind_of(ip: IPAddress) -> Kind:
    """public, household or nowhere; an address hiding an IPv4 one is as bad as the worst of both."""
    kinds = {_plain_kind(address) for address in _carried(ip)}
    return "nowhere" if "nowhere" in kinds else "household" if "household" in kinds else "public"


def check_addresses(host: str, port: int, addresses: Iterable[IPAddress], targets: Targets) -> None:
    """Raise AddressRefused unless every address `host` resolved to may be connected to."""
    named = (host.strip("[]").lower(), port) in targets.trusted
    for ip in addresses:
        reason = _refusal(ip, port, targets, trusted=named or (str(ip), port) in targets.trusted)
        if reason:
            raise AddressRefused(f"Atom will not connect to {_shown(host, ip)}: {reason}")


def split_url(url: str) -> tuple[str, int]:
    """The host (ASCII, as looked up) and port of an http(s) URL; InvalidInput for anything else.

    Parsed by httpx, the parser that will connect: what is checked is what is used."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError, TypeError):
        host, parsed = "", None
    if parsed is None or parsed.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"{url[:200]!r} is not a web address (http:// or https://, then a server name)")
    if parsed.userinfo:
        raise InvalidInput("put no user name or password in the address; Atom sends the key itself")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise InvalidInput(f"{url[:200]!r} is not a web address (port {port} does not exist)")
    return host, port


def _refusal(ip: IPAddress, port: int, targets: Targets, trusted: bool) -> str | None:
    kind = kind_of(ip)
    if kind == "nowhere":
        return "no server can be at that address"
    local = any(address.is_loopback for address in _carried(ip)) or _is_this_box(ip)
    if port in targets.own_ports and local:
        return f"that is Atom itself (port {port} on this box)"
    if trusted:
        return None
    if (kind == "household" or local) and not targets.household:
        return (
            "it is on the household network or this box, and a member's own key may only reach servers "
            "on the internet; an admin can add it as a household key"
        )
    return None


def _carried(ip: IPAddress) -> list[IPAddress]:
    """The address itself and any IPv4 address it carries."""
    if isinstance(ip, ipaddress.IPv4Address):
        return [ip]
    inner = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in _NAT64:
        inner.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [ip, *(address for address in inner if address is not None)]


def _plain_kind(ip: IPAddress) -> Kind:
    if ip.is_unspecified or ip.is_multicast or ip == _BROADCAST:
        return "nowhere"
    special = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    return "public" if ip.is_global and not (special or site_local) else "household"


def _is_this_box(ip: IPAddress) -> bool:
    """True when `ip` is one of this machine's own addresses: only those can be bound to."""
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(ip), 0))
    except OSError as exc:  # no such address here, or no IPv6 on this box; anything else: assume the worst
        return exc.errno not in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)
    return True


def _shown(host: str, ip: IPAddress) -> str:
    """The host as the caller wrote it; the resolved address only when they wrote an address."""
    return host if host.strip("[]") != str(ip) else str(ip)
