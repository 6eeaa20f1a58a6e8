"""The master key: created once, 0600, in the data folder; never silently replaced.

The database records a fingerprint of the key it was used with. At start-up a
missing key file over existing encrypted data, or a key whose fingerprint does
not match, stops Atom with a message that names the fix.
"""

from __future__ import annotations

import base64
import hmac
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from appliance.errors import MasterKeyError
from appliance.storage import Database, Reader, Writer, scalar

__all__ = ["MasterKey", "open_master_key"]

_KEY_BYTES = 32
_FINGERPRINT = "master_key_fingerprint"


class MasterKey:
    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for one purpose (e.g. one user's vault), via HKDF-SHA256."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"atom:{purpose}".encode())
        return hkdf.derive(self._raw)

    def fingerprint(self) -> str:
        return self.derive("fingerprint").hex()

    def __repr__(self) -> str:
        return "MasterKey(<hidden>)"


def open_master_key(path: Path, db: Database) -> MasterKey:
    """Load the key (creating it on a fresh install) and check it against the database."""
    recorded = db.read_sync(_recorded_fingerprint)
    if not path.exists():
        if recorded is not None or db.read_sync(_has_secrets):
            raise MasterKeyError(
                f"the master key {path} is missing but the database holds data encrypted with it. "
                "Restore the key file from your backup; Atom will not create a new key over old data."
            )
        key = _create(path)
    else:
        key = _load(path)
    if recorded is None:
        db.write_sync(_record_fingerprint, key.fingerprint())
    elif not hmac.compare_digest(recorded, key.fingerprint()):
        raise MasterKeyError(
            f"the master key {path} does not match the one this database was encrypted with. "
            "Restore the right key file from your backup."
        )
    return key


def _create(path: Path) -> MasterKey:
    raw = os.urandom(_KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(base64.b64encode(raw) + b"\n")
        out.flush()
        os.fsync(out.fileno())
    return MasterKey(raw)


def _load(path: Path) -> MasterKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise MasterKeyError(f"the master key {path} is readable by others (mode {mode:o}); run chmod 600 on it")
    try:
        raw = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError:
        raw = b""
    if len(raw) != _KEY_BYTES:
        raise MasterKeyError(f"the master key {path} is damaged; restore it from your backup")
    return MasterKey(raw)


def _recorded_fingerprint(conn: Reader) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [_FINGERPRINT]).fetchone()
    return row[0] if row else None


def _has_secrets(conn: Reader) -> bool:
    return scalar(conn, "SELECT count(*) FROM vault_secrets") > 0


def _record_fingerprint(conn: Writer, fingerprint: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_FINGERPRINT, fingerprint])
