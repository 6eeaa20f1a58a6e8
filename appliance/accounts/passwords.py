"""Memory-hard password hashing with scrypt (from `cryptography`).

Stored form: `scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can
rise later without breaking old hashes.
"""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

__all__ = ["hash_password", "verify_password", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 8
_LOG2_N, _R, _P, _LENGTH = 15, 8, 1, 32  # 32 MiB of memory per hash


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _derive(password, salt, _LOG2_N, _R, _P)
    return "$".join(["scrypt", str(_LOG2_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _derive(password, _unb64(salt), int(log2_n), int(r), int(p))
    return hmac.compare_digest(candidate, _unb64(digest))


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=_LENGTH, n=2**log2_n, r=r, p=p)
    return kdf.derive(password.encode())


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
