"""`atom backup …` and `atom restore`: the data folder, encrypted, and back.

A backup is made by the process that owns the database: here when no server runs, else by
`atom serve` through its control API. A restore runs only while no server does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from appliance.cli_admin import dispatch
from appliance.errors import InvalidInput
from appliance.settings import Settings
from appliance.system.backup import (
    BackupFile,
    Key,
    Restored,
    create_backup,
    list_backups,
    make_key_pair,
    read_identities,
    read_passphrase,
    restore_backup,
)
from appliance.system.shapes import BackupOrder

__all__ = ["add_backup_commands"]

_LONG_CALL = 4 * 3600.0


def add_backup_commands(commands: Any) -> None:
    backup = commands.add_parser("backup", help="back up the data folder, encrypted (see `atom backup keygen`)")
    backup.add_argument("--passphrase-file", type=Path, help="encrypt with the passphrase in this file instead")
    backup.set_defaults(run=_backup)
    more = backup.add_subparsers(title="backup commands")
    keygen = more.add_parser("keygen", help="make the household's backup key; prints the secret key once")
    keygen.add_argument("--force", action="store_true", help="replace an existing backup key")
    keygen.set_defaults(run=_keygen)
    more.add_parser("list", help="the backups in the backup folder").set_defaults(run=_list)
    restore = commands.add_parser("restore", help="restore a backup into the data folder (Atom stopped)")
    restore.add_argument("file", type=Path, help="an atom-backup-….tar.age file")
    secret = restore.add_mutually_exclusive_group(required=True)
    secret.add_argument("--identity-file", type=Path, help="a file holding the household's secret key")
    secret.add_argument("--passphrase-file", type=Path, help="a file holding the backup's passphrase")
    restore.add_argument("--check", action="store_true", help="only decrypt and verify; change nothing")
    restore.add_argument("--install-models", action="store_true", help="then reinstall the backup's models")
    restore.set_defaults(run=_restore)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    passphrase = read_passphrase(args.passphrase_file) if args.passphrase_file else None

    async def offline(rt: Any) -> BackupFile:
        return await asyncio.to_thread(create_backup, settings, rt.db, passphrase)

    def online(api: Any) -> dict[str, Any]:
        return api.call("POST", "/api/control/backups", BackupOrder(passphrase=passphrase), timeout=_LONG_CALL)

    made = dispatch(settings, offline=offline, online=online)
    file = made.file if isinstance(made, BackupFile) else made["file"]
    print(f"backup written: {settings.backup_folder / file}")
    return 0


def _keygen(args: argparse.Namespace, settings: Settings) -> int:
    public, secret = make_key_pair(settings, replace=args.force)
    print(secret)
    print(
        f"\nThis is the household's backup SECRET key. It is shown once and is not kept on this box.\n"
        f"Keep it on paper or in a password manager: without it no backup can be restored.\n"
        f"Save it in a file to restore: atom restore FILE --identity-file KEYFILE\n"
        f"Backups are now encrypted to the public key {public}",
        file=sys.stderr,
    )
    return 0


def _list(_: argparse.Namespace, settings: Settings) -> int:
    for backup in list_backups(settings.backup_folder):
        state = "complete" if backup.ok else "incomplete"
        print(f"{backup.file:<44} {backup.created_at:%Y-%m-%d %H:%M} UTC {backup.size_bytes:>14,} B  {state}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    if args.identity_file:
        key = Key(identities=read_identities(args.identity_file))
    else:
        key = Key(passphrase=read_passphrase(args.passphrase_file))
    if not args.file.is_file():
        raise InvalidInput(f"{args.file} is not a file")
    restored = restore_backup(settings, args.file, key, check_only=args.check)
    _tell(restored, args.check)
    if args.install_models and not args.check:
        _install_models(settings, restored.models_to_install)
    return 0


def _install_models(settings: Settings, names: list[str]) -> None:
    from appliance.ai import models
    from appliance.caches import model_cache

    manifest = models.load_manifest()
    for name in names:
        models.install_model(settings.data_dir, manifest.get(name), model_cache(), models.text_progress)
        print(f"{name}: installed")


def _tell(restored: Restored, checked_only: bool) -> None:
    m = restored.manifest
    print(f"backup of {m.created_at:%Y-%m-%d %H:%M} UTC (Atom {m.atom_version}, schema {m.schema_version}): ", end="")
    print(f"{len(m.files)} files, every sha256 matches")
    if checked_only:
        print("checked only: nothing was changed")
        return
    print("restored into the data folder")
    if restored.set_aside:
        print(f"the files it replaced are in {restored.set_aside} (delete that folder when all is well)")
    if restored.models_to_install:
        print(f"reinstall its models: atom models install {' '.join(restored.models_to_install)}")
    if restored.models_to_add:
        print(f"add your own models again with `atom models add`: {', '.join(restored.models_to_add)}")
    print("the search index may be a little behind the backup: `atom knowledge check` tells")
