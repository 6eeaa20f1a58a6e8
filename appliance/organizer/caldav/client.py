"""A CalDAV server, as Atom talks to it: httpx through the guarded transport, ETags on every write.

Every connection is checked on the address it goes to (appliance/ai/outbound): a member's own
account reaches servers on the internet only; a household account (an admin's) the LAN too;
nobody's reaches Atom's own port. Redirects are not followed and answers are capped in size.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from appliance.ai.outbound import GuardedAsyncTransport, Targets
from appliance.errors import AddressRefused, InvalidInput, ServiceUnavailable
from appliance.organizer.caldav import sites, webdav
from appliance.organizer.caldav.trust import CertificateChanged, CertificateUntrusted, pinned_context
from appliance.organizer.caldav.webdav import CALDAV, DAV, Changes, Collection

__all__ = [
    "CalDAVClient",
    "TokenExpired",
    "Refused",
    "PreconditionFailed",
    "CredentialsRefused",
    "ServerUnreachable",
    "open_client",
    "MAX_BODY",
]

MAX_BODY = 20 * 1024 * 1024
_REDIRECTS = 4  # /.well-known/caldav may redirect a few times before the server's own path
_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_XML = {"Content-Type": "application/xml; charset=utf-8"}


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: httpx.Headers
    content: bytes


class TokenExpired(Exception):
    """The server no longer knows our sync token: list everything again."""


class Refused(Exception):
    """The server refused a request (not the token): e.g. it has no sync-collection report."""


class PreconditionFailed(Exception):
    """412: the resource changed on the server since the ETag we sent."""


class CredentialsRefused(InvalidInput):
    """401/403: the server did not take the account's user name and password."""


class ServerUnreachable(ServiceUnavailable):
    """No answer: the server is off, the address is wrong, or the network is down."""


@asynccontextmanager
async def open_client(
    base_url: str, username: str, password: str, targets: Targets, pinned_pem: str | None = None
) -> AsyncIterator[CalDAVClient]:
    """A client for one account; `pinned_pem`: the one certificate it trusts (see trust.py), else the system's."""
    tls = pinned_context(pinned_pem) if pinned_pem else httpx.create_ssl_context()
    transport = GuardedAsyncTransport(targets, tls)
    async with httpx.AsyncClient(
        transport=transport,
        auth=httpx.BasicAuth(username, password),
        timeout=_TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": "Atom household organizer"},
    ) as http:
        yield CalDAVClient(http, base_url, pinned=pinned_pem is not None)


