"""User names in one canonical form, so "Ada", "ada" and "ADA " are one member everywhere.

Sign-in, member creation, look-ups and the login throttle all compare this form: Unicode
NFKC (so full-width or composed look-alikes fold to plain letters), case-folded, trimmed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["canonical_username", "checked_username", "USERNAME_RULE"]

USERNAME_RULE = "1 to 64 of a-z, 0-9, dots, dashes and underscores, starting with a letter or digit"
_ALLOWED = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def canonical_username(raw: str) -> str:
    folded = unicodedata.normalize("NFKC", raw).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def checked_username(raw: str) -> str:
    """The canonical form of a new member's name; ValueError if it breaks the rule."""
    name = canonical_username(raw)
    if not _ALLOWED.fullmatch(name):
        raise ValueError(f"the username must be {USERNAME_RULE} (capitals count as lower case)")
    return name
