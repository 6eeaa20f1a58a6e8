"""The AI pages in-process: Chat, AI settings, AI usage and the dashboard's "AI this month" panel.

What a member would see: the pages render with their navigation entry marked, a key's
secret never reaches a page, members get no admin controls, the chat history and the
answering model are shown, and spend appears once a reply has been paid for.
`ai_admin` (gateway without retry waits) and `client` come from tests/conftest.py.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server.pages.usage import usd
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeOpenAI

HTML = {"accept": "text/html"}
SECRET = "sk-live-9f8e7d6c5b4a39281706"
AI_PAGES = {"/chat": "Chat", "/settings/ai": "Settings", "/settings/usage": "Settings"}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as vendor:
        yield vendor  # type: ignore[misc]


def add_key(client: TestClient, api_key: str = SECRET, **fields: object) -> dict:
    body = {"provider": "openai", "api_key": api_key, "default_model": "gpt-4o-mini", **fields}
    response = client.post("/api/ai/keys", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def chat_once(client: TestClient, text: str = "What is the capital of France?") -> str:
    conversation = client.post("/api/chat/conversations", json={}).json()["id"]
    reply = client.post(
        f"/api/chat/conversations/{conversation}/messages", json={"content": text, "model": "openai/gpt-4o-mini"}
    )
    assert "event: done" in reply.text, reply.text
    return conversation


def current_nav(page: str) -> list[str]:
    nav = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', nav)


def test_each_ai_page_renders_with_its_navigation_entry_marked(ai_admin: TestClient) -> None:
    for path, entry in AI_PAGES.items():
        response = ai_admin.get(path)
        assert response.status_code == 200, path
        assert current_nav(response.text) == [entry], path
        assert "<script>" not in response.text and " style=" not in response.text  # the CSP forbids inline code


def test_signed_out_visitors_are_sent_to_sign_in(ai_admin: TestClient) -> None:
    ai_admin.post("/api/auth/logout")
    for path in AI_PAGES:
        response = ai_admin.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    for fragment in ("/fragments/conversations", "/fragments/ai-keys", "/fragments/ai-usage", "/fragments/panels/ai"):
        assert ai_admin.get(fragment).status_code == 401, fragment


def test_a_key_secret_never_reaches_a_page(ai_admin: TestClient) -> None:
    key = add_key(ai_admin, label="Family OpenAI")
    chat_page_paths = ("/settings/ai", "/fragments/ai-keys", "/fragments/ai-policy", "/chat", "/", "/settings/usage")
    for path in chat_page_paths:
        page = ai_admin.get(path).text
        assert SECRET not in page and SECRET[3:-4] not in page, path
    settings = ai_admin.get("/settings/ai").text
    assert key["key_hint"] in settings and "Family OpenAI" in settings


def test_members_see_household_keys_but_no_admin_controls(ai_admin: TestClient, runtime: Runtime) -> None:
    add_key(ai_admin, label="House key", shared=True)
    admin_page = ai_admin.get("/settings/ai").text
    prices_page = ai_admin.get("/settings/models").text  # prices are on the admins' Models & prices page
    assert "data-price-form" in prices_page and 'name="input_per_mtok"' in prices_page
    assert 'name="shared"' in admin_page and 'aria-label="Edit House key"' in admin_page
    add_member(ai_admin, "robin", "robin's password")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "robin's password")
        page = robin.get("/settings/ai").text
        assert "House key" in page and 'aria-label="Test House key"' in page
        assert 'aria-label="Edit House key"' not in page and 'aria-label="Delete House key"' not in page
        assert 'name="shared"' not in page
        assert "data-price-form" not in page and 'name="input_per_mtok"' not in page
        prices = robin.get("/fragments/ai-prices").text
        assert "<td>0.15</td>" in prices and 'name="input_per_mtok"' not in prices  # read-only for members


def test_an_edited_price_shows_as_edited_with_a_reset(ai_admin: TestClient) -> None:
    response = ai_admin.put("/api/ai/prices/openai/gpt-4o-mini", json={"input_per_mtok": 0.2, "output_per_mtok": 0.8})
    assert response.status_code == 200, response.text
    table = ai_admin.get("/fragments/ai-prices").text
    row = next(r for r in table.split("<tr>") if ">gpt-4o-mini <span" in r)
    assert 'value="0.2"' in row and 'value="0.8"' in row and "edited" in row
    assert 'aria-label="Reset price of OpenAI gpt-4o-mini"' in row


def test_the_model_picker_offers_what_v1_models_lists(ai_admin: TestClient) -> None:
    assert "data-no-models" in ai_admin.get("/chat").text  # nothing can answer yet: the page says so
    add_key(ai_admin)
    page = ai_admin.get("/chat").text
    picker = page.split('<select id="chat-model"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([^"]+)"', picker)
    listed = [m["id"] for m in ai_admin.get("/v1/models").json()["data"]]
    assert offered == listed and offered[0] == "auto" and "openai/gpt-4o-mini" in offered
    assert "data-no-models" not in page


def test_a_conversation_page_shows_the_history_and_the_answering_model(ai_admin: TestClient, fake: FakeOpenAI) -> None:
    add_key(ai_admin, api_key=fake.key)
    conversation = chat_once(ai_admin)
    page = ai_admin.get(f"/chat/{conversation}").text
    thread = page.split("data-thread>", 1)[1].split("data-thread-empty", 1)[0]
    assert "What is the capital of France?" in thread and fake.text in thread
    assert ">openai/gpt-4o-mini</p>" in thread
    assert current_nav(page) == ["Chat"]
    listed = ai_admin.get(f"/fragments/conversations?current={conversation}").text
    assert f'href="/chat/{conversation}" aria-current="page"' in listed


def test_conversations_stay_private_on_the_page(ai_admin: TestClient, runtime: Runtime, fake: FakeOpenAI) -> None:
    add_key(ai_admin, api_key=fake.key)
    conversation = chat_once(ai_admin, "My secret plans")
    add_member(ai_admin, "robin", "robin's password")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "robin's password")
        assert robin.get(f"/chat/{conversation}", headers=HTML).status_code == 404
        assert "My secret plans" not in robin.get("/chat").text
        assert "My secret plans" not in robin.get("/fragments/conversations").text


def test_spend_shows_on_the_usage_page_and_the_dashboard(ai_admin: TestClient, fake: FakeOpenAI) -> None:
    add_key(ai_admin, api_key=fake.key)
    assert "No AI requests yet this month." in ai_admin.get("/settings/usage").text
    ai_admin.put("/api/ai/preferences", json={"policy": "cheapest", "monthly_budget_usd": 0.01})
    chat_once(ai_admin)
    usage = ai_admin.get("/api/ai/usage").json()
    page = ai_admin.get("/settings/usage").text
    assert f"<dd data-usage-spend>{usd(usage['spend_usd'])}</dd>" in page
    assert '<th scope="row">OpenAI</th>' in page and "of your budget used" in page
    assert "priciest model you have set up" in page
    panel = ai_admin.get("/fragments/panels/ai").text
    assert usd(usage["spend_usd"]) in panel and "of $0.01" in panel and 'href="/settings/usage"' in panel
    assert 'id="panel-ai"' in ai_admin.get("/").text
    assert "data-over-budget" not in page
    ai_admin.put("/api/ai/preferences", json={"policy": "cheapest", "monthly_budget_usd": 0, "over_budget": "refuse"})
    assert "Atom refuses requests that would go to paid providers" in ai_admin.get("/fragments/ai-usage").text


def test_the_policy_form_shows_my_saved_choices_in_order(ai_admin: TestClient) -> None:
    first, second = add_key(ai_admin, label="First"), add_key(ai_admin, label="Second")
    prefs = {
        "policy": "fixed",
        "fixed_key": second["id"],
        "fallbacks": [second["id"], "local"],
        "monthly_budget_usd": 5.0,
        "over_budget": "refuse",
    }
    assert ai_admin.put("/api/ai/preferences", json=prefs).status_code == 200
    form = ai_admin.get("/fragments/ai-policy").text
    assert re.search(r'value="fixed"[^>]*checked', form) and re.search(r'value="refuse"[^>]*checked', form)
    assert f'<option value="{second["id"]}" selected>' in form and 'value="5.0"' in form
    chain = re.findall(r'name="fallbacks" value="([^"]+)" data-list( checked)?', form)
    assert chain == [(second["id"], " checked"), ("local", " checked"), (first["id"], "")]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "$0.00"),
        (0.01, "$0.01"),
        (12.345, "$12.35"),
        (1234.5, "$1,234.50"),
        (0.0000057, "$0.0000057"),
        (0.004, "$0.0040"),
    ],
)
def test_amounts_keep_a_fraction_of_a_cent_readable(amount: float, shown: str) -> None:
    assert usd(amount) == shown


def test_the_chat_script_and_stream_reader_ship_with_the_shell(client: TestClient) -> None:
    for path in ("/static/js/pages/chat.js", "/static/js/sse.js", "/static/js/pages/ai-settings.js"):
        assert client.get(path).status_code == 200, path
    assert "/static/js/sse.js" in client.get("/sw.js").text


def header_only_gguf(folder: Path, license_name: str = "MIT") -> Path:
    """A GGUF header with no tensors: Atom registers it (llama.cpp could not run it; these tests do not)."""
    key, value = b"general.license", license_name.encode()
    entry = struct.pack("<Q", len(key)) + key + struct.pack("<IQ", 8, len(value)) + value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + entry)
    return path


def models_section(page: str) -> str:
    return page.split('id="models-title"', 1)[1].split('id="prices-title"', 1)[0]


def test_local_models_are_listed_and_only_admins_add_or_remove_them(
    ai_admin: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    import_folder = runtime.settings.data_dir / "models" / "import"
    added = ai_admin.post("/api/ai/models", json={"name": "tiny", "path": str(header_only_gguf(import_folder))})
    assert added.status_code == 201, added.text
    section = models_section(ai_admin.get("/settings/models").text)
    assert 'aria-label="Install smollm2"' in section  # shipped but missing: a button, not a command to type
    assert 'data-api="/api/ai/models" ' in section and 'name="path"' in section and 'name="chat_template"' in section
    assert 'aria-label="Remove tiny"' in section and 'aria-label="Remove smollm2"' not in section
    row = ai_admin.get("/fragments/ai-models").text.split('<tr data-model="tiny">', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:2] == ["Chat", "Custom"] and ">MIT</td>" in row
    add_member(ai_admin, "robin", "robin's password")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "robin's password")
        assert robin.get("/settings/models", headers=HTML).status_code == 403
        section = robin.get("/fragments/ai-models").text
        assert '<tr data-model="tiny">' in section and "Not installed" in section
        assert "data-add-model" not in section and "Remove" not in section and 'aria-label="Install' not in section
        robin.post("/api/auth/logout")
        assert robin.get("/fragments/ai-models").status_code == 401
