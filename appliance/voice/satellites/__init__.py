"""Paired satellites: devices that speak to Atom for the household or for one member, in a room.

A satellite is paired by an admin (for the household) or by a member (for themselves) and gets a
device token, shown once and stored as a digest. It is its own kind of credential: it opens only
the Wyoming endpoint, never the HTTP API, and revoking it (or disabling its member) ends it.
"""

from appliance.voice.satellites.pairing import (
    SATELLITE_TOKEN_PREFIX,
    audience,
    change_satellite,
    identify,
    list_satellites,
    pair_for_operator,
    pair_satellite,
    revoke_satellite,
    satellite_active,
    saw_satellite,
)
from appliance.voice.satellites.shapes import (
    HOUSEHOLD,
    NewSatellite,
    Satellite,
    SatelliteCreate,
    SatelliteIdentity,
    SatelliteUpdate,
)

__all__ = [
    "HOUSEHOLD",
    "NewSatellite",
    "SATELLITE_TOKEN_PREFIX",
    "Satellite",
    "SatelliteCreate",
    "SatelliteIdentity",
    "SatelliteUpdate",
    "audience",
    "change_satellite",
    "identify",
    "list_satellites",
    "pair_for_operator",
    "pair_satellite",
    "revoke_satellite",
    "satellite_active",
    "saw_satellite",
]
