"""What a CalDAV server says is read defensively: hrefs stay on its own server, bodies are XML or a 400."""

from __future__ import annotations

import pytest

from appliance.errors import InvalidInput
from appliance.organizer.caldav.webdav import parse_changes, parse_collections

BASE = "https://dav.example/ada/family/"


def test_hrefs_are_paths_on_the_collection_s_own_server() -> None:
    body = b"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:sync-token>t2</d:sync-token>
      <d:response><d:href>http://169.254.169.254/latest/meta-data</d:href>
        <d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
      </d:response>
      <d:response><d:href>/ada/family/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
      <d:response><d:href>/ada/family/</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response>
    </d:multistatus>"""
    changes = parse_changes(body, BASE)
    assert changes.token == "t2"
    assert changes.changed == {"/latest/meta-data": '"1"'}  # only the path: requests still go to dav.example
    assert changes.deleted == {"/ada/family/gone.ics"}


def test_a_calendar_home_lists_only_calendars() -> None:
    body = b"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
      <d:response><d:href>/ada/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype>
        </d:prop></d:propstat></d:response>
      <d:response><d:href>/ada/family/</d:href><d:propstat><d:prop><d:displayname>Family</d:displayname>
        <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
        <c:supported-calendar-component-set><c:comp name="VEVENT"/><c:comp name="VTODO"/>
        </c:supported-calendar-component-set>
        </d:prop></d:propstat></d:response>
    </d:multistatus>"""
    [family] = parse_collections(body, "https://dav.example/ada/")
    assert (family.url, family.name, family.components) == (BASE, "Family", ("VEVENT", "VTODO"))


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x>&c;&c;&c;&c;&c;</x>',
    ],
)
def test_a_body_that_is_not_plain_xml_is_refused_or_harmless(body: bytes) -> None:
    try:
        changes = parse_changes(body, BASE)
    except InvalidInput:
        return
    assert changes.changed == {} and changes.deleted == set()
