"""The WebDAV/CalDAV requests Atom sends and the one place their XML becomes our types.

RFC 4918 (PROPFIND), RFC 4791 (CalDAV), RFC 6578 (sync-collection). The XML comes from a server
someone else runs: it is parsed with the standard library's expat, which refuses entity
expansion bombs, from a body Atom has already capped in size.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from appliance.errors import InvalidInput

__all__ = [
    "DAV",
    "CALDAV",
    "Collection",
    "Changes",
    "propfind_body",
    "sync_body",
    "parse_collections",
    "parse_principal",
    "parse_changes",
    "parse_etags",
]

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
_NS = {"d": DAV, "c": CALDAV}
ET.register_namespace("d", DAV)
ET.register_namespace("c", CALDAV)


@dataclass(frozen=True)
class Collection:
    url: str
    name: str
    components: tuple[str, ...]
    """What it holds: VEVENT, VTODO (empty when the server does not say)."""


@dataclass
class Changes:
    """What a sync-collection report says changed since a token: href → ETag, and hrefs gone."""

    token: str
    changed: dict[str, str | None] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)


def propfind_body(*props: tuple[str, str]) -> bytes:
    root = ET.Element(f"{{{DAV}}}propfind")
    prop = ET.SubElement(root, f"{{{DAV}}}prop")
    for namespace, name in props:
        ET.SubElement(prop, f"{{{namespace}}}{name}")
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def sync_body(token: str) -> bytes:
    root = ET.Element(f"{{{DAV}}}sync-collection")
    ET.SubElement(root, f"{{{DAV}}}sync-token").text = token
    ET.SubElement(root, f"{{{DAV}}}sync-level").text = "1"
    prop = ET.SubElement(root, f"{{{DAV}}}prop")
    ET.SubElement(prop, f"{{{DAV}}}getetag")
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def parse_principal(body: bytes, base: str) -> tuple[str | None, str | None, bool]:
    """(principal URL, calendar-home URL, whether `base` is itself a calendar) from a Depth 0 PROPFIND."""
    root = _xml(body)
    principal = root.find(".//d:current-user-principal/d:href", _NS)
    home = root.find(".//c:calendar-home-set/d:href", _NS)
    is_calendar = root.find(".//d:resourcetype/c:calendar", _NS) is not None
    return (_absolute(base, principal), _absolute(base, home), is_calendar)


def parse_collections(body: bytes, base: str) -> list[Collection]:
    """The calendars in a Depth 1 PROPFIND of a calendar home (or of one calendar)."""
    found = []
    for response in _xml(body).findall("d:response", _NS):
        if response.find(".//d:resourcetype/c:calendar", _NS) is None:
            continue
        href = _absolute(base, response.find("d:href", _NS))
        if href is None:
            continue
        name = response.findtext(".//d:displayname", default="", namespaces=_NS).strip()
        components = tuple(
            c.get("name", "") for c in response.findall(".//c:supported-calendar-component-set/c:comp", _NS)
        )
        found.append(Collection(url=href, name=name or _last_segment(href), components=components))
    return found


def parse_changes(body: bytes, base: str) -> Changes:
    root = _xml(body)
    changes = Changes(token=root.findtext("d:sync-token", default="", namespaces=_NS).strip())
    collection = urlsplit(base).path.rstrip("/")
    for response in root.findall("d:response", _NS):
        href = _path(base, response.findtext("d:href", default="", namespaces=_NS))
        if not href or href.rstrip("/") == collection:
            continue
        status = response.findtext("d:status", default="", namespaces=_NS)
        if " 404" in status:
            changes.deleted.add(href)
        else:
            changes.changed[href] = response.findtext(".//d:getetag", default=None, namespaces=_NS)
    return changes


def parse_etags(body: bytes, base: str) -> dict[str, str | None]:
    """href → ETag of every calendar object in a Depth 1 PROPFIND of the collection."""
    collection = urlsplit(base).path.rstrip("/")
    etags: dict[str, str | None] = {}
    for response in _xml(body).findall("d:response", _NS):
        href = _path(base, response.findtext("d:href", default="", namespaces=_NS))
        if href and href.rstrip("/") != collection and response.find(".//d:resourcetype/d:collection", _NS) is None:
            etags[href] = response.findtext(".//d:getetag", default=None, namespaces=_NS)
    return etags


def _xml(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise InvalidInput(f"the CalDAV server's answer is not XML Atom can read ({exc})") from None


def _absolute(base: str, element: ET.Element | None) -> str | None:
    text = (element.text or "").strip() if element is not None else ""
    return urljoin(base, text) if text else None


def _path(base: str, href: str) -> str:
    """A response href as an absolute path on the server, still percent-encoded (how Atom keeps it)."""
    return urlsplit(urljoin(base, href.strip())).path if href.strip() else ""


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
