"""Servers whose certificate no public authority signed (a NAS, a home server): trusted on first use.

On first contact Atom shows the certificate's SHA-256 fingerprint; the member compares it with the
one their server shows and trusts it. That one certificate is then kept with the account, and that
account's connections trust it alone (not the system's authorities, and never "no verification"):
the host name is not checked, because the exact certificate is. Another certificate later is
refused, and the sync says so.

The first look goes where every CalDAV connection goes, through the same address check
(appliance/ai/outbound), and carries no credentials.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass

import anyio
import httpx
from anyio.streams.tls import TLSAttribute
from cryptography import x509

from appliance.ai.outbound import Targets, check_addresses, resolve, split_url
from appliance.errors import InvalidInput, ServiceUnavailable

__all__ = [
    "CertificateUntrusted",
    "CertificateChanged",
    "Certificate",
    "first_look",
    "pinned_context",
    "fingerprint",
    "same_fingerprint",
]

_SECONDS = 10


class CertificateUntrusted(InvalidInput):
    """No authority this box knows signed the server's certificate, and the member has not trusted it."""


class CertificateChanged(InvalidInput):
    """The server shows another certificate than the one the member trusted."""


@dataclass(frozen=True)
class Certificate:
    pem: str
    sha256: str
    """AA:BB:…, as servers and browsers show it."""
    subject: str
    issuer: str
    not_after: str
    trusted: bool
    """Signed by an authority this box knows, for this host name: nothing to pin."""


def fingerprint(der: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def same_fingerprint(given: str, actual: str) -> bool:
    """Colons, spaces and case as the member typed or pasted them do not matter."""
    return _bare(given) == _bare(actual)


def pinned_context(pem: str) -> ssl.SSLContext:
    """Trust exactly this certificate (as its own anchor, so a leaf signed by a private CA works too)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the certificate itself is pinned, which is stronger than its name
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    context.load_verify_locations(cadata=pem)
    return context


async def first_look(url: str, targets: Targets) -> Certificate:
    """The certificate an https server shows, and whether this box's authorities vouch for it."""
    host, port = split_url(url)
    if not url.lower().startswith("https://"):
        raise InvalidInput("only an https:// address has a certificate to trust")
    try:
        addresses = await resolve(host, port, timeout=_SECONDS)
    except (OSError, TimeoutError, ValueError):
        raise InvalidInput(f"Atom cannot find the server {host}; check the address") from None
    check_addresses(host, port, addresses, targets)
    der = await _handshake(str(addresses[0]), port, host, _looking())
    try:
        await _handshake(str(addresses[0]), port, host, httpx.create_ssl_context())
        trusted = True
    except ssl.SSLCertVerificationError:
        trusted = False
    return _described(der, trusted)


async def _handshake(ip: str, port: int, host: str, context: ssl.SSLContext) -> bytes:
    try:
        with anyio.fail_after(_SECONDS):
            stream = await anyio.connect_tcp(
                ip, port, ssl_context=context, tls_hostname=host, tls_standard_compatible=False
            )  # closed without a TLS goodbye: nothing was sent, and some servers hang up first
    except ssl.SSLCertVerificationError:
        raise
    except (OSError, TimeoutError, ssl.SSLError, anyio.BrokenResourceError) as exc:
        problem = type(exc).__name__
        raise ServiceUnavailable(f"the server at {host}:{port} did not answer over TLS ({problem})") from None
    der = stream.extra(TLSAttribute.peer_certificate_binary)
    await anyio.aclose_forcefully(stream)
    if not der:
        raise ServiceUnavailable(f"the server at {host}:{port} showed no certificate")
    return der


def _looking() -> ssl.SSLContext:
    """Only to read the certificate shown: nothing is sent over this connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _described(der: bytes, trusted: bool) -> Certificate:
    try:
        parsed = x509.load_der_x509_certificate(der)
    except ValueError:
        raise ServiceUnavailable("the server's certificate is not one Atom can read") from None
    return Certificate(
        pem=ssl.DER_cert_to_PEM_cert(der),
        sha256=fingerprint(der),
        subject=parsed.subject.rfc4514_string()[:300],
        issuer=parsed.issuer.rfc4514_string()[:300],
        not_after=parsed.not_valid_after_utc.date().isoformat(),
        trusted=trusted,
    )


def _bare(text: str) -> str:
    return "".join(c for c in text.upper() if c in "0123456789ABCDEF")
