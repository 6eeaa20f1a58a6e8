"""Finding a CalDAV server from a domain or an email address in DNS (RFC 6764 §6): a loopback DNS
server (tests/fakes/dns_server.py) set as `organizer.caldav_nameserver`, a real Radicale behind the
names it gives, and what Atom refuses on the way."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from appliance.errors import ConfigError
from appliance.organizer.caldav import locate
from appliance.settings import Settings, load_settings
from appliance.system.tls import TlsFiles
from tests.fakes.dns_server import FakeDNS
from tests.organizer.hosts import Names, public_ca
from tests.organizer.radicale import PASSWORD, USER, Radicale, start_radicale

pytestmark = pytest.mark.process

MARCH = {"start": "2025-03-01T00:00:00", "end": "2025-05-01T00:00:00"}


@pytest.fixture
def dns() -> Iterator[FakeDNS]:
    with FakeDNS() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, dns: FakeDNS) -> Settings:
    """The root fixture's settings, with the fake as the DNS server CalDAV discovery asks."""
    server = {"allowed_hosts": ["testserver.local", "testserver"]}
    organizer = {"caldav_nameserver": dns.address}
    data = tmp_path / "data"
    return load_settings(environ={}, data_dir=data, log={"format": "text"}, server=server, organizer=organizer)


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TlsFiles:
    return public_ca(tmp_path / "ca", ["dav.example.test"], monkeypatch)


@pytest.fixture
def radicale(tmp_path: Path, tls: TlsFiles, names: Names) -> Iterator[Radicale]:
    names["dav.example.test"] = "127.0.0.1"
    server = start_radicale(tmp_path / "radicale", tls=tls)
    yield server
    server.stop()


def _port(radicale: Radicale) -> int:
    return int(radicale.url.rsplit(":", 1)[1].strip("/"))


def _account(client: TestClient, address: str, shared: bool = True, **extra: object) -> httpx.Response:
    body = {"label": "Mail", "url": address, "username": USER, "password": PASSWORD, "shared": shared, **extra}
    return client.post("/api/caldav/accounts", json=body)


def test_an_email_address_finds_the_server_by_srv_and_its_txt_path(
    household: TestClient, dns: FakeDNS, radicale: Radicale
) -> None:
    srv = [f"0 1 {_port(radicale)} dav.example.test.", "5 1 443 spare.example.test."]  # the lower priority first
    dns.add("_caldavs._tcp.example.test", "SRV", *srv)
    dns.add("_caldavs._tcp.example.test", "TXT", '"path=/ada/"')
    radicale.calendar("family").save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:d@phone\r\n"
        "DTSTAMP:20250301T000000Z\r\nDTSTART:20250326T180000Z\r\nDURATION:PT1H\r\nSUMMARY:Found in DNS\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    seen = household.post("/api/caldav/certificate", json={"url": "example.test", "shared": True})
    assert seen.status_code == 200, seen.text
    assert (seen.json()["url"], seen.json()["trusted"]) == (f"https://dav.example.test:{_port(radicale)}/ada/", True)

    added = _account(household, "alex@example.test")
    assert added.status_code == 201, added.text
    account = added.json()
    assert account["url"] == f"https://dav.example.test:{_port(radicale)}/ada/"  # kept: no DNS on every sync
    [found] = household.get(f"/api/caldav/accounts/{account['id']}/calendars").json()
    link = {"account_id": account["id"], "remote_url": found["url"]}
    assert household.put("/api/calendars/household/caldav", json=link).status_code == 200
    synced = household.post("/api/calendars/household/sync")
    assert synced.status_code == 200 and synced.json()["pulled"] == 1, synced.text
    assert [e["title"] for e in household.get("/api/events", params=MARCH).json()] == ["Found in DNS"]
    assert ("_caldav._tcp.example.test.", "SRV") not in dns.asked  # https was found: plain http never asked


def test_without_a_txt_path_the_targets_well_known_address_is_asked(
    household: TestClient, dns: FakeDNS, radicale: Radicale
) -> None:
    dns.add("_caldavs._tcp.example.test", "SRV", f"0 1 {_port(radicale)} dav.example.test.")
    radicale.calendar("family")
    added = _account(household, "example.test")
    assert added.status_code == 201, added.text
    assert added.json()["url"] == f"https://dav.example.test:{_port(radicale)}/"
    listed = household.get(f"/api/caldav/accounts/{added.json()['id']}/calendars")
    assert listed.status_code == 200 and [c["name"] for c in listed.json()] == ["Family"], listed.text


def test_with_no_srv_record_the_domains_own_well_known_address_is_asked(
    robin: TestClient, dns: FakeDNS, names: Names
) -> None:
    names["home.test"] = "127.0.0.1"  # a member's own account: the domain's server must be on the internet
    refused = _account(robin, "robin@home.test", shared=False)
    assert refused.status_code == 400 and "will not connect to home.test" in refused.json()["detail"]
    assert dns.asked == [("_caldavs._tcp.home.test.", "SRV")]
    nameserver = locate.Nameserver(*dns.address.split(":")[:1], int(dns.address.rsplit(":", 1)[1]))
    found = asyncio.run(locate.account_url("home.test", plain_http=False, nameserver=nameserver))
    assert found == "https://home.test/"  # where the client then asks /.well-known/caldav


