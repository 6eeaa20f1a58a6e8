"""The shapes of Wyoming's unpaired access that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = ["AllowedAddress", "AllowedAddressCreate", "WyomingAccess"]


class AllowedAddress(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    address: str
    """An address (192.168.1.20) or a network (192.168.1.0/24) on the home network."""
    added_at: datetime


class AllowedAddressCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class WyomingAccess(msgspec.Struct, frozen=True, kw_only=True):
    """Who may use speech over Wyoming without pairing, and where it listens."""

    port: int
    """The Wyoming port; 0: voice is off."""
    configured: list[str]
    """From `voice.allowed_addresses`: the operator's, changed only in the settings."""
    added: list[AllowedAddress]
    """Added by admins here."""
