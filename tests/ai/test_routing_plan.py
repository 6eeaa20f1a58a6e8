"""The routing plan as a pure function: policies, context fit, fallbacks, budget."""

from __future__ import annotations

import pytest

from appliance.ai.routing import Route, plan_routes
from appliance.ai.shapes import ModelPrice, Preferences
from appliance.errors import BudgetExceeded, InvalidInput, ServiceUnavailable


def route(provider: str, model: str, key: str | None, inp: float, out: float, context: int) -> Route:
    price = ModelPrice(provider=provider, model=model, input_per_mtok=inp, output_per_mtok=out, context=context)
    return Route(provider=provider, model=model, key_id=key, price=price)


LOCAL = route("local", "smollm2", None, 0, 0, 2048)
CHEAP = route("gemini", "gemini-2.5-flash", "k-gemini", 0.3, 2.5, 1_000_000)
DEAR = route("openai", "gpt-4o", "k-openai", 2.5, 10, 128_000)
ALL = [LOCAL, DEAR, CHEAP]


def plan(prefs: Preferences, requested: str = "auto", tokens: int = 100, over: bool = False) -> list[str]:
    return [r.name for r in plan_routes(ALL, prefs, requested, tokens, 64, over)]


def test_local_only_and_local_first() -> None:
    assert plan(Preferences(policy="local_only")) == ["local/smollm2"]
    assert plan(Preferences(policy="local_first")) == ["local/smollm2", "gemini/gemini-2.5-flash", "openai/gpt-4o"]


def test_cheapest_capable_skips_routes_whose_context_is_too_small() -> None:
    assert plan(Preferences(policy="cheapest"))[0] == "local/smollm2"
    assert plan(Preferences(policy="cheapest"), tokens=5000) == ["gemini/gemini-2.5-flash", "openai/gpt-4o"]


def test_fixed_then_the_fallback_chain() -> None:
    prefs = Preferences(policy="fixed", fixed_key="k-openai", fallbacks=["local", "k-gemini"])
    assert plan(prefs) == ["openai/gpt-4o", "local/smollm2", "gemini/gemini-2.5-flash"]


def test_an_explicit_model_goes_first_and_unknown_ones_are_refused() -> None:
    assert plan(Preferences(fallbacks=["local"]), requested="openai/gpt-4o") == ["openai/gpt-4o", "local/smollm2"]
    with pytest.raises(InvalidInput):
        plan(Preferences(), requested="openai/gpt-5")


def test_over_budget_goes_local_or_refuses() -> None:
    to_local = Preferences(policy="fixed", fixed_key="k-openai", monthly_budget_usd=1, over_budget="local")
    assert plan(to_local, over=True) == ["local/smollm2"]
    refuse = Preferences(policy="fixed", fixed_key="k-openai", monthly_budget_usd=1, over_budget="refuse")
    with pytest.raises(BudgetExceeded, match=r"\$1.00"):
        plan(refuse, over=True)
    assert plan(Preferences(policy="local_first", monthly_budget_usd=1, over_budget="refuse"), over=True) == [
        "local/smollm2"
    ]


def test_nothing_configured_is_a_clear_error() -> None:
    with pytest.raises(ServiceUnavailable, match="install the local model or add a provider key"):
        plan_routes([], Preferences(), "auto", 10, 10, False)
