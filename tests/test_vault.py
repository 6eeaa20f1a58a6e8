"""Encryption at rest: one master key, per-user keys, and refusal to start on the wrong key."""

from __future__ import annotations

import asyncio
import stat

import pytest

from appliance.errors import MasterKeyError, NotFound
from appliance.runtime import Runtime, open_runtime
from appliance.settings import Settings
from appliance.vault import HOUSEHOLD


def test_master_key_is_created_once_with_0600(runtime: Runtime, settings: Settings) -> None:
    path = settings.master_key_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    runtime.close()
    open_runtime(settings).close()
    assert path.read_bytes() == before


def test_put_get_list_delete(runtime: Runtime) -> None:
    vault = runtime.vault

    async def scenario() -> None:
        await vault.put("alice", "openai", "sk-alice-123")
        await vault.put("alice", "anthropic", "sk-ant-456")
        await vault.put("alice", "openai", "sk-alice-789")  # update
        assert await vault.get("alice", "openai") == "sk-alice-789"
        assert await vault.names("alice") == ["anthropic", "openai"]
        await vault.delete("alice", "anthropic")
        assert await vault.names("alice") == ["openai"]
        with pytest.raises(NotFound):
            await vault.get("alice", "anthropic")

    asyncio.run(scenario())


def test_secrets_are_encrypted_and_separated_per_owner(runtime: Runtime) -> None:
    vault = runtime.vault

    async def scenario() -> None:
        await vault.put("alice", "openai", "sk-alice-secret")
        await vault.put(HOUSEHOLD, "openai", "sk-house-secret")
        with pytest.raises(NotFound):
            await vault.get("bob", "openai")
        assert await vault.get(HOUSEHOLD, "openai") == "sk-house-secret"

    asyncio.run(scenario())
    rows = runtime.db.read_sync(lambda c: c.execute("SELECT owner, ciphertext FROM vault_secrets").fetchall())
    assert all("secret" not in ciphertext for _, ciphertext in rows)
    # Alice's ciphertext moved under Bob's name cannot be read with Bob's key.
    runtime.db.write_sync(lambda c: c.execute("UPDATE vault_secrets SET owner = 'bob' WHERE owner = 'alice'"))
    with pytest.raises(MasterKeyError):
        asyncio.run(vault.get("bob", "openai"))


def test_missing_master_key_over_encrypted_data_refuses_to_start(runtime: Runtime, settings: Settings) -> None:
    asyncio.run(runtime.vault.put("alice", "openai", "sk-1"))
    runtime.close()
    settings.master_key_path.unlink()
    with pytest.raises(MasterKeyError, match="missing.*Restore"):
        open_runtime(settings)
    assert not settings.master_key_path.exists()  # never generated over old data


def test_a_different_master_key_refuses_to_start(runtime: Runtime, settings: Settings) -> None:
    runtime.close()
    original = settings.master_key_path.read_bytes()
    settings.master_key_path.unlink()
    settings.master_key_path.write_bytes(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    settings.master_key_path.chmod(0o600)
    with pytest.raises(MasterKeyError, match="does not match"):
        open_runtime(settings)
    settings.master_key_path.write_bytes(original)
    open_runtime(settings).close()


def test_a_key_readable_by_others_is_refused(runtime: Runtime, settings: Settings) -> None:
    runtime.close()
    settings.master_key_path.chmod(0o644)
    with pytest.raises(MasterKeyError, match="chmod 600"):
        open_runtime(settings)


def test_the_cli_says_why_it_refuses(runtime: Runtime, settings: Settings) -> None:
    from tests.conftest import run_cli

    runtime.close()
    settings.master_key_path.unlink()
    result = run_cli(settings.data_dir, "migrate")
    assert result.returncode == 1
    assert "refusing to start" in result.stderr and "master key" in result.stderr
