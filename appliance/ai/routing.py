"""Routing: which providers may answer a request, in the order to try them.

Policies (each member picks one):
    local_only   the model on this box, nothing else
    local_first  the box first, then configured keys from cheapest to dearest
    cheapest     the cheapest route whose context fits the request (the box costs nothing)
    fixed        one chosen key (or the box), then the fallback chain
The member's fallback chain is appended to every plan. Over the monthly budget, paid
routes are dropped: the request goes to the box, or is refused, as the member chose.
"""

from __future__ import annotations

import msgspec

from appliance.ai.shapes import LOCAL, ModelPrice, Preferences
from appliance.errors import BudgetExceeded, InvalidInput, ServiceUnavailable

__all__ = ["Route", "plan_routes", "estimate_tokens", "AUTO_MODELS"]

AUTO_MODELS = frozenset({"", "auto", "atom"})


class Route(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    model: str
    key_id: str | None  # None: the local model
    price: ModelPrice
    on_own_network: bool = False  # a key's server an admin placed on the household's own network

    @property
    def in_the_house(self) -> bool:
        """The model on this box, or a server on the household's own network: it may hear the household note."""
        return self.key_id is None or self.on_own_network

    @property
    def name(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def ref(self) -> str:
        """How preferences name this route: a key id, or 'local'."""
        return self.key_id or LOCAL

    def fits(self, tokens: int) -> bool:
        return self.price.context == 0 or tokens <= self.price.context


def estimate_tokens(text: str) -> int:
    """Rough count for routing decisions (about four characters a token)."""
    return max(1, len(text) // 4)


def plan_routes(
    routes: list[Route],
    prefs: Preferences,
    requested: str,
    input_tokens: int,
    output_tokens: int,
    over_budget: bool,
) -> list[Route]:
    """The routes to try, in order. `requested` is "auto" or "provider/model"."""
    ordered = (
        _explicit(routes, requested)
        if requested not in AUTO_MODELS
        else _by_policy(routes, prefs, input_tokens, output_tokens)
    )
    ordered = _dedupe([*ordered, *_by_refs(routes, prefs.fallbacks)])
    if not ordered:
        raise ServiceUnavailable("no AI provider is available: install the local model or add a provider key")
    return _within_budget(ordered, routes, prefs, over_budget)


def _by_policy(routes: list[Route], prefs: Preferences, input_tokens: int, output_tokens: int) -> list[Route]:
    local = [r for r in routes if r.key_id is None]
    by_cost = sorted(routes, key=lambda r: r.price.cost(input_tokens, output_tokens))
    cloud = [r for r in by_cost if r.key_id is not None]
    if prefs.policy == "local_only":
        return local
    if prefs.policy == "local_first":
        return [*local, *cloud]
    if prefs.policy == "fixed":
        return _by_refs(routes, [prefs.fixed_key] if prefs.fixed_key else [])
    fitting = [r for r in routes if r.fits(input_tokens + output_tokens)]
    return sorted(fitting, key=lambda r: (r.price.cost(input_tokens, output_tokens), r.key_id is not None))


def _explicit(routes: list[Route], requested: str) -> list[Route]:
    matching = [r for r in routes if r.name == requested]
    if not matching:
        raise InvalidInput(f"model {requested!r} is not available to you; GET /v1/models lists what is")
    return matching


def _by_refs(routes: list[Route], refs: list[str]) -> list[Route]:
    by_ref = {r.ref: r for r in routes}
    return [by_ref[ref] for ref in refs if ref in by_ref]


def _dedupe(routes: list[Route]) -> list[Route]:
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for route in routes:
        if (route.name, route.key_id) not in seen:
            seen.add((route.name, route.key_id))
            unique.append(route)
    return unique


def _within_budget(ordered: list[Route], routes: list[Route], prefs: Preferences, over_budget: bool) -> list[Route]:
    if not over_budget:
        return ordered
    free = _dedupe([r for r in [*ordered, *routes] if r.price.cost(1_000_000, 1_000_000) == 0])
    budget = f"your monthly AI budget of ${prefs.monthly_budget_usd:.2f} is spent"
    if prefs.over_budget == "refuse" and ordered[0] not in free:
        raise BudgetExceeded(f"{budget}; raise it on the AI settings page, or choose the local model")
    if not free:
        raise BudgetExceeded(f"{budget} and the local model is not installed")
    return free
