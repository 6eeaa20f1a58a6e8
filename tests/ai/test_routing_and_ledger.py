"""Routing policies, fallbacks, the ledger, budgets, usage and the editable price table."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeAnthropic, FakeOpenAI


class FakeOpenAIPremium(FakeOpenAI):
    models = ("gpt-4o", "gpt-4o-mini")


HELLO = {"messages": [{"role": "user", "content": "Say hello to the household."}], "max_tokens": 16}


def _key(client: TestClient, fake, provider: str, model: str) -> str:  # type: ignore[no-untyped-def]
    body = {"provider": provider, "api_key": fake.key, "default_model": model}
    response = client.post("/api/ai/keys", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _ask(client: TestClient, model: str = "auto") -> dict:
    response = client.post("/v1/chat/completions", json={"model": model, **HELLO})
    assert response.status_code == 200, response.text
    return response.json()


def _ledger(runtime: Runtime) -> list[tuple]:
    return runtime.db.read_sync(
        lambda c: c.execute(
            "SELECT provider, model, outcome, input_tokens, output_tokens, cost_usd FROM ai_usage ORDER BY created_at"
        ).fetchall()
    )


def _prefs(client: TestClient, **prefs: object) -> None:
    response = client.put("/api/ai/preferences", json=prefs)
    assert response.status_code == 200, response.text


def test_cheapest_policy_picks_the_cheaper_provider(ai_admin: TestClient, runtime: Runtime) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        _key(ai_admin, openai, "openai", "gpt-4o")  # $2.50 / $10
        _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")  # $1 / $5
        _prefs(ai_admin, policy="cheapest")
        reply = _ask(ai_admin)
        assert reply["model"] == "anthropic/claude-haiku-4-5"
        assert reply["choices"][0]["message"]["content"] == anthropic.text
        assert not [r for r in openai.requests if r.path.endswith("/chat/completions")]


def test_rate_limited_provider_falls_back_to_the_next(ai_admin: TestClient, runtime: Runtime) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        first = _key(ai_admin, openai, "openai", "gpt-4o-mini")
        second = _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        _prefs(ai_admin, policy="fixed", fixed_key=first, fallbacks=[second])
        openai.fail(429, retry_after="30")
        assert _ask(ai_admin)["model"] == "anthropic/claude-haiku-4-5"
        outcomes = [(p, o) for p, _, o, *_ in _ledger(runtime)]
        assert outcomes == [("openai", "error"), ("anthropic", "ok")]


def test_server_errors_are_retried_then_fall_back(ai_admin: TestClient, runtime: Runtime) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        first = _key(ai_admin, openai, "openai", "gpt-4o-mini")
        second = _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        _prefs(ai_admin, policy="fixed", fixed_key=first, fallbacks=[second])
        openai.fail(500, times=3)
        assert _ask(ai_admin)["model"] == "anthropic/claude-haiku-4-5"
        assert len([r for r in openai.requests if r.path.endswith("/chat/completions")]) == 3


def test_when_every_provider_fails_the_error_says_so(ai_admin: TestClient) -> None:
    with FakeOpenAI() as openai:
        _key(ai_admin, openai, "openai", "gpt-4o-mini")
        _prefs(ai_admin, policy="cheapest")
        openai.fail(500, times=3)
        response = ai_admin.post("/v1/chat/completions", json={"model": "auto", **HELLO})
        assert response.status_code == 503
        assert "openai/gpt-4o-mini" in response.json()["error"]["message"]


def test_rate_limit_on_an_explicit_model_is_429_with_retry_after(ai_admin: TestClient) -> None:
    with FakeOpenAI() as openai:
        _key(ai_admin, openai, "openai", "gpt-4o-mini")
        openai.fail(429, retry_after="30")
        response = ai_admin.post("/v1/chat/completions", json={"model": "openai/gpt-4o-mini", **HELLO})
        assert response.status_code == 429  # nothing else to fall back to, and every route only asked to wait
        assert response.headers["Retry-After"] == "30"
        assert "rate" in response.json()["error"]["message"].lower()


def test_local_only_without_a_local_model_is_a_clear_error(ai_admin: TestClient, runtime: Runtime) -> None:
    _prefs(ai_admin, policy="local_only")
    response = ai_admin.post("/v1/chat/completions", json={"model": "auto", **HELLO})
    assert response.status_code == 503
    assert "install" in response.json()["error"]["message"]


def test_every_request_is_in_the_ledger_with_its_cost(ai_admin: TestClient, runtime: Runtime) -> None:
    with FakeOpenAIPremium() as openai:
        _key(ai_admin, openai, "openai", "gpt-4o")
        reply = _ask(ai_admin, "openai/gpt-4o")
        [(provider, model, outcome, tokens_in, tokens_out, cost)] = _ledger(runtime)
        assert (provider, model, outcome) == ("openai", "gpt-4o", "ok")
        assert (tokens_in, tokens_out) == (reply["usage"]["prompt_tokens"], reply["usage"]["completion_tokens"])
        assert abs(cost - (tokens_in * 2.50 + tokens_out * 10.00) / 1e6) < 1e-12


def test_over_budget_refuses_clearly_when_the_member_chose_refusal(ai_admin: TestClient) -> None:
    with FakeOpenAIPremium() as openai:
        key = _key(ai_admin, openai, "openai", "gpt-4o")
        _prefs(ai_admin, policy="fixed", fixed_key=key, monthly_budget_usd=0.0000001, over_budget="refuse")
        _ask(ai_admin)  # spends past the budget
        refused = ai_admin.post("/v1/chat/completions", json={"model": "auto", **HELLO})
        assert refused.status_code == 402
        assert "budget" in refused.json()["error"]["message"]
        usage = ai_admin.get("/api/ai/usage").json()  # the same rule, told to the member
        assert (usage["budget_spent"], usage["over_budget"]) == (True, "refuse")
        local = ai_admin.put(
            "/api/ai/preferences",
            json={"policy": "fixed", "fixed_key": key, "monthly_budget_usd": 0.0000001, "over_budget": "local"},
        )
        assert local.status_code == 200
        downgraded = ai_admin.post("/v1/chat/completions", json={"model": "auto", **HELLO})
        assert downgraded.status_code == 402  # no local model installed in this test's data folder
        assert "local model is not installed" in downgraded.json()["error"]["message"]


def test_usage_shows_spend_per_provider_and_the_saving(ai_admin: TestClient) -> None:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        _key(ai_admin, openai, "openai", "gpt-4o")  # the priciest configured
        _key(ai_admin, anthropic, "anthropic", "claude-haiku-4-5")
        _prefs(ai_admin, policy="cheapest")
        for _ in range(3):
            _ask(ai_admin)
        usage = ai_admin.get("/api/ai/usage").json()
        [spend] = usage["by_provider"]
        assert spend["provider"] == "anthropic" and spend["requests"] == 3
        assert usage["spend_usd"] > 0
        assert usage["premium_usd"] > usage["spend_usd"]
        assert abs(usage["saving_usd"] - (usage["premium_usd"] - usage["spend_usd"])) < 1e-9
        assert (usage["budget_usd"], usage["budget_spent"]) == (None, False)


def test_admin_edits_prices_members_cannot(ai_admin: TestClient, runtime: Runtime) -> None:
    changed = ai_admin.put("/api/ai/prices/openai/gpt-4o", json={"input_per_mtok": 1.0, "output_per_mtok": 2.0})
    assert changed.status_code == 200 and changed.json()["edited"] is True
    table = {(p["provider"], p["model"]): p for p in ai_admin.get("/api/ai/prices").json()}
    assert table[("openai", "gpt-4o")]["input_per_mtok"] == 1.0
    assert table[("openai", "gpt-4o-mini")]["edited"] is False
    add_member(ai_admin, "bob", "bob's password")
    with second_client(runtime) as bob:
        sign_in(bob, "bob", "bob's password")
        assert (
            bob.put("/api/ai/prices/openai/gpt-4o", json={"input_per_mtok": 0, "output_per_mtok": 0}).status_code == 403
        )
    reset = ai_admin.delete("/api/ai/prices/openai/gpt-4o").json()
    assert (reset["input_per_mtok"], reset["edited"]) == (2.5, False)
    bad = ai_admin.put("/api/ai/prices/openai/gpt-4o", json={"input_per_mtok": -1, "output_per_mtok": 0})
    assert bad.status_code == 400


def test_each_ledger_entry_is_announced_to_its_member_live(ai_admin: TestClient) -> None:
    import json

    with FakeOpenAI() as openai, ai_admin.websocket_connect("/api/live") as live:
        assert json.loads(live.receive_text(timeout=5))["action"] == "ready"
        _key(ai_admin, openai, "openai", "gpt-4o-mini")
        assert json.loads(live.receive_text(timeout=5))["topic"] == "ai-keys"
        _ask(ai_admin, "openai/gpt-4o-mini")
        event = json.loads(live.receive_text(timeout=5))
        assert (event["topic"], event["action"]) == ("ai-usage", "created")
