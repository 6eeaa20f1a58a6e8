"""Upgrading Atom in place: releases side by side behind a `current` link, rolled back on failure.

`run.py` is the sequence (preflight, backup, prepare, switch, migrate, start, check, or roll back);
`releases.py` the folders and the link; `preflight.py` the checks; `services.py` stopping and
starting Atom (systemd) and the health check.
"""

from appliance.system.upgrade.releases import TAG, Releases
from appliance.system.upgrade.run import Plan, Seams, upgrade
from appliance.system.upgrade.services import Services, Systemd, wait_healthy

__all__ = ["Plan", "Releases", "Seams", "Services", "Systemd", "TAG", "upgrade", "wait_healthy"]
