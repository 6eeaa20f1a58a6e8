"""A key is tested when saved and keeps its verdict as a badge: "no internet on this box" is not "key rejected"."""

from __future__ import annotations

import httpx
from litestar.testing import TestClient

from appliance.ai.keys import verdict
from appliance.errors import KeyRejected, ProviderUnavailable
from tests.fakes import FakeOpenAI


def _unreachable() -> ProviderUnavailable:
    try:
        try:
            raise httpx.ConnectError("cannot find the server api.openai.com")
        except httpx.ConnectError as cause:
            raise ProviderUnavailable("openai: could not reach api.openai.com (ConnectError)", "openai") from cause
    except ProviderUnavailable as error:
        return error


def test_the_verdict_tells_no_internet_from_a_rejected_key() -> None:
    offline = verdict("openai", None, _unreachable())
    assert not offline.ok and offline.detail.startswith("No internet on this box: could not reach api.openai.com")
    rejected = verdict(
        "openai", None, KeyRejected("openai: key rejected: the server refused the key (HTTP 401)", "openai")
    )
    assert rejected.detail == (
        "Key rejected: the server refused the key (HTTP 401). Copy the key again from OpenAI, then Edit it here."
    )
    down = verdict("openai", None, ProviderUnavailable("openai: the server failed (HTTP 503)", "openai"))
    assert down.detail.startswith("Could not check the key: the server failed (HTTP 503)")
    works = verdict("openai", ["gpt-4o-mini", "gpt-4o"], None)
    assert works.ok and works.detail == "Works: OpenAI accepted the key; 2 models available."


def test_a_saved_key_is_tested_and_its_badge_stays(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        good = ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "label": "Good"}).json()
        bad = ai_admin.post(
            "/api/ai/keys", json={"provider": "openai", "api_key": "sk-wrong-000000000", "label": "Old"}
        )
    assert good["last_test_ok"] is True and good["last_test"].startswith("Works") and good["last_tested_at"]
    assert bad.status_code == 201 and bad.json()["last_test_ok"] is False  # saved all the same, and told why
    listed = ai_admin.get("/fragments/ai-keys").text
    assert '<span class="badge badge-ok" data-key-verdict>Works</span>' in listed
    assert '<span class="badge badge-warn" data-key-verdict>Key rejected</span>' in listed
    assert "sk-wrong" not in listed