def test_plain_http_is_looked_up_only_when_the_member_allows_it(
    household: TestClient, dns: FakeDNS, names: Names, tmp_path: Path
) -> None:
    plain = start_radicale(tmp_path / "plain")
    try:
        names["dav.lan.test"] = "127.0.0.1"
        dns.add("_caldav._tcp.lan.test", "SRV", f"0 1 {_port(plain)} dav.lan.test.")
        unasked = _account(household, "lan.test")
        assert unasked.status_code == 400 and "cannot find the server lan.test" in unasked.json()["detail"]
        assert ("_caldav._tcp.lan.test.", "SRV") not in dns.asked
        allowed = _account(household, "lan.test", plain_http=True)
        assert allowed.status_code == 201, allowed.text
        assert allowed.json()["url"] == f"http://dav.lan.test:{_port(plain)}/"
        listed = household.get(f"/api/caldav/accounts/{allowed.json()['id']}/calendars")
        assert listed.status_code == 200, listed.text
    finally:
        plain.stop()


def test_an_srv_target_atom_may_not_reach_is_refused(
    robin: TestClient, household: TestClient, dns: FakeDNS, names: Names, settings: Settings
) -> None:
    names["intranet.example.test"] = "192.168.1.10"
    dns.add("_caldavs._tcp.example.test", "SRV", "0 1 443 intranet.example.test.")
    own = _account(robin, "robin@example.test", shared=False)
    assert own.status_code == 400, own.text
    assert "will not connect to intranet.example.test" in own.json()["detail"]
    assert "household network" in own.json()["detail"]

    names["cal.atom.test"] = "127.0.0.1"  # not even an admin's account may reach Atom itself
    dns.add("_caldavs._tcp.atom.test", "SRV", f"0 1 {settings.server.port} cal.atom.test.")
    itself = _account(household, "atom.test")
    assert itself.status_code == 400 and "that is Atom itself" in itself.json()["detail"]
    assert household.get("/api/caldav/accounts").json() == []


def test_a_server_in_another_domain_is_shown_not_followed(household: TestClient, dns: FakeDNS, names: Names) -> None:
    """RFC 6764 §8: DNS is not signed, so a target outside the domain waits for the member to type it."""
    names["caldav.provider.test"] = "127.0.0.1"
    dns.add("_caldavs._tcp.example.test", "SRV", "0 1 8443 caldav.provider.test.")
    dns.add("_caldavs._tcp.example.test", "TXT", '"path=/dav/"')
    for ask in (
        lambda: _account(household, "alex@example.test"),
        lambda: household.post("/api/caldav/certificate", json={"url": "example.test", "shared": True}),
    ):
        refused = ask()
        assert refused.status_code == 400, refused.text
        assert "names a server in another domain, https://caldav.provider.test:8443/dav/" in refused.json()["detail"]
    assert household.get("/api/caldav/accounts").json() == []


def test_a_domain_that_says_it_has_no_caldav_or_is_not_a_domain_is_told_so(household: TestClient, dns: FakeDNS) -> None:
    dns.add("_caldavs._tcp.nocal.test", "SRV", "0 0 443 .")
    none = _account(household, "nocal.test")
    assert none.status_code == 400 and "offers no CalDAV server" in none.json()["detail"]
    dns.add("_caldavs._tcp.shaped.test", "SRV", "0 1 443 evil.test/x.shaped.test.")  # would make the host evil.test
    shaped = _account(household, "shaped.test")
    assert shaped.status_code == 400 and "not a host name" in shaped.json()["detail"]
    for typed in ("not a domain", "192.168.1.5", "@nocal.test", "single"):
        bad = _account(household, typed)
        assert bad.status_code == 400, (typed, bad.text)


def test_a_dns_server_that_does_not_answer_is_a_clear_message(
    household: TestClient, dns: FakeDNS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locate, "LOOKUP_SECONDS", 1.0)
    dns.silent = True
    slow = _account(household, "alex@example.test")
    assert slow.status_code == 503
    assert "did not answer within 1 seconds" in slow.json()["detail"]
    assert "_caldavs._tcp.example.test" in slow.json()["detail"]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", None),
        ("192.0.2.53", locate.Nameserver("192.0.2.53", 53)),
        ("192.0.2.53:5353", locate.Nameserver("192.0.2.53", 5353)),
        ("2001:db8::53", locate.Nameserver("2001:db8::53", 53)),
        ("[2001:db8::53]:5353", locate.Nameserver("2001:db8::53", 5353)),
    ],
)
def test_the_nameserver_setting_is_an_address_and_port(setting: str, expected: locate.Nameserver | None) -> None:
    assert locate.nameserver_from(setting) == expected


def test_a_nameserver_setting_that_is_no_address_stops_start_up(tmp_path: Path) -> None:
    for bad in ("dns.example", "192.0.2.53:99999", "1.2.3.4; rm"):
        with pytest.raises(ConfigError):
            locate.nameserver_from(bad)
    with pytest.raises(ConfigError, match="caldav_nameserver"):
        load_settings(environ={"ATOM_ORGANIZER_CALDAV_NAMESERVER": "dns.example"}, data_dir=tmp_path)