class CalDAVClient:
    """Signed in at `base_url` (the account's address); `here`: what the hrefs it is given are relative to."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, pinned: bool = False, here: str | None = None) -> None:
        self._http = http
        self.base_url = base_url
        self._pinned = pinned
        self._here = here or base_url

    def at(self, collection: str) -> CalDAVClient:
        """The same client, for one collection: its items' hrefs (paths) are on the collection's host,
        which may be another than the account's (see sites.py)."""
        sites.check_reachable(collection, self.base_url, pinned=self._pinned)
        return CalDAVClient(self._http, self.base_url, self._pinned, here=collection)

    async def discover(self) -> list[Collection]:
        """The calendars of the account: the URL itself if it is one, else those in its home, found
        from the server's address (RFC 6764), the member's principal (RFC 5397) and its home set."""
        start = await self._context_path()
        props = [(DAV, "current-user-principal"), (CALDAV, "calendar-home-set"), (DAV, "resourcetype")]
        principal, home, is_calendar = webdav.parse_principal(await self._propfind(start, 0, props), start)
        if is_calendar:
            return webdav.parse_collections(await self._propfind(start, 0, _LISTING), start)
        if home is None and principal is not None:
            _, home, _ = webdav.parse_principal(await self._propfind(principal, 0, props), principal)
        listed = home or start
        return webdav.parse_collections(await self._propfind(listed, 1, _LISTING), listed)

    async def _context_path(self) -> str:
        """For a bare server address, where its /.well-known/caldav leads (RFC 6764); else the address given."""
        if urlsplit(self.base_url).path not in ("", "/"):
            return self.base_url
        here = urljoin(self.base_url, "/.well-known/caldav")
        body = webdav.propfind_body((DAV, "current-user-principal"))
        for _ in range(_REDIRECTS):
            answer = await self._send("PROPFIND", here, body, {"Depth": "0", **_XML})
            if answer.status_code == 207:
                return here
            target = answer.headers.get("location") if 300 <= answer.status_code < 400 else None
            if not target:
                break
            here = self._redirected(here, target)
        return self.base_url

    def _redirected(self, here: str, location: str) -> str:
        target = urljoin(here, location)
        reason = sites.refusal(target, self.base_url, pinned=self._pinned)
        if reason is not None:
            raise InvalidInput(
                f"the server's /.well-known/caldav leads to another address ({target[:200]}); "
                f"add the account with that address if you trust it ({reason})"
            )
        return target

    async def changes_since(self, collection: str, token: str | None) -> Changes:
        """RFC 6578: what changed since `token` (everything when None)."""
        response = await self._send("REPORT", collection, webdav.sync_body(token or ""), {"Depth": "1", **_XML})
        if response.status_code in (403, 409, 412) and b"valid-sync-token" in response.content:
            raise TokenExpired()
        if response.status_code in (400, 403, 404, 405, 501):
            raise Refused(f"{response.status_code}")
        _check(response, "list changes")
        return webdav.parse_changes(response.content, collection)

    async def etags(self, collection: str) -> dict[str, str | None]:
        """Every object's ETag, for servers without sync-collection."""
        listing = await self._propfind(collection, 1, [(DAV, "getetag"), (DAV, "resourcetype")])
        return webdav.parse_etags(listing, collection)

    async def get(self, href: str) -> tuple[bytes, str | None] | None:
        """The object and its ETag; None when it is gone."""
        response = await self._send("GET", href)
        if response.status_code == 404:
            return None
        _check(response, "read an item")
        return response.content, response.headers.get("etag")

    async def put(self, href: str, body: bytes, etag: str | None) -> str | None:
        """Write only over the version we know (If-Match), or only create (If-None-Match: *)."""
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        response = await self._send("PUT", href, body, headers)
        if response.status_code == 412:
            raise PreconditionFailed(href)
        _check(response, "save an item")
        return response.headers.get("etag")

    async def delete(self, href: str, etag: str | None) -> None:
        response = await self._send("DELETE", href, headers={"If-Match": etag} if etag else {})
        if response.status_code == 412:
            raise PreconditionFailed(href)
        if response.status_code != 404:
            _check(response, "delete an item")

    def url_of(self, href: str) -> str:
        return urljoin(self._here, href)

    async def _propfind(self, url: str, depth: int, props: list[tuple[str, str]]) -> bytes:
        response = await self._send("PROPFIND", url, webdav.propfind_body(*props), {"Depth": str(depth), **_XML})
        _check(response, "look at the calendar")
        return response.content

    async def _send(
        self, method: str, href: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        url = self.url_of(href)
        sites.check_reachable(url, self.base_url, pinned=self._pinned)
        try:
            async with self._http.stream(method, url, content=body, headers=headers or {}) as response:
                return Answer(response.status_code, response.headers, await _read_capped(response))
        except AddressRefused:
            raise
        except httpx.HTTPError as exc:
            where = urlsplit(url).netloc
            refusal = _certificate_refusal(exc)
            if refusal is not None:
                raise self._certificate_problem(where, refusal) from None
            raise ServerUnreachable(f"the CalDAV server at {where} is not reachable ({type(exc).__name__})") from None

    def _certificate_problem(self, where: str, refusal: ssl.SSLCertVerificationError) -> InvalidInput:
        reason = str(refusal.verify_message or "")
        if "expired" in reason or "not yet valid" in reason:
            return CertificateUntrusted(f"the certificate of the CalDAV server at {where} {reason}; renew it there")
        if self._pinned:
            return CertificateChanged(f"the CalDAV server at {where} shows another certificate than the one trusted")
        return CertificateUntrusted(
            f"the CalDAV server at {where} has a certificate no authority this box knows signed; "
            "check its fingerprint and trust it"
        )


def _certificate_refusal(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """httpx wraps the TLS failure; the verification error is somewhere in its causes."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


_LISTING = [(DAV, "resourcetype"), (DAV, "displayname"), (CALDAV, "supported-calendar-component-set")]


async def _read_capped(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise ServiceUnavailable("the CalDAV server's answer is larger than Atom accepts")
        chunks.append(chunk)
    return b"".join(chunks)


def _check(response: Answer, doing: str) -> None:
    if response.status_code in (401, 403):
        raise CredentialsRefused(f"the CalDAV server refused the user name or password (to {doing}); check the account")
    if response.status_code >= 300:
        raise ServiceUnavailable(f"the CalDAV server answered {response.status_code} when Atom tried to {doing}")
