"""The AI gateway: route a member's request, stream the reply, fall back, record the ledger.

One gateway per server process. It owns the local provider (so the model is
loaded once) and creates cloud providers per request with the member's key.

A request with tools is checked once (providers.tools.check_tools) and routed only to providers
whose manifest says `tools = true`; their calls arrive in the reply's last chunk.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, cast

import msgspec

from appliance.accounts.shapes import Principal
from appliance.ai import keys, ledger, prices
from appliance.ai.outbound import OutboundRules, StandIns
from appliance.ai.preferences import get_preferences
from appliance.ai.providers.base import ChatChunk, ChatMessage, ChatProvider, ChatRequest, ProviderConfig, Usage
from appliance.ai.providers.registry import box_provider, create_provider, manifest, manifests
from appliance.ai.providers.tools import check_tools
from appliance.ai.routing import AUTO_MODELS, Route, estimate_tokens, plan_routes
from appliance.ai.shapes import KeyTestResult, LedgerEntry, Outcome, Source
from appliance.errors import (
    ConfigError,
    InvalidInput,
    KeyRejected,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ServiceUnavailable,
)
from appliance.settings import Settings
from appliance.storage import Database
from appliance.vault import Vault

__all__ = ["AIGateway", "RoutedChunk", "fallback_note"]

_FALL_THROUGH = (RateLimited, ProviderUnavailable, KeyRejected)


class RoutedChunk(msgspec.Struct, frozen=True):
    route: Route
    chunk: ChatChunk
    fallback: str = ""
    """Set when earlier routes failed and this one answers instead, in words for the member
    ("OpenAI could not answer (…); answered on this box"): a swap is never silent."""


class AIGateway:
    def __init__(
        self, settings: Settings, db: Database, vault: Vault, stand_ins: StandIns | None = None, **provider_options: Any
    ) -> None:
        """`provider_options` go to every cloud provider's `create` (e.g. a retry policy);
        `stand_ins` are tests' fakes of the vendors (see appliance.ai.outbound.rules)."""
        self._settings, self._db, self._vault = settings, db, vault
        self.outbound = OutboundRules.for_box(settings, stand_ins)  # where keys' requests may go
        _check_provider_urls(self.outbound)
        self.on_usage: Callable[[str], None] = lambda user_id: None  # told after each ledger entry
        self._provider_options = provider_options
        self._local: ChatProvider | None = None

    async def models(self, principal: Principal) -> list[Route]:
        """Every route this member may name: the box's chat models and their keys' models."""
        return await self._candidates(principal, explicit=None, every_model=True)

    async def stream(
        self, principal: Principal, request: ChatRequest, source: Source
    ) -> AsyncGenerator[RoutedChunk, None]:
        """Stream a reply from the first route that answers; falls back only before any text."""
        check_tools(request)  # InvalidInput before any route is tried
        plan, premium = await self._plan(principal, request)
        failures: list[tuple[Route, ProviderError]] = []
        for route in plan:
            try:
                async with aclosing(self._attempt(principal, route, premium, request, source)) as chunks:
                    note = fallback_note(failures, route)
                    async for chunk in chunks:
                        yield RoutedChunk(route, chunk, note)
                return
            except _FallThrough as failed:
                failures.append((route, failed.error))
        raise _none_answered(failures)

    async def test_key(self, principal: Principal, key_id: str) -> list[str]:
        key = await keys.get_key(self._db, principal, key_id)
        config = await keys.provider_config(self._vault, principal, key, self.outbound, timeout=15)
        provider = create_provider(config, **self._provider_options)
        try:
            return await provider.list_models()
        finally:
            await provider.aclose()

    async def check_key(self, principal: Principal, key_id: str) -> KeyTestResult:
        """Test the key, keep the verdict on it (the page's badge), and return it.

        An address Atom refuses to reach (AddressRefused) is still raised: the caller's to fix."""
        key = await keys.get_key(self._db, principal, key_id)
        try:
            result = keys.verdict(key.provider, await self.test_key(principal, key_id), None)
        except ProviderError as error:
            result = keys.verdict(key.provider, None, error)
        except InvalidInput as refused:  # kept on the badge too, then told as the 400 it is
            await keys.record_test(self._db, key_id, KeyTestResult(ok=False, detail=f"Not tested: {refused}."))
            raise
        await keys.record_test(self._db, key_id, result)
        return result

    async def aclose(self) -> None:
        if self._local is not None:
            await self._local.aclose()

    async def _plan(self, principal: Principal, request: ChatRequest) -> tuple[list[Route], Route]:
        """The routes to try, and the member's priciest configured route (the saving's baseline)."""
        explicit = None if request.model in AUTO_MODELS else request.model
        prefs, spent, routes = await asyncio.gather(  # independent reads, side by side on the read pool
            get_preferences(self._db, principal.user_id),
            ledger.month_spend(self._db, principal.user_id),
            self._candidates(principal, explicit=explicit, every_model=False),
        )
        over = ledger.budget_spent(prefs.monthly_budget_usd, spent)
        prompt = estimate_tokens(_prompt_text(request))
        able = _able_to_answer(routes, request, explicit)
        plan = plan_routes(able, prefs, request.model, prompt, request.max_tokens or 512, over)
        return plan, max(routes, key=lambda r: r.price.cost(1_000_000, 1_000_000))

    async def _attempt(
        self, principal: Principal, route: Route, premium: Route, request: ChatRequest, source: Source
    ) -> AsyncGenerator[ChatChunk, None]:
        provider = await self._provider(principal, route)
        routed = msgspec.structs.replace(
            request, model=route.model, member=principal.user_id, messages=_messages_for(route, request), local_note=""
        )
        meter = _Meter(route, premium, request)
        try:
            # every provider's stream is an async generator, which the contract calls an AsyncIterator
            async with aclosing(cast(AsyncGenerator[ChatChunk, None], provider.stream(routed))) as chunks:
                async for chunk in chunks:
                    meter.saw(chunk)
                    yield chunk
        except _FALL_THROUGH as exc:
            await self._record(principal, meter, "error", str(exc), source)
            if meter.text_seen:
                raise
            raise _FallThrough(exc) from exc
        except ProviderError as exc:
            await self._record(principal, meter, "error", str(exc), source)
            raise
        except (GeneratorExit, asyncio.CancelledError):
            await asyncio.shield(self._record(principal, meter, "cancelled", "client went away", source))
            raise
        else:
            await self._record(principal, meter, "ok", "", source)
        finally:
            if route.key_id is not None:
                await provider.aclose()

    async def _record(self, principal: Principal, meter: _Meter, outcome: Outcome, error: str, source: Source) -> None:
        await ledger.record(self._db, meter.entry(principal.user_id, outcome, error, source))
        self.on_usage(principal.user_id)

    async def _provider(self, principal: Principal, route: Route) -> ChatProvider:
        if route.key_id is None:
            return self._local_provider()
        key = await keys.get_key(self._db, principal, route.key_id)
        config = await keys.provider_config(self._vault, principal, key, self.outbound)
        return create_provider(config, **self._provider_options)

    def _local_provider(self) -> ChatProvider:
        if self._local is None:
            ai = self._settings.ai
            options = {
                "data_dir": str(self._settings.data_dir),
                "model": ai.local_model,
                "threads": str(ai.threads),
                "context": str(ai.context),
                "per_member": str(ai.local_per_member),
                "queue": str(ai.local_queue),
            }
            self._local = create_provider(ProviderConfig(kind=box_provider().id, options=options))
        return self._local

    async def _candidates(self, principal: Principal, explicit: str | None, every_model: bool) -> list[Route]:
        edits, local, visible = await asyncio.gather(
            prices.price_edits(self._db), self._local_models(every_model), keys.visible_keys(self._db, principal)
        )
        routes = [_route(edits, box_provider().id, name, None) for name in local]
        for key in visible:
            names = {key.default_model}
            if every_model:
                names |= {m for m in _manifest_models(key.provider)}
            if explicit and explicit.startswith(key.provider + "/") and _allowed(key.provider, explicit):
                names.add(explicit.split("/", 1)[1])
            routes += [_route(edits, key.provider, name, key.id, key.on_own_network) for name in sorted(names)]
        return routes

    async def _local_models(self, every_model: bool) -> list[str]:
        chat = await self._local_provider().list_models()
        preferred = self._settings.ai.local_model
        ordered = sorted(chat, key=lambda name: name != preferred)
        return ordered if every_model else ordered[:1]


