"""Who may use the Wyoming endpoint without pairing: the addresses an admin listed."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from appliance.errors import ConfigError

__all__ = ["AddressList"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressList:
    def __init__(self, entries: Iterable[str]) -> None:
        self._networks: list[Network] = []
        for entry in entries:
            try:
                self._networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"voice.allowed_addresses: {entry!r} is not an address or network") from None

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self._networks)
