"""Cost routing on a fixed mixed workload against priced fake providers, against always using the premium model."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.runtime import open_runtime
from appliance.server import create_app
from appliance.settings import load_settings
from bench._servers import BENCH_ADMIN
from tests.fakes import FakeAnthropic, FakeGemini, FakeOpenAI  # loopback fakes, priced by the manifests

CACHE = Path(os.environ.get("ATOM_MODEL_CACHE") or Path.home() / ".cache" / "atom" / "pypi")
SHORT = "What should I cook tonight with rice and leeks?"
MEDIUM = "Summarise this note for the family calendar: " + "school play rehearsal moved to Thursday. " * 40
LONG = "Read this whole document and list every deadline in it. " + "The contract renews on a date. " * 2000
WORKLOAD = [SHORT] * 24 + [MEDIUM] * 10 + [LONG] * 6  # 40 requests, 6 too long for the local model


class PremiumOpenAI(FakeOpenAI):
    models = ("gpt-4o", "gpt-4o-mini")


def _client(data: Path) -> TestClient:
    install_model(data, load_manifest().get("smollm2"), CACHE)
    server = {"allowed_hosts": ["testserver.local"]}  # the in-process client's host name
    runtime = open_runtime(load_settings(environ={}, data_dir=data, ai={"threads": 2}, server=server))
    client = TestClient(app=create_app(runtime))
    client.__enter__()
    csrf = client.post("/api/setup", json={**BENCH_ADMIN, "setup_code": runtime.setup_code}).json()
    client.headers["X-CSRF-Token"] = csrf["csrf_token"]
    return client


def _key(client: TestClient, fake, provider: str, model: str) -> str:  # type: ignore[no-untyped-def]
    body = {"provider": provider, "api_key": fake.key, "base_url": fake.base_url, "default_model": model}
    return client.post("/api/ai/keys", json=body).json()["id"]


def _play(client: TestClient) -> Counter[str]:
    routes: Counter[str] = Counter()
    for prompt in WORKLOAD:
        body = {"model": "auto", "messages": [{"role": "user", "content": prompt}], "max_tokens": 16}
        reply = client.post("/v1/chat/completions", json=body)
        routes[reply.json().get("model", f"error {reply.status_code}")] += 1
    return routes


def _spend(client: TestClient) -> tuple[float, float]:
    usage = client.get("/api/ai/usage").json()
    return usage["spend_usd"], usage["premium_usd"]


def run() -> None:
    with PremiumOpenAI() as openai, FakeAnthropic() as anthropic, FakeGemini() as gemini:
        results = {}
        for policy in ("cheapest", "premium"):
            with tempfile.TemporaryDirectory() as tmp:
                client = _client(Path(tmp) / "data")
                premium = _key(client, openai, "openai", "gpt-4o")
                _key(client, anthropic, "anthropic", "claude-haiku-4-5")
                _key(client, gemini, "gemini", "gemini-2.5-flash")
                prefs = {"policy": "cheapest"} if policy == "cheapest" else {"policy": "fixed", "fixed_key": premium}
                client.put("/api/ai/preferences", json=prefs)
                routes = _play(client)
                results[policy] = (_spend(client), routes)
                client.__exit__(None, None, None)
    (spend, premium_estimate), routes = results["cheapest"]
    (baseline, _), _ = results["premium"]
    print(
        f"   workload: {len(WORKLOAD)} requests ({WORKLOAD.count(SHORT)} short, {WORKLOAD.count(MEDIUM)} medium, "
        f"{WORKLOAD.count(LONG)} too long for the local context)"
    )
    print(f"   routed (cheapest capable): {dict(routes)}")
    print(f"   spend, cheapest capable:   ${spend:.6f}")
    print(f"   spend, always gpt-4o:      ${baseline:.6f}  (ledger's own premium estimate: ${premium_estimate:.6f})")
    print(f"   ratio spend / always-premium: {spend / baseline:.3f}  (saving {100 * (1 - spend / baseline):.1f}%)")