def _check_provider_urls(rules: OutboundRules) -> None:
    fixed = sorted(m.id for m in manifests().values() if m.base_url)  # a manifest with one names no other
    unknown = sorted(set(rules.provider_urls) - set(fixed))
    if unknown:
        raise ConfigError(f"ai.provider_urls names {', '.join(unknown)}; it replaces the address of {', '.join(fixed)}")


class _FallThrough(Exception):
    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error


class _Meter:
    """Counts one attempt's tokens, time and cost for the ledger."""

    def __init__(self, route: Route, premium: Route, request: ChatRequest) -> None:
        self.route, self.premium, self.started = route, premium, time.perf_counter()
        self.estimated_input = estimate_tokens(_prompt_text(request))
        self.pieces, self.text_seen = 0, False
        self.usage: Usage | None = None

    def saw(self, chunk: ChatChunk) -> None:
        if chunk.text:
            self.pieces += 1
            self.text_seen = True
        if chunk.usage is not None:
            self.usage = chunk.usage

    def entry(self, user_id: str, outcome: Outcome, error: str, source: Source) -> LedgerEntry:
        guessed_input = self.estimated_input if self.text_seen else 0
        usage = self.usage or Usage(input_tokens=guessed_input, output_tokens=self.pieces)
        return LedgerEntry(
            user_id=user_id,
            provider=self.route.provider,
            model=self.route.model,
            key_id=self.route.key_id,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=self.route.price.cost(usage.input_tokens, usage.output_tokens),
            premium_cost_usd=self.premium.price.cost(usage.input_tokens, usage.output_tokens),
            latency_ms=(time.perf_counter() - self.started) * 1000,
            outcome=outcome,
            error=error,
            source=source,
        )


