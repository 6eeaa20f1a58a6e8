"""A calendar home on another host than the account's (iCloud's way): followed under the narrow rule of
appliance/organizer/caldav/sites.py, end to end against a real Radicale; and every refusal of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from appliance.system.tls import TlsFiles, create_household_tls
from tests.fakes.icloud_caldav import ICloudFront
from tests.organizer.hosts import Names, public_ca
from tests.organizer.radicale import PASSWORD, USER, Radicale, start_radicale

pytestmark = pytest.mark.process

MARCH = {"start": "2025-03-01T00:00:00", "end": "2025-05-01T00:00:00"}
FRONT, HOME = "caldav.example.test", "p07-caldav.example.test"


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TlsFiles:
    hosts = [FRONT, HOME, "p08-caldav.example.test", "p07-caldav.elsewhere.test"]
    return public_ca(tmp_path / "ca", hosts, monkeypatch)


@pytest.fixture
def radicale(tmp_path: Path, tls: TlsFiles, names: Names) -> Iterator[Radicale]:
    names[HOME] = "127.0.0.1"
    server = start_radicale(tmp_path / "radicale", tls=tls)
    yield server
    server.stop()


@pytest.fixture
def front(tls: TlsFiles, radicale: Radicale, names: Names) -> Iterator[ICloudFront]:
    names[FRONT] = "127.0.0.1"
    with ICloudFront(tls.server_cert, tls.server_key, USER, PASSWORD, home=_home(radicale)) as server:
        yield server


def _home(radicale: Radicale, host: str = HOME, scheme: str = "https") -> str:
    return f"{scheme}://{host}:{_port(radicale)}/{USER}/"


def _port(radicale: Radicale) -> int:
    return int(radicale.url.rsplit(":", 1)[1].strip("/"))


def _account(client: TestClient, url: str, **extra: object) -> httpx.Response:
    body = {"label": "iCloud", "url": url, "username": USER, "password": PASSWORD, "shared": True, **extra}
    return client.post("/api/caldav/accounts", json=body)


def _calendars(client: TestClient, account: dict) -> httpx.Response:
    return client.get(f"/api/caldav/accounts/{account['id']}/calendars")


def _phone_event(radicale: Radicale, uid: str, title: str) -> None:
    radicale.calendar("family").save_event(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
        f"DTSTAMP:20250301T000000Z\r\nDTSTART:20250326T180000Z\r\nDURATION:PT1H\r\nSUMMARY:{title}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_a_calendar_home_on_another_host_of_the_same_domain_syncs_both_ways(
    household: TestClient, front: ICloudFront, radicale: Radicale
) -> None:
    _phone_event(radicale, "x@phone", "From the phone")
    added = _account(household, f"https://{FRONT}:{front.port}/")
    assert added.status_code == 201, added.text
    account = added.json()
    listed = _calendars(household, account)
    assert listed.status_code == 200, listed.text
    [found] = listed.json()
    assert found["url"] == _home(radicale) + "family/"  # the calendar's own address, on the other host
    assert ("PROPFIND", "/1234567/principal/") in front.requests

    link = {"account_id": account["id"], "remote_url": found["url"]}
    assert household.put("/api/calendars/household/caldav", json=link).status_code == 200
    synced = household.post("/api/calendars/household/sync")
    assert synced.status_code == 200 and synced.json()["pulled"] == 1, synced.text
    assert [e["title"] for e in household.get("/api/events", params=MARCH).json()] == ["From the phone"]

    event = {"calendar_id": "household", "title": "From Atom", "starts": "2025-03-27T09:00:00"}
    assert household.post("/api/events", json=event).status_code == 201
    pushed = household.post("/api/calendars/household/sync")
    assert pushed.status_code == 200 and pushed.json()["pushed"] == 1, pushed.text
    titles = {str(e.icalendar_component["SUMMARY"]) for e in radicale.calendar("family").events()}
    assert titles == {"From the phone", "From Atom"}
    asked_front = {path for _, path in front.requests}
    assert asked_front <= {"/", "/.well-known/caldav", "/1234567/principal/"}  # items went to the home's host


@pytest.mark.parametrize(
    ("home", "reason"),
    [
        ("https://p07-caldav.elsewhere.test:{port}/ada/", "not in the account server's own domain"),
        ("http://p07-caldav.example.test:{port}/ada/", "never plain http"),
        ("https://127.0.0.1:{port}/ada/", "not on a host name"),
    ],
)
def test_a_home_outside_the_rule_is_refused_naming_it(
    household: TestClient, front: ICloudFront, radicale: Radicale, names: Names, home: str, reason: str
) -> None:
    names["p07-caldav.elsewhere.test"] = "127.0.0.1"
    front.home = home.format(port=_port(radicale))
    account = _account(household, f"https://{FRONT}:{front.port}/").json()
    refused = _calendars(household, account)
    assert refused.status_code == 400, refused.text
    assert f"pointed at {front.home}" in refused.json()["detail"] and reason in refused.json()["detail"]


def test_a_remote_calendar_outside_the_rule_cannot_be_linked(household: TestClient, front: ICloudFront) -> None:
    account = _account(household, f"https://{FRONT}:{front.port}/").json()
    for remote in ("https://calendar.elsewhere.test/ada/family/", "http://p07-caldav.example.test/ada/family/"):
        link = {"account_id": account["id"], "remote_url": remote}
        refused = household.put("/api/calendars/household/caldav", json=link)
        assert refused.status_code == 400 and "must be on the account's own server" in refused.json()["detail"]


def test_the_other_host_meets_the_same_address_check(
    household: TestClient, front: ICloudFront, radicale: Radicale, names: Names
) -> None:
    names["p08-caldav.example.test"] = "0.0.0.0"
    front.home = _home(radicale, host="p08-caldav.example.test")
    account = _account(household, f"https://{FRONT}:{front.port}/").json()
    refused = _calendars(household, account)
    assert refused.status_code == 400 and "will not connect to p08-caldav.example.test" in refused.json()["detail"]


def test_the_other_host_needs_a_certificate_an_authority_signed_for_its_name(
    household: TestClient, front: ICloudFront, radicale: Radicale, tmp_path: Path, names: Names
) -> None:
    stranger = create_household_tls(tmp_path / "stranger", ["p08-caldav.example.test"], ["127.0.0.1"])
    other = start_radicale(tmp_path / "other", tls=stranger)
    try:
        names["p08-caldav.example.test"] = "127.0.0.1"
        front.home = _home(other, host="p08-caldav.example.test")
        account = _account(household, f"https://{FRONT}:{front.port}/").json()
        refused = _calendars(household, account)
        assert refused.status_code == 400 and "no authority this box knows signed" in refused.json()["detail"]
    finally:
        other.stop()


def test_a_pinned_certificate_is_not_stretched_to_another_host(
    household: TestClient, radicale: Radicale, tmp_path: Path, names: Names
) -> None:
    own = create_household_tls(tmp_path / "own-ca", [FRONT], ["127.0.0.1"])  # a CA nobody trusts: pinned
    names[FRONT] = "127.0.0.1"
    with ICloudFront(own.server_cert, own.server_key, USER, PASSWORD, home=_home(radicale)) as pinned_front:
        url = f"https://{FRONT}:{pinned_front.port}/"
        seen = household.post("/api/caldav/certificate", json={"url": url, "shared": True}).json()
        assert seen["trusted"] is False
        account = _account(household, url, cert_sha256=seen["sha256"]).json()
        refused = _calendars(household, account)
    assert refused.status_code == 400, refused.text
    assert "trusts one certificate of its own server's" in refused.json()["detail"]
