"""Bring-your-own-key: each member's provider keys, and the household's shared ones.

The secret goes to the vault under the key's owner; DuckDB holds only the
metadata and a masked hint. Members see their own keys and the household's;
only an admin adds, changes or removes a household key.

Where a key's requests go is the provider manifest's decision: its fixed official address,
or (`needs_base_url`) the server the key names. A named server is checked when it is given
and again on every connection (`appliance.ai.outbound`): a member's own key reaches only
servers on the internet, a household key also the household network; none reaches Atom.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import msgspec

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.ai import queries
from appliance.ai.outbound import OutboundRules, check_url
from appliance.ai.own_network import check_own_network
from appliance.ai.providers.base import ProviderConfig
from appliance.ai.providers.registry import ProviderManifest, manifest, manifests
from appliance.ai.shapes import (
    KeyOption,
    KeyTestResult,
    ProviderInfo,
    ProviderKey,
    ProviderKeyCreate,
    ProviderKeyUpdate,
)
from appliance.errors import InvalidInput, KeyRejected, NotFound, PermissionDenied, ProviderError
from appliance.storage import Database
from appliance.vault import HOUSEHOLD, Vault

__all__ = [
    "list_providers",
    "add_key",
    "visible_keys",
    "get_key",
    "update_key",
    "delete_key",
    "provider_config",
    "mask",
    "verdict",
    "record_test",
]


def verdict(provider: str, models: list[str] | None, error: ProviderError | None) -> KeyTestResult:
    """A key test in plain words with the next step: no internet on this box is not a rejected key."""
    name = manifest(provider).name
    if error is None:
        found = models or []
        return KeyTestResult(
            ok=True, detail=f"Works: {name} accepted the key; {len(found)} models available.", models=found[:100]
        )
    if isinstance(error, KeyRejected):
        return KeyTestResult(
            ok=False, detail=f"Key rejected: {_reason(error)}. Copy the key again from {name}, then Edit it here."
        )
    if isinstance(error.__cause__, httpx.TransportError):  # never reached the provider at all
        return KeyTestResult(
            ok=False, detail=f"No internet on this box: {_reason(error)}. Check its network, then press Test again."
        )
    return KeyTestResult(ok=False, detail=f"Could not check the key: {_reason(error)}. Try Test again later.")


def _reason(error: ProviderError) -> str:
    """The provider's error without the "openai: key rejected: " it starts with (the verdict says that)."""
    text = str(error)
    for prefix in (f"{error.provider}: ", "key rejected: "):
        text = text.removeprefix(prefix)
    return text


async def record_test(db: Database, key_id: str, result: KeyTestResult) -> None:
    await db.write(queries.record_key_test, key_id, result.ok, result.detail, clock.now())


def list_providers() -> list[ProviderInfo]:
    """The providers a key can be added for (not the one on this box), as the key form offers them."""
    return [
        ProviderInfo(
            id=m.id,
            name=m.name,
            needs_key=m.needs_key,
            needs_base_url=m.needs_base_url,
            options=[KeyOption(name=name, label=o.label, hint=o.hint) for name, o in m.options.items()],
            models=sorted(k for k in m.models if k != "*"),
            household_server=m.household_server,
        )
        for m in sorted(manifests().values(), key=lambda m: m.name)
        if not m.on_box
    ]


async def add_key(
    db: Database, vault: Vault, principal: Principal, new: ProviderKeyCreate, rules: OutboundRules
) -> ProviderKey:
    found = manifest(new.provider)
    if found.on_box:
        raise InvalidInput(f"{found.name} needs no key")
    if new.shared and not principal.is_admin:
        raise PermissionDenied("only a household admin can share a key with the house")
    found.check_config(new.api_key, new.base_url)
    _check_options(list(found.options), new.options)
    if new.on_own_network:
        check_own_network(found, principal, new.shared, new.base_url)
    await _check_base_url(found, new.base_url, rules, household=new.shared)
    owner = HOUSEHOLD if new.shared else principal.user_id
    at = clock.now()
    key = ProviderKey(
        id=uuid.uuid4().hex,
        provider=new.provider,
        label=new.label or found.name,
        shared=new.shared,
        base_url=new.base_url,
        options=new.options,
        default_model=_choose_model(new.provider, new.default_model),
        key_hint=mask(new.api_key) if new.api_key else "",
        created_at=at,
        updated_at=at,
        on_own_network=new.on_own_network,
    )
    if new.api_key:
        await vault.put(owner, _secret_name(key.id), new.api_key)
    await db.write(queries.insert_key, owner, key)
    return key


