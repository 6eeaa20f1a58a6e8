"""The one-time code that first-run setup asks for.

While nobody lives here yet, anyone who can reach Atom could create the first admin, including
a web page a household member happens to visit. So setup needs a code that only the person at the
console sees: `atom serve` (and so `make run`) prints it, and it is kept in the data folder
(0600) until setup succeeds, so a restart shows the same code.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

__all__ = ["SETUP_CODE_FILE", "ensure_setup_code", "setup_code_matches", "forget_setup_code"]

SETUP_CODE_FILE = "setup.code"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off a screen, typed on a phone
_GROUPS, _GROUP_LENGTH = 3, 4


def ensure_setup_code(data_dir: Path) -> str:
    """The pending setup code, made once and kept until setup succeeds."""
    path = data_dir / SETUP_CODE_FILE
    if path.exists():
        return path.read_text().strip()
    code = "-".join(_group() for _ in range(_GROUPS))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(code + "\n")
    return code


def setup_code_matches(expected: str, given: str) -> bool:
    """Compared in constant time, ignoring case, spaces and dashes (people retype it)."""
    return hmac.compare_digest(_normal(expected).encode(), _normal(given).encode())


def forget_setup_code(data_dir: Path) -> None:
    (data_dir / SETUP_CODE_FILE).unlink(missing_ok=True)


def _group() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH))


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())
