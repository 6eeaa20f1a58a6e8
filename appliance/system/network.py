"""The box's own names and addresses: what a person on the LAN types to reach Atom.

Read from the network interfaces (no packet is sent): the greeting of `atom serve` lists them,
and the allowed host names default to them, so a page on another site cannot reach Atom through
a DNS name it controls (DNS rebinding).
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

__all__ = ["lan_addresses", "box_names", "own_hosts", "service_host"]

_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def lan_addresses() -> list[str]:
    """IPv4 addresses of this box's interfaces other than loopback, in interface order."""
    found: list[str] = []
    for _, name in _interfaces():
        address = _ipv4_of(name)
        if address and not ipaddress.ip_address(address).is_loopback and address not in found:
            found.append(address)
    return found


def box_names() -> list[str]:
    """The host name, its `.local` mDNS form, and `localhost`."""
    host = socket.gethostname().split(".")[0].lower()
    names = [host, f"{host}.local"] if host and host != "localhost" else []
    return [*names, "localhost"]


def own_hosts() -> list[str]:
    """Every name and address this box answers to, loopback included."""
    return [*box_names(), service_host(), "127.0.0.1", "::1", *lan_addresses()]


def service_host() -> str:
    """The name Atom's own mDNS announcement points at (never the host name, which the OS owns)."""
    host = socket.gethostname().split(".")[0].lower() or "box"
    return f"{host}-atom.local"


def _interfaces() -> list[tuple[int, str]]:
    try:
        return socket.if_nameindex()
    except OSError:
        return []


def _ipv4_of(interface: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("256s", interface.encode()[:15])
        try:
            answer = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
        except OSError:
            return None
    return socket.inet_ntoa(answer[20:24])
