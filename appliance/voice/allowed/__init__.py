"""Who may use Atom's speech over Wyoming without pairing: the operator's `voice.allowed_addresses`
and the addresses admins add from the Voice page. Only speech services (transcribe, detect,
synthesize), never commands; only addresses on the home network, never the whole internet.
"""

from __future__ import annotations

import ipaddress
import uuid

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from appliance.settings import Settings
from appliance.storage import Database
from appliance.voice.allowed import queries
from appliance.voice.allowed.shapes import AllowedAddress, AllowedAddressCreate, WyomingAccess
from appliance.voice.endpoint.access import AddressList

__all__ = [
    "AllowedAddress",
    "AllowedAddressCreate",
    "WyomingAccess",
    "wyoming_access",
    "allow_address",
    "forget_address",
    "address_list",
]

_WIDEST = {4: 16, 6: 48}  # a network wider than this is more than a home network


async def wyoming_access(db: Database, settings: Settings) -> WyomingAccess:
    return WyomingAccess(
        port=settings.voice.wyoming_port,
        configured=list(settings.voice.allowed_addresses),
        added=await db.read(queries.all_addresses),
    )


async def allow_address(db: Database, by: Principal, request: AllowedAddressCreate) -> AllowedAddress:
    _admin(by)
    entry = AllowedAddress(id=uuid.uuid4().hex, address=home_network(request.address), added_at=clock.now())
    if not await db.write(queries.insert, entry, by.user_id):
        raise Conflict(f"{entry.address} is listed already")
    return entry


async def forget_address(db: Database, by: Principal, entry_id: str) -> None:
    _admin(by)
    if not await db.write(queries.delete, entry_id):
        raise NotFound("no such address in the list")


async def address_list(db: Database, settings: Settings) -> AddressList:
    """What the Wyoming endpoint lets in: the operator's list and the admins'."""
    added = await db.read(queries.all_addresses)
    return AddressList([*settings.voice.allowed_addresses, *(a.address for a in added)])


def home_network(text: str) -> str:
    """`text` in normal form if it is an address or network on the home network; a clear 400 if not."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise InvalidInput(
            f"{text.strip()[:64]!r} is not an address (192.168.1.20) or network (192.168.1.0/24)"
        ) from None
    if not (network.is_private or network.is_link_local) or network.prefixlen < _WIDEST[network.version]:
        raise InvalidInput(f"{network} is not on the home network: only local addresses may use voice unpaired")
    single = network.prefixlen == network.max_prefixlen
    return str(network.network_address) if single else str(network)


def _admin(by: Principal) -> None:
    if not by.is_admin:
        raise PermissionDenied("only a household admin chooses who may use voice unpaired")
