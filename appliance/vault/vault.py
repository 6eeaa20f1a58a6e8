"""Secrets at rest: Fernet with a key per owner, derived from the master key.

An owner is a user id, or `HOUSEHOLD` for secrets the whole house shares.
Callers (provider keys, OAuth tokens) pass the owner they are acting for; the
vault never decides who may ask.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from appliance import clock
from appliance.errors import MasterKeyError, NotFound
from appliance.storage import Database, Reader, Writer
from appliance.vault.master_key import MasterKey

__all__ = ["Vault", "HOUSEHOLD"]

HOUSEHOLD = "household"


class Vault:
    def __init__(self, db: Database, master: MasterKey) -> None:
        self._db = db
        self._master = master

    async def put(self, owner: str, name: str, secret: str) -> None:
        token = self._fernet(owner).encrypt(secret.encode()).decode()
        await self._db.write(_upsert, owner, name, token)

    async def get(self, owner: str, name: str) -> str:
        token = await self._db.read(_ciphertext, owner, name)
        if token is None:
            raise NotFound(f"no secret named {name!r}")
        try:
            return self._fernet(owner).decrypt(token.encode()).decode()
        except InvalidToken:
            raise MasterKeyError(f"the secret {name!r} cannot be decrypted with this master key") from None

    async def delete(self, owner: str, name: str) -> None:
        if not await self._db.write(_delete, owner, name):
            raise NotFound(f"no secret named {name!r}")

    async def names(self, owner: str) -> list[str]:
        return await self._db.read(_names, owner)

    def _fernet(self, owner: str) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self._master.derive(f"vault:{owner}")))


def _upsert(conn: Writer, owner: str, name: str, token: str) -> None:
    at = clock.now()
    conn.execute(
        "INSERT INTO vault_secrets (owner, name, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (owner, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        [owner, name, token, at, at],
    )


def _ciphertext(conn: Reader, owner: str, name: str) -> str | None:
    row = conn.execute("SELECT ciphertext FROM vault_secrets WHERE owner = ? AND name = ?", [owner, name]).fetchone()
    return row[0] if row else None


def _delete(conn: Writer, owner: str, name: str) -> bool:
    row = conn.execute(
        "DELETE FROM vault_secrets WHERE owner = ? AND name = ? RETURNING name", [owner, name]
    ).fetchone()
    return row is not None


def _names(conn: Reader, owner: str) -> list[str]:
    rows = conn.execute("SELECT name FROM vault_secrets WHERE owner = ? ORDER BY name", [owner]).fetchall()
    return [r[0] for r in rows]
