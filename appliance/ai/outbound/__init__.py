"""Where Atom may connect on someone's behalf: AI providers' servers and model downloads.

A member can type an address (a key's base URL); an admin can too (a household key, a model
URL). Atom must not become their way into the household network or into itself, so every
outside connection is checked on the IP address it actually goes to (`transport`), by the
rules in `addresses`, with the box's own ports from `rules`.
"""

from appliance.ai.outbound.addresses import IPAddress, Kind, Targets, check_addresses, kind_of, split_url
from appliance.ai.outbound.rules import OutboundRules, StandIns
from appliance.ai.outbound.transport import GuardedAsyncTransport, GuardedTransport, check_url, resolve

__all__ = [
    "GuardedAsyncTransport",
    "GuardedTransport",
    "IPAddress",
    "Kind",
    "OutboundRules",
    "StandIns",
    "Targets",
    "check_addresses",
    "check_url",
    "kind_of",
    "resolve",
    "split_url",
]
