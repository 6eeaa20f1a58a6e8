"""Models & prices, the admins' page: install with a button, default models kept from a one-click removal."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server.routes import models as model_routes
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeOpenAI


class _Busy:
    def locked(self) -> bool:
        return True


def test_the_models_page_is_the_admins_and_my_ai_is_everyones(ai_admin: TestClient, runtime: Runtime) -> None:
    page = ai_admin.get("/settings/models").text
    assert "<h1>Models &amp; prices</h1>" in page and 'id="prices-title"' in page
    assert 'aria-label="Install smollm2"' in page and "atom models install" not in page  # a button, not a command
    mine = ai_admin.get("/settings/ai").text
    assert "<h1>My AI</h1>" in mine and 'id="prices-title"' not in mine and 'id="models-title"' not in mine
    add_member(ai_admin, "bob", "bob's password")
    with second_client(runtime) as bob:
        sign_in(bob, "bob", "bob's password")
        assert bob.get("/settings/models", headers={"Accept": "text/html"}).status_code == 403
        assert "/settings/models" not in bob.get("/settings/ai").text
        assert bob.post("/api/ai/models/smollm2/install").status_code == 403


def test_an_admin_installs_a_shipped_model_and_a_default_is_not_removed_by_accident(ai_admin: TestClient) -> None:
    installed = ai_admin.post("/api/ai/models/smollm2/install")
    assert installed.status_code == 200, installed.text
    assert installed.json()["installed"] is True and installed.json()["default"] is True
    refused = ai_admin.delete("/api/ai/models/smollm2")
    assert refused.status_code == 409 and "default" in refused.json()["detail"]
    assert 'data-api="/api/ai/models/smollm2?default_too=true"' in ai_admin.get("/fragments/ai-models").text
    assert ai_admin.delete("/api/ai/models/smollm2", params={"default_too": "true"}).status_code == 204
    listed = {m["name"]: m for m in ai_admin.get("/api/ai/models").json()}
    assert listed["smollm2"]["installed"] is False


def test_install_answers_clearly_for_unknown_models_and_a_busy_box(
    ai_admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = ai_admin.post("/api/ai/models/not-a-model/install")
    assert unknown.status_code == 404 and "not-a-model" in unknown.json()["detail"]
    monkeypatch.setattr(model_routes, "_installing", _Busy())
    busy = ai_admin.post("/api/ai/models/smollm2/install")
    assert busy.status_code == 409 and "another model is being installed" in busy.json()["detail"]


def test_budgets_have_sane_bounds(ai_admin: TestClient) -> None:
    too_much = ai_admin.put("/api/ai/preferences", json={"policy": "local_first", "monthly_budget_usd": 100_000})
    assert too_much.status_code == 400
    negative = ai_admin.put("/api/ai/preferences", json={"policy": "local_first", "monthly_budget_usd": -1})
    assert negative.status_code == 400
    fine = ai_admin.put("/api/ai/preferences", json={"policy": "local_first", "monthly_budget_usd": 25})
    assert fine.status_code == 200
    assert 'max="10000"' in ai_admin.get("/settings/ai").text


def test_the_model_picker_reads_as_names_grouped_by_provider(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        body = {"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"}
        assert ai_admin.post("/api/ai/keys", json=body).status_code == 201
        picker = ai_admin.get("/chat").text.split('<select id="chat-model"', 1)[1].split("</select>", 1)[0]
    group = picker.split('<optgroup label="OpenAI">', 1)[1].split("</optgroup>", 1)[0]
    assert '<option value="openai/gpt-4o-mini">gpt-4o-mini</option>' in group  # the id the API takes, a name to read
