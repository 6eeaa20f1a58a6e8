"""The keys backups are encrypted with: the household's age key pair, or a passphrase.

Scheduled backups need no secret on the box: they are encrypted to the household's public key
(`backup.recipient`, or the one `atom backup keygen` stored in `<data_dir>/backup.recipient`).
The secret key is printed once and kept by the household; only it (or the passphrase of a
passphrase backup) opens a backup.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from pyrage import x25519

from appliance.errors import Conflict, InvalidInput
from appliance.settings import Settings

__all__ = [
    "RECIPIENT_FILE",
    "Key",
    "make_key_pair",
    "parse_recipient",
    "recipient",
    "identities",
    "read_identities",
    "read_passphrase",
]

RECIPIENT_FILE = "backup.recipient"
_MAX_SECRET_FILE = 64 * 1024


class Key(msgspec.Struct, frozen=True, kw_only=True):
    """What opens (or seals) one backup: identities of the household key, or a passphrase."""

    identities: list[str] = []
    passphrase: str | None = None

    def __repr__(self) -> str:  # never print a secret, even by accident in a traceback
        return "Key(…)"


def make_key_pair(settings: Settings, replace: bool = False) -> tuple[str, str]:
    """A new identity: store its public key in the data folder; return (public, secret) for the household."""
    path = settings.data_dir / RECIPIENT_FILE
    if path.exists() and not replace:
        raise Conflict(
            f"a backup key already exists ({path.read_text().strip()}); backups made to it need its secret key. "
            "Pass --force to make a new one anyway."
        )
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    _write_private(path, public + "\n")
    return public, str(identity)


def recipient(settings: Settings) -> x25519.Recipient:
    """The public key scheduled backups are encrypted to; Conflict when the household has none yet."""
    text = settings.backup.recipient.strip() or _stored_recipient(settings.data_dir)
    if not text:
        raise Conflict("no backup key yet: run `atom backup keygen` and keep the secret key it prints")
    return parse_recipient(text)


def parse_recipient(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text)
    except Exception:  # noqa: BLE001 - pyrage raises its own RecipientError or ValueError
        raise InvalidInput(f"the backup key {text[:80]!r} is not an age public key (age1…)") from None


def read_identities(path: Path) -> list[str]:
    """Secret keys from an age identity file (`AGE-SECRET-KEY-1…` lines; # comments allowed)."""
    lines = [line.strip() for line in _read_secret_file(path).splitlines()]
    keys = [line for line in lines if line and not line.startswith("#")]
    if not keys:
        raise InvalidInput(f"{path} holds no age secret key (AGE-SECRET-KEY-1…)")
    for key in keys:
        _identity(key)  # refuse a malformed one now, before anything is read
    return keys


def read_passphrase(path: Path) -> str:
    passphrase = _read_secret_file(path).rstrip("\r\n")
    if len(passphrase) < 8:
        raise InvalidInput(f"the passphrase in {path} is shorter than 8 characters")
    return passphrase


def identities(key: Key) -> list[x25519.Identity]:
    return [_identity(text) for text in key.identities]


def _identity(text: str) -> x25519.Identity:
    try:
        return x25519.Identity.from_str(text)
    except Exception:  # noqa: BLE001 - pyrage's IdentityError, or ValueError
        raise InvalidInput("the identity file holds a line that is not an age secret key") from None


def _stored_recipient(data_dir: Path) -> str:
    path = data_dir / RECIPIENT_FILE
    return path.read_text().strip() if path.is_file() else ""


def _read_secret_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_SECRET_FILE + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > _MAX_SECRET_FILE:
        raise InvalidInput(f"{path} is too large to be a key or passphrase file")
    return raw.decode("utf-8", errors="replace")


def _write_private(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    temporary.replace(path)
