"""Backups of the data folder, and restoring them.

`make.py` takes a backup in the process that owns the database (snapshot.py copies, archive.py
tars and encrypts with age); `restore.py` verifies a backup completely before it replaces
anything; `folder.py` names, lists and prunes the archives; `keys.py` holds the household's
keys; `manifest.py` is what a backup says about itself.
"""

from appliance.system.backup.folder import BackupFile, last_good, list_backups
from appliance.system.backup.keys import Key, make_key_pair, read_identities, read_passphrase, recipient
from appliance.system.backup.make import BackupRunner, create_backup
from appliance.system.backup.manifest import Manifest
from appliance.system.backup.restore import Restored, restore_backup

__all__ = [
    "BackupFile",
    "BackupRunner",
    "Key",
    "Manifest",
    "Restored",
    "create_backup",
    "last_good",
    "list_backups",
    "make_key_pair",
    "read_identities",
    "read_passphrase",
    "recipient",
    "restore_backup",
]
