"""Adding a CalDAV account on the calendar page by typing only an email address: Atom (its own process,
with a loopback DNS server as `organizer.caldav_nameserver`) finds the server by SRV and TXT; one in
another domain is shown for the member to confirm by typing it, then its certificate, and the account
is added once the member trusts it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from atom_browser import ADMIN, ARTIFACTS, AtomServer
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from playwright.sync_api import Page, expect

from appliance.organizer.caldav.trust import fingerprint
from appliance.system.tls import create_household_tls
from tests.fakes.dns_server import FakeDNS
from tests.organizer.radicale import PASSWORD, USER, start_radicale
from tests.processes import AtomProcess, free_port


@pytest.fixture(scope="module")
def dns() -> Iterator[FakeDNS]:
    with FakeDNS() as server:
        yield server


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory, dns: FakeDNS) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"ATOM_LOG_FORMAT": "text", "ATOM_ORGANIZER_CALDAV_NAMESERVER": dns.address}
    data = tmp_path_factory.mktemp("atom-data")
    server = AtomProcess("serve", data, free_port(), ARTIFACTS / "server-test_browser_caldav_dns.log", env)
    server.start()
    yield server
    server.stop()


def test_an_email_address_is_enough_to_add_a_caldav_account(
    signed_in: Callable[..., Page], dns: FakeDNS, tmp_path: Path
) -> None:
    tls = create_household_tls(tmp_path / "tls", ["localhost"], ["127.0.0.1"])
    expected = fingerprint(x509.load_pem_x509_certificate(tls.server_cert.read_bytes()).public_bytes(Encoding.DER))
    radicale = start_radicale(tmp_path / "radicale", tls=tls)
    port = radicale.url.rsplit(":", 1)[1].strip("/")
    dns.add("_caldavs._tcp.example.test", "SRV", f"0 1 {port} localhost.")
    dns.add("_caldavs._tcp.example.test", "TXT", '"path=/ada/"')
    try:
        radicale.calendar("family")
        alex = signed_in(ADMIN)
        alex.goto("/calendar")
        expect(alex.get_by_text("A domain or an email address is enough")).to_be_visible()
        alex.get_by_label("Name", exact=True).fill("Mail")
        alex.get_by_label("Server address").fill("alex@example.test")
        alex.get_by_label("User name").fill(USER)
        alex.get_by_label("Password").fill(PASSWORD)
        alex.get_by_label("The household's account (it may be on the home network)").check()
        alex.get_by_role("button", name="Add account").click()
        found = f"https://localhost:{port}/ada/"  # not in example.test: shown, not followed (RFC 6764 §8)
        expect(alex.get_by_text(f"names a server in another domain, {found}")).to_be_visible()
        alex.get_by_label("Server address").fill(found)  # the member says it is their provider's
        alex.get_by_role("button", name="Add account").click()
        panel = alex.get_by_role("region", name="The server's certificate")
        expect(panel.locator("[data-cert-fingerprint]")).to_have_text(expected)
        expect(panel.locator("[data-cert-url]")).to_have_text(found)
        panel.get_by_role("button", name=re.compile("trust this certificate")).click()
        expect(alex.get_by_text("Account added.")).to_be_visible()
        alex.get_by_label("Account", exact=True).select_option(label="Mail")
        expect(alex.get_by_label("Remote calendar")).to_contain_text("Family")
        assert PASSWORD not in alex.content()
    finally:
        radicale.stop()