async def visible_keys(db: Database, principal: Principal) -> list[ProviderKey]:
    return [_as_used(key) for key in await db.read(queries.keys_visible_to, principal.user_id)]


async def get_key(db: Database, principal: Principal, key_id: str) -> ProviderKey:
    for key in await visible_keys(db, principal):
        if key.id == key_id:
            return key
    raise NotFound("no such provider key")


async def update_key(
    db: Database, vault: Vault, principal: Principal, key_id: str, change: ProviderKeyUpdate, rules: OutboundRules
) -> ProviderKey:
    key = await _editable(db, principal, key_id)
    found = manifest(key.provider)
    if change.options is not None:
        _check_options(list(found.options), change.options)
    own = key.on_own_network if change.on_own_network is None else change.on_own_network
    if own:  # kept only while the address stays in the house: a move elsewhere must say so again
        check_own_network(found, principal, key.shared, change.base_url or key.base_url)
    await _check_base_url(found, change.base_url, rules, household=key.shared)
    fields: dict[str, Any] = {
        "label": change.label,
        "base_url": change.base_url,
        "options": change.options,
        "default_model": None if change.default_model is None else _choose_model(key.provider, change.default_model),
        "key_hint": mask(change.api_key) if change.api_key else None,
        "on_own_network": change.on_own_network,
    }
    if change.api_key:
        await vault.put(_owner(key, principal), _secret_name(key_id), change.api_key)
    await db.write(queries.update_key, key_id, {k: v for k, v in fields.items() if v is not None})
    return await get_key(db, principal, key_id)


async def delete_key(db: Database, vault: Vault, principal: Principal, key_id: str) -> None:
    key = await _editable(db, principal, key_id)
    await db.write(queries.delete_key, key_id)
    if key.key_hint:
        await vault.delete(_owner(key, principal), _secret_name(key_id))


async def provider_config(
    vault: Vault, principal: Principal, key: ProviderKey, rules: OutboundRules, timeout: float = 60
) -> ProviderConfig:
    """Everything needed to call the provider with this key (the secret read from the vault)."""
    secret = await vault.get(_owner(key, principal), _secret_name(key.id)) if key.key_hint else None
    found = manifest(key.provider)
    return ProviderConfig(
        kind=key.provider,
        api_key=secret,
        base_url=key.base_url if found.needs_base_url else rules.official_url(key.provider, found.base_url),
        options=key.options,
        timeout_seconds=timeout,
        targets=rules.targets(household=key.shared),
    )


def mask(secret: str) -> str:
    """Enough to recognise a key, never enough to use it."""
    tail = secret[-4:] if len(secret) >= 12 else secret[-2:]
    head = secret[:3] if len(secret) >= 12 else ""
    return f"{head}…{tail}"


async def _editable(db: Database, principal: Principal, key_id: str) -> ProviderKey:
    key = await get_key(db, principal, key_id)
    if key.shared and not principal.is_admin:
        raise PermissionDenied("only a household admin can change a household key")
    return key


def _owner(key: ProviderKey, principal: Principal) -> str:
    return HOUSEHOLD if key.shared else principal.user_id


def _secret_name(key_id: str) -> str:
    return f"provider-key:{key_id}"


def _choose_model(provider: str, wanted: str | None) -> str:
    models = manifest(provider).models
    named = sorted((k for k in models if k != "*"), key=lambda k: models[k].input_per_mtok + models[k].output_per_mtok)
    if wanted is None:
        if not named:
            raise InvalidInput("name the model to use on this server (default_model)")
        return named[0]
    if wanted not in models and "*" not in models:
        raise InvalidInput(f"{provider} has no model {wanted!r}; choose one of {', '.join(named)}")
    return wanted


async def _check_base_url(found: ProviderManifest, url: str | None, rules: OutboundRules, household: bool) -> None:
    if url is None:
        return
    if not found.needs_base_url:
        raise InvalidInput(
            f"{found.name} is always reached at its official address ({found.base_url}); a key for it takes no base_url"
        )
    await check_url(url, rules.targets(household=household))


def _check_options(allowed: list[str], given: dict[str, str]) -> None:
    unknown = set(given) - set(allowed)
    if unknown:
        raise InvalidInput(f"unknown option(s) {', '.join(sorted(unknown))}; this provider takes {allowed or 'none'}")


def _as_used(key: ProviderKey) -> ProviderKey:
    """Older rows may hold a base_url for a provider with a fixed address; it is not used, so not shown."""
    found = manifests().get(key.provider)
    named = found is not None and found.needs_base_url
    return key if named or key.base_url is None else msgspec.structs.replace(key, base_url=None)
