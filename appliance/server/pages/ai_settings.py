"""AI settings: "My AI" (my provider keys and the household's, my routing policy and budget) for everyone,
and "Models & prices" (the box's models, prices) for admins.

Keys are only ever shown by their masked hint. Members see the household's keys
and may test them; only an admin changes them, and only an admin edits prices.
Forms post to `/api/ai/...` through `forms.js`; `pages/ai-settings.js` adds the
provider-dependent fields, key test results, the edit dialog, fallback reordering and
the busy state of adding a model. The "Local models" section lives in `ai_models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.ai import keys, prices
from appliance.ai.preferences import get_preferences
from appliance.ai.shapes import LOCAL, KeyOption, Preferences, ProviderInfo, ProviderKey
from appliance.runtime import Runtime
from appliance.server.auth import admin_only
from appliance.server.deps import DatabaseDep, RuntimeDep
from appliance.server.pages.ai_models import local_models, models_fragment
from appliance.server.pages.usage import provider_name
from appliance.server.pages.view import fragment, member_page, viewer

__all__ = ["pages", "fragments"]


@dataclass(frozen=True)
class Choice:
    """Somewhere a request can go: a key (by id) or the model on this box ("local")."""

    ref: str
    label: str
    chosen: bool = False  # part of my fallback chain


@get("/settings/ai", include_in_schema=False)
async def ai_settings_page(request: Request, runtime: RuntimeDep) -> Template:
    me = viewer(request)
    providers = keys.list_providers()
    return member_page(
        request,
        "ai_settings.html",
        "AI settings",
        providers=providers,
        option_fields=_option_fields(providers),
        provider_names={p.id: p.name for p in providers},
        keys=await keys.visible_keys(runtime.db, me),
        **await _policy(runtime, me),
    )


@get("/settings/models", include_in_schema=False, guards=[admin_only])
async def models_page(request: Request, runtime: RuntimeDep) -> Template:
    """Admins only: the models on this box (install, add, remove) and the price table."""
    return member_page(
        request,
        "ai_models_page.html",
        "Models & prices",
        prices=await prices.price_table(runtime.db),
        provider_name=provider_name,
        models=await local_models(runtime.settings.data_dir),
    )


@get("/fragments/ai-keys", include_in_schema=False)
async def keys_fragment(request: Request, db: DatabaseDep) -> Template:
    found = await keys.visible_keys(db, viewer(request))
    names = {p.id: p.name for p in keys.list_providers()}
    return fragment(request, "partials/ai_keys_list.html", keys=found, provider_names=names)


@get("/fragments/ai-policy", include_in_schema=False)
async def policy_fragment(request: Request, runtime: RuntimeDep) -> Template:
    return fragment(request, "partials/ai_policy_form.html", **await _policy(runtime, viewer(request)))


@get("/fragments/ai-prices", include_in_schema=False)
async def prices_fragment(request: Request, db: DatabaseDep) -> Template:
    table = await prices.price_table(db)
    return fragment(request, "partials/ai_prices.html", prices=table, provider_name=provider_name)


async def _policy(runtime: Runtime, me: Principal) -> dict[str, Any]:
    prefs = await get_preferences(runtime.db, me.user_id)
    choices = [await _local_choice(runtime, me)]
    choices += [Choice(key.id, _key_label(key)) for key in await keys.visible_keys(runtime.db, me)]
    return {"prefs": prefs, "choices": choices, "fallbacks": _fallback_chain(choices, prefs)}


async def _local_choice(runtime: Runtime, me: Principal) -> Choice:
    installed = [route.model for route in await runtime.ai.models(me) if route.key_id is None]
    model = installed[0] if installed else "not installed yet"
    return Choice(LOCAL, f"The model on this box ({model})")


def _fallback_chain(choices: list[Choice], prefs: Preferences) -> list[Choice]:
    """My chain in its order, then the routes not in it, unticked."""
    by_ref = {choice.ref: choice for choice in choices}
    chain = [Choice(ref, by_ref[ref].label, chosen=True) for ref in prefs.fallbacks if ref in by_ref]
    return chain + [choice for choice in choices if choice.ref not in prefs.fallbacks]


def _key_label(key: ProviderKey) -> str:
    owner = "household" if key.shared else "mine"
    return f"{key.label} ({provider_name(key.provider)} {key.default_model}, {owner})"


def _option_fields(providers: list[ProviderInfo]) -> list[KeyOption]:
    """One field per option name, worded as the first provider's manifest that takes it says."""
    fields: dict[str, KeyOption] = {}
    for provider in providers:
        for option in provider.options:
            fields.setdefault(option.name, option)
    return list(fields.values())


pages = [ai_settings_page, models_page]
fragments = [keys_fragment, policy_fragment, prices_fragment, models_fragment]
