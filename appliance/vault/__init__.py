"""Encryption at rest: the master key and the per-user vault built on it."""

from appliance.vault.master_key import MasterKey, open_master_key
from appliance.vault.vault import HOUSEHOLD, Vault

__all__ = ["MasterKey", "open_master_key", "Vault", "HOUSEHOLD"]
