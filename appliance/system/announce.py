"""Atom on the LAN by name: an `_http._tcp` service a phone or laptop finds without an address.

Where avahi-daemon runs (the image, most Debian desktops), it announces Atom from the static
service file `systemd/avahi/atom.service`, and owns the box's host name (`atom.local`); Atom does
nothing. Only where no avahi runs does Atom announce the service itself with python-zeroconf,
and then never the box's host name: the service points at a name of its own
(`<host>-atom.local`, see `network.service_host`), so it cannot fight whatever else answers for
the host name. Listening on loopback only, nobody could reach Atom, so nothing is announced.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from enum import Enum
from pathlib import Path

from appliance.system.network import lan_addresses, service_host

__all__ = ["Announcer", "Choice", "avahi_running", "choose", "SERVICE_TYPE"]

SERVICE_TYPE = "_http._tcp.local."
AVAHI_SOCKET = Path("/run/avahi-daemon/socket")
log = logging.getLogger("appliance.system.announce")


class Choice(Enum):
    AVAHI = "avahi"  # avahi-daemon announces from its service file
    ZEROCONF = "zeroconf"  # Atom announces the service itself
    NONE = "none"  # listening where no other device can reach it


def avahi_running(socket_path: Path = AVAHI_SOCKET) -> bool:
    """True when avahi-daemon answers on its socket (a stale socket file is not a running daemon)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        try:
            probe.connect(str(socket_path))
        except OSError:
            return False
    return True


def choose(host: str, avahi: bool) -> Choice:
    if _loopback(host):
        return Choice.NONE
    return Choice.AVAHI if avahi else Choice.ZEROCONF


def _loopback(host: str) -> bool:
    if host in ("", "0.0.0.0", "::"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Announcer:
    """The service announced with python-zeroconf until `close()` (which says goodbye on the LAN)."""

    def __init__(self, port: int, addresses: list[str] | None = None, interfaces: list[str] | None = None) -> None:
        from zeroconf import IPVersion, ServiceInfo, Zeroconf  # only where it announces: keep start-up light

        shown = addresses if addresses is not None else lan_addresses()
        self.name = f"Atom on {socket.gethostname().split('.')[0]}.{SERVICE_TYPE}"
        self.info = ServiceInfo(
            SERVICE_TYPE,
            self.name,
            port=port,
            addresses=[socket.inet_aton(a) for a in shown],
            server=service_host() + ".",
            properties={"path": "/"},
        )
        self._zeroconf = Zeroconf(interfaces=interfaces or shown or ["127.0.0.1"], ip_version=IPVersion.V4Only)
        self._zeroconf.register_service(self.info, allow_name_change=True)
        log.info("announced %s on %s", self.name, ", ".join(shown))

    def close(self) -> None:
        self._zeroconf.unregister_service(self.info)
        self._zeroconf.close()