def _able_to_answer(routes: list[Route], request: ChatRequest, explicit: str | None) -> list[Route]:
    """The routes that can answer `request`: with tools, those whose provider calls tools."""
    if not request.tools:
        return routes
    able = [route for route in routes if manifest(route.provider).tools]
    if explicit and any(r.name == explicit for r in routes) and not any(r.name == explicit for r in able):
        raise InvalidInput(f"model {explicit!r} cannot call tools; choose another or leave the tools out")
    if routes and not able:
        raise ServiceUnavailable("none of your AI providers can call tools: install the local model or add a key")
    return able


def _prompt_text(request: ChatRequest) -> str:
    """What the model reads: the messages, and the tools' descriptions and schemas."""
    tools = msgspec.json.encode(request.tools).decode() if request.tools else ""
    return "".join(m.content for m in request.messages) + tools


def _messages_for(route: Route, request: ChatRequest) -> list[ChatMessage]:
    """The request's messages, with its local note in the system message when the model is in the house
    (on this box, or on a server an admin placed on the household's own network)."""
    if not request.local_note or not route.in_the_house:
        return request.messages
    first, *rest = request.messages or [ChatMessage(role="system", content="")]
    if first.role != "system":
        return [ChatMessage(role="system", content=request.local_note), *request.messages]
    return [ChatMessage(role="system", content=f"{first.content}\n{request.local_note}".strip()), *rest]


def fallback_note(failures: list[tuple[Route, ProviderError]], answering: Route) -> str:
    """What the member is told when a route answers in place of the ones that failed ("" when none did)."""
    if not failures:
        return ""
    names = {p.id: p.name for p in keys.list_providers()} | {"local": "The model on this box"}
    failed = "; ".join(f"{names.get(r.provider, r.provider)} could not answer ({error})" for r, error in failures)
    where = "on this box" if answering.key_id is None else f"by {names.get(answering.provider, answering.provider)}"
    return f"{failed}. Answered {where} instead."


def _none_answered(failures: list[tuple[Route, ProviderError]]) -> ProviderError:
    """Every route failed: a 429 with the soonest wait when all were only busy, else a 503."""
    message = "no provider could answer (" + "; ".join(f"{route.name}: {error}" for route, error in failures) + ")"
    if not failures or not all(isinstance(error, RateLimited) for _, error in failures):
        return ProviderUnavailable(message)
    waits = [error.retry_after for _, error in failures if isinstance(error, RateLimited) and error.retry_after]
    return RateLimited(message, retry_after=min(waits) if waits else None)


def _route(
    edits: dict[tuple[str, str], tuple[float, float]], provider: str, model: str, key_id: str | None, own: bool = False
) -> Route:
    price = prices.priced(edits, provider, model)
    return Route(provider=provider, model=model, key_id=key_id, price=price, on_own_network=own)


def _manifest_models(provider: str) -> list[str]:
    return [m for m in manifest(provider).models if m != "*"]


def _allowed(provider: str, explicit: str) -> bool:
    models = manifest(provider).models
    return explicit.split("/", 1)[1] in models or "*" in models
