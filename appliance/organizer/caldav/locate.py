"""From a domain or an email address to the CalDAV server to sign in at, by DNS (RFC 6764 §6).

`alex@example.com` or `example.com`: Atom asks for the `_caldavs._tcp.example.com` SRV record (the
server over TLS), takes its target and port, and the path from the TXT record of the same name
(`path=/dav/`) or else the target's /.well-known/caldav. Only when the member allowed plain http
does it then ask for `_caldav._tcp`. With no record, https://example.com/.well-known/caldav.

The answer is only a suggestion from DNS, which is not signed (RFC 6764 §8): a target outside the
domain asked about is not followed but shown, for the member to type if it is their provider's.
The address found then meets every rule a typed one does (the outbound-address check,
certificates). Lookups use dnspython's async resolver, each bounded in time, against the system's
DNS server or the one in `organizer.caldav_nameserver`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.name
import dns.resolver

from appliance.ai.outbound import split_url
from appliance.errors import ConfigError, InvalidInput, ServiceUnavailable

__all__ = ["Nameserver", "nameserver_from", "account_url", "LOOKUP_SECONDS"]

LOOKUP_SECONDS = 5.0
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
# Letters, digits and hyphens, one label or more: no "/", "@" or ":" that could reshape a URL.
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_PATH = re.compile(r"^/(?!/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")  # RFC 3986 path characters; no "//host"


@dataclass(frozen=True)
class Nameserver:
    ip: str
    port: int = 53


def nameserver_from(setting: str) -> Nameserver | None:
    """`192.0.2.53`, `192.0.2.53:5353` or `[2001:db8::53]:53`; empty: the system's DNS server."""
    text = setting.strip()
    if not text:
        return None
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        ip = ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ConfigError(f"organizer.caldav_nameserver: {setting!r} is not an IP address (and port)") from None
    if not 0 < number < 65536:
        raise ConfigError(f"organizer.caldav_nameserver: port {number} does not exist")
    return Nameserver(str(ip), number)


async def account_url(address: str, *, plain_http: bool, nameserver: Nameserver | None) -> str:
    """Where to sign in: `address` itself when it is a web address, else found from its domain in DNS."""
    text = address.strip()
    if "://" in text:  # a web address: used as typed (split_url judges it)
        return text
    domain = _domain_of(text)
    resolver = _resolver(nameserver)
    found = await _service(resolver, "_caldavs", domain, "https")
    if found is None and plain_http:
        found = await _service(resolver, "_caldav", domain, "http")
    return found or f"https://{domain}/"


async def _service(resolver: dns.asyncresolver.Resolver, label: str, domain: str, scheme: str) -> str | None:
    name = f"{label}._tcp.{domain}."
    records = [r for r in await _lookup(resolver, name, "SRV") if 0 < r.port < 65536]
    if not records:
        return None
    best = min(records, key=lambda r: (r.priority, -r.weight))
    if best.target == dns.name.root:  # RFC 2782: "decidedly not available"
        raise InvalidInput(f"{domain} says in DNS that it offers no CalDAV server ({name[:-1]})")
    host = best.target.to_text(omit_final_dot=True).lower()
    if not _HOST.match(host):
        raise InvalidInput(f"DNS for {domain} names a CalDAV server that is not a host name ({host[:100]!r})")
    port = "" if best.port == {"https": 443, "http": 80}[scheme] else f":{best.port}"
    url = f"{scheme}://{host}{port}{_path(await _lookup(resolver, name, 'TXT'))}"
    if not _within(host, domain):  # RFC 6764 §8: the member, not an unsigned DNS answer, says yes to it
        raise InvalidInput(
            f"DNS for {domain} names a server in another domain, {url}; Atom does not send your password "
            "where only DNS said so. If that is your provider's server, add the account with that address"
        )
    return url


def _path(records: list[Any]) -> str:
    """The TXT record's `path=` (RFC 6764 §4) when it is a plain path; else / (then its .well-known)."""
    for record in records:
        for part in record.strings:
            key, _, value = part.decode("ascii", "replace").partition("=")
            if key.strip().lower() == "path" and _PATH.match(value.strip()):
                return value.strip()
    return "/"


async def _lookup(resolver: dns.asyncresolver.Resolver, name: str, kind: str) -> list[Any]:
    try:
        return list(await resolver.resolve(name, kind, lifetime=LOOKUP_SECONDS))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.Timeout:
        raise ServiceUnavailable(
            f"the DNS server did not answer within {LOOKUP_SECONDS:g} seconds when Atom looked up {name[:-1]}; "
            "try again, or type the server's address (https://…)"
        ) from None
    except dns.exception.DNSException as exc:
        raise ServiceUnavailable(
            f"DNS gave no usable answer for {name[:-1]} ({type(exc).__name__}); type the server's address (https://…)"
        ) from None


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _resolver(nameserver: Nameserver | None) -> dns.asyncresolver.Resolver:
    if nameserver is None:
        try:
            return dns.asyncresolver.Resolver()
        except dns.exception.DNSException:
            raise ServiceUnavailable(
                "this box has no DNS server to ask; type the server's address (https://…)"
            ) from None
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [nameserver.ip]
    resolver.port = nameserver.port
    return resolver


def _domain_of(text: str) -> str:
    """The domain of `alex@example.com` or `example.com`, as DNS spells it (IDNA), or InvalidInput."""
    domain = text.rpartition("@")[2].strip().rstrip(".")
    if "@" in text and not text.rpartition("@")[0].strip():
        raise InvalidInput(f"{text[:200]!r} is not an email address")
    try:
        host, _ = split_url(f"https://{domain}/")
    except InvalidInput:
        host = ""
    if not host or any(c in domain for c in "/:?#[]\\ ") or "." not in host.strip("."):
        raise InvalidInput(
            f"{text[:200]!r} is not a domain or an email address; type example.com, alex@example.com "
            "or the server's address (https://…)"
        )
    if _is_ip(host):
        raise InvalidInput(f"for a server by its IP address, type its web address: https://{host}/")
    return host.lower()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
