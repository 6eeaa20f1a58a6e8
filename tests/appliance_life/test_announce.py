"""atom.local: avahi's service file where avahi runs, python-zeroconf's announcement only where not."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from zeroconf import AddressResolver, IPVersion, Zeroconf

from appliance.system.announce import SERVICE_TYPE, Announcer, Choice, avahi_running, choose
from appliance.system.network import own_hosts, service_host
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_a_listening_avahi_socket_counts_a_stale_file_does_not(tmp_path: Path) -> None:
    path = tmp_path / "socket"
    assert not avahi_running(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as daemon:
        daemon.bind(str(path))
        daemon.listen()
        assert avahi_running(path)
    assert path.exists() and not avahi_running(path)  # the daemon died, its socket file stayed


@pytest.mark.parametrize(
    ("host", "avahi", "expected"),
    [
        ("0.0.0.0", True, Choice.AVAHI),
        ("0.0.0.0", False, Choice.ZEROCONF),
        ("192.168.1.20", False, Choice.ZEROCONF),
        ("::", False, Choice.ZEROCONF),
        ("127.0.0.1", False, Choice.NONE),
        ("localhost", False, Choice.NONE),
        ("::1", True, Choice.NONE),
    ],
)
def test_the_choice(host: str, avahi: bool, expected: Choice) -> None:
    assert choose(host, avahi) is expected


def test_the_avahi_service_file_announces_http_on_atoms_port() -> None:
    service = ET.parse(ROOT / "systemd" / "avahi" / "atom.service").getroot().find("service")
    assert service is not None
    assert service.findtext("type") == "_http._tcp" and service.findtext("port") == "8080"
    assert "avahi/atom.service" in (ROOT / "systemd" / "install.sh").read_text()


def test_atom_answers_to_the_name_its_announcement_points_at() -> None:
    assert service_host() in own_hosts()
    assert service_host() != f"{socket.gethostname().split('.')[0].lower()}.local"


@pytest.fixture
def browser() -> Iterator[Zeroconf]:
    other = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    yield other
    other.close()


def test_a_real_announcement_is_found_on_loopback_and_never_claims_the_host_name(browser: Zeroconf) -> None:
    port = free_port()
    announcer = Announcer(port, addresses=["127.0.0.1"], interfaces=["127.0.0.1"])
    try:
        found = browser.get_service_info(SERVICE_TYPE, announcer.name, timeout=5000)
        assert found is not None and found.port == port
        assert found.server == service_host() + "." and found.parsed_addresses() == ["127.0.0.1"]
        own_name = AddressResolver(f"{socket.gethostname().split('.')[0].lower()}.local.")
        assert not own_name.request(browser, 1500)  # no answer for the box's host name from Atom
    finally:
        announcer.close()
    gone = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        assert gone.get_service_info(SERVICE_TYPE, announcer.name, timeout=1500) is None  # said goodbye
    finally:
        gone.close()
