"""Whether a household key's server may be called "on our own network", and so hear the household note.

Only an admin says so, only for a provider a household runs itself (`household_server` in its
manifest: the OpenAI-compatible server), only for a household key, and only while the key's
address is plainly in the house: a private, loopback or link-local IP address, `localhost`, or a
`.local` name (mDNS answers those on the local network only). Any other name could resolve to
anywhere, so it is refused rather than trusted.
"""

from __future__ import annotations

import ipaddress

import httpx

from appliance.accounts.shapes import Principal
from appliance.ai.outbound.addresses import kind_of
from appliance.ai.providers.registry import ProviderManifest
from appliance.errors import InvalidInput, PermissionDenied

__all__ = ["check_own_network", "in_the_house"]

_HOUSE_NAMES = ("localhost",)
_HOUSE_SUFFIX = ".local"


def check_own_network(found: ProviderManifest, principal: Principal, shared: bool, base_url: str | None) -> None:
    """Raise unless `principal` may mark a key of `found` with `base_url` as on the household's own network."""
    if not principal.is_admin:
        raise PermissionDenied("only a household admin can say a server is on the household's own network")
    if not found.household_server:
        raise InvalidInput(f"{found.name} is not a server in the house: only an OpenAI-compatible one can be")
    if not shared:
        raise InvalidInput("only a household key can name a server on the household's own network")
    if not in_the_house(base_url):
        raise InvalidInput(
            f"{base_url or 'no address'} is not plainly on the household's own network: use the server's "
            "private address (e.g. http://192.168.1.20:11434/v1) or its .local name"
        )


def in_the_house(base_url: str | None) -> bool:
    """True when the URL's host is a private, loopback or link-local address, localhost, or a .local name."""
    if not base_url:
        return False
    try:
        host = httpx.URL(base_url).host.rstrip(".").lower()
    except httpx.InvalidURL:
        return False
    try:
        return kind_of(ipaddress.ip_address(host)) == "household"
    except ValueError:  # a name, not an address
        return host in _HOUSE_NAMES or (host.endswith(_HOUSE_SUFFIX) and len(host) > len(_HOUSE_SUFFIX))
