"""Random secrets and their stored digests (sessions and API tokens keep only digests)."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_secret", "digest"]


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
