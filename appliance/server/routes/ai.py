"""AI settings: providers, my keys (and the household's), prices, my routing policy, my usage."""

from __future__ import annotations

from litestar import Router, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.accounts.shapes import Principal
from appliance.ai import keys, ledger, prices
from appliance.ai.gateway import AIGateway
from appliance.ai.preferences import get_preferences, set_preferences
from appliance.ai.shapes import (
    KeyTestResult,
    ModelPrice,
    Preferences,
    PriceUpdate,
    ProviderInfo,
    ProviderKey,
    ProviderKeyCreate,
    ProviderKeyUpdate,
    UsageSummary,
)
from appliance.errors import InvalidInput
from appliance.events import EVERYONE, Action, Event, EventBus
from appliance.server.auth import admin_only, members_only
from appliance.server.deps import AIDep, BusDep, DatabaseDep, PrincipalDep, VaultDep

__all__ = ["routes"]


@get("/providers")
async def providers() -> list[ProviderInfo]:
    return keys.list_providers()


@get("/keys")
async def my_keys(db: DatabaseDep, principal: PrincipalDep) -> list[ProviderKey]:
    """My keys and the household's, masked."""
    return await keys.visible_keys(db, principal)


@post("/keys", status_code=HTTP_201_CREATED)
async def add_key(
    db: DatabaseDep,
    vault: VaultDep,
    ai: AIDep,
    bus: BusDep,
    principal: PrincipalDep,
    data: JSONBody[ProviderKeyCreate],
) -> ProviderKey:
    key = await keys.add_key(db, vault, principal, data, ai.outbound)
    await _test_on_save(ai, principal, key.id)
    key = await keys.get_key(db, principal, key.id)
    _announce(bus, principal, "created", key)
    return key


@get("/keys/{key_id:str}")
async def one_key(db: DatabaseDep, principal: PrincipalDep, key_id: FromPath[str]) -> ProviderKey:
    return await keys.get_key(db, principal, key_id)


@patch("/keys/{key_id:str}")
async def update_key(
    db: DatabaseDep,
    vault: VaultDep,
    ai: AIDep,
    bus: BusDep,
    principal: PrincipalDep,
    key_id: FromPath[str],
    data: JSONBody[ProviderKeyUpdate],
) -> ProviderKey:
    await keys.update_key(db, vault, principal, key_id, data, ai.outbound)
    await _test_on_save(ai, principal, key_id)
    key = await keys.get_key(db, principal, key_id)
    _announce(bus, principal, "updated", key)
    return key


@delete("/keys/{key_id:str}")
async def delete_key(
    db: DatabaseDep, vault: VaultDep, bus: BusDep, principal: PrincipalDep, key_id: FromPath[str]
) -> None:
    key = await keys.get_key(db, principal, key_id)
    await keys.delete_key(db, vault, principal, key_id)
    _announce(bus, principal, "deleted", key)


@post("/keys/{key_id:str}/test", status_code=HTTP_200_OK)
async def test_key(
    db: DatabaseDep, ai: AIDep, bus: BusDep, principal: PrincipalDep, key_id: FromPath[str]
) -> KeyTestResult:
    """A cheap live call (list the provider's models) that proves the key works; the verdict is kept
    on the key, in words that tell "no internet on this box" from "key rejected".

    An address Atom refuses to reach is the caller's to fix: a 400 (AddressRefused), nothing sent."""
    result = await ai.check_key(principal, key_id)
    _announce(bus, principal, "updated", await keys.get_key(db, principal, key_id))  # every badge follows
    return result


@get("/prices")
async def price_table(db: DatabaseDep) -> list[ModelPrice]:
    return await prices.price_table(db)


@put("/prices/{provider:str}/{model:path}", guards=[admin_only])
async def set_price(
    db: DatabaseDep, bus: BusDep, provider: FromPath[str], model: FromPath[str], data: JSONBody[PriceUpdate]
) -> ModelPrice:
    price = await prices.set_price(db, provider, model.lstrip("/"), data)
    bus.publish(Event(topic="prices", action="updated", id=f"{provider}/{price.model}", data=price), [EVERYONE])
    return price


@delete("/prices/{provider:str}/{model:path}", guards=[admin_only], status_code=HTTP_200_OK)
async def reset_price(db: DatabaseDep, bus: BusDep, provider: FromPath[str], model: FromPath[str]) -> ModelPrice:
    """Back to the shipped default."""
    price = await prices.reset_price(db, provider, model.lstrip("/"))
    bus.publish(Event(topic="prices", action="updated", id=f"{provider}/{price.model}", data=price), [EVERYONE])
    return price


@get("/preferences")
async def my_preferences(db: DatabaseDep, principal: PrincipalDep) -> Preferences:
    return await get_preferences(db, principal.user_id)


@put("/preferences")
async def set_my_preferences(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[Preferences]
) -> Preferences:
    saved = await set_preferences(db, principal, data)
    # Heard by the usage page and panel (the budget); not by the policy form, so the tab that saved
    # keeps its confirmation.
    bus.publish(Event(topic="ai-preferences", action="updated", id="preferences"), [principal.user_id])
    return saved


@get("/usage")
async def my_usage(db: DatabaseDep, principal: PrincipalDep) -> UsageSummary:
    return await ledger.usage_summary(db, principal.user_id)


async def _test_on_save(ai: AIGateway, principal: Principal, key_id: str) -> None:
    """A saved key is tested at once, so its badge says whether it works; the save stands either way
    (an address Atom will not test is on the badge, and the Test button answers it as a 400)."""
    try:
        await ai.check_key(principal, key_id)
    except InvalidInput:
        return


def _announce(bus: EventBus, principal: Principal, action: Action, key: ProviderKey) -> None:
    """Key lists refresh in every tab that may see the key: its owner's, or the whole house's."""
    audience = [EVERYONE] if key.shared else [principal.user_id]
    data = None if action == "deleted" else key
    bus.publish(Event(topic="ai-keys", action=action, id=key.id, data=data), audience)


routes = [
    Router(
        "/api/ai",
        route_handlers=[
            providers,
            my_keys,
            add_key,
            one_key,
            update_key,
            delete_key,
            test_key,
            price_table,
            set_price,
            reset_price,
            my_preferences,
            set_my_preferences,
            my_usage,
        ],
        guards=[members_only],
        tags=["ai"],
    )
]
