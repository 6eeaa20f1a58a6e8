"""The one-time code that first-run setup asks for.

While nobody lives here yet, anyone who can reach Atom could create the first admin, including
a web page a household member happens to visit. So setup needs a code that only the person at the
console sees: `atom serve` (and so `make run`) prints it, and it is kept in the data folder
(0600) until setup succeeds, so a restart shows the same code.

A box without a terminal shows it on its screen: `setup.issue` beside it is a getty notice (the
image links /etc/issue.d/ to it), so the code appears above the login prompt of a screen plugged
into the box. Both go once setup is done.
"""

from __future__ import annotations

import hmac
import os
import secrets
import socket
from pathlib import Path

__all__ = ["SETUP_CODE_FILE", "SETUP_ISSUE_FILE", "ensure_setup_code", "setup_code_matches", "forget_setup_code"]

SETUP_CODE_FILE = "setup.code"
SETUP_ISSUE_FILE = "setup.issue"  # the console's notice (agetty reads /etc/issue.d/*.issue as root)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off a screen, typed on a phone
_GROUPS, _GROUP_LENGTH = 3, 4


def ensure_setup_code(data_dir: Path, port: int = 80) -> str:
    """The pending setup code, made once and kept until setup succeeds."""
    code = _kept_code(data_dir / SETUP_CODE_FILE)
    _write_private(data_dir / SETUP_ISSUE_FILE, _console_notice(code, port))
    return code


def _kept_code(path: Path) -> str:
    """The code in `path`, made there first if there is none (O_EXCL: one code even if two start at once)."""
    if path.exists():
        return path.read_text().strip()
    code = "-".join(_group() for _ in range(_GROUPS))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(code + "\n")
    return code


def setup_code_matches(expected: str, given: str) -> bool:
    """Compared in constant time, ignoring case, spaces and dashes (people retype it)."""
    return hmac.compare_digest(_normal(expected).encode(), _normal(given).encode())


def forget_setup_code(data_dir: Path) -> None:
    (data_dir / SETUP_CODE_FILE).unlink(missing_ok=True)
    (data_dir / SETUP_ISSUE_FILE).unlink(missing_ok=True)


def _console_notice(code: str, port: int) -> str:
    host = socket.gethostname().split(".")[0] or "atom"
    address = f"http://{host}.local" + ("" if port == 80 else f":{port}")
    return f"\nAtom is ready to set up: open {address} in a browser\nSetup code: {code}\n\n"


def _write_private(path: Path, text: str) -> None:
    """Written whole (0600) or not at all: a notice half-written by a crash is rewritten next start."""
    partial = path.with_name(path.name + ".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(partial, path)


def _group() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH))


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())
