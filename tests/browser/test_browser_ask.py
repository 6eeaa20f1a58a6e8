"""Ask Atom in a real browser: the embedding model installed, OpenAI's address pointed at a loopback
fake, and an answer whose numbered citations link to the notes they came from, or, for a file
brought in from Dropbox (a loopback fake), to its page at Dropbox in a new tab."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from atom_browser import ADMIN, ARTIFACTS, MEMBER, AtomServer, assert_accessible, atom_server, screenshot, wait_live
from playwright.sync_api import Page, expect

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from tests.fakes import FakeOpenAI
from tests.fakes.dropbox_api import APP_KEY, FakeDropbox

ANSWER = "Keep the boiler at 1.5 bar [1]; the loop is under it [2]. Not [7]."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as vendor:
        vendor.text = ANSWER  # type: ignore[misc]
        yield vendor  # type: ignore[misc]


@pytest.fixture(scope="module")
def dropbox() -> Iterator[FakeDropbox]:
    with FakeDropbox() as service:
        yield service


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI, dropbox: FakeDropbox) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)  # when this module runs alone
    data = tmp_path_factory.mktemp("atom-data")
    install_model(data, load_manifest().get("minilm-l6-v2"), model_cache())
    server = atom_server(data, ARTIFACTS / "server-test_browser_ask.log")
    server.extra_env["ATOM_AI_PROVIDER_URLS"] = f"openai={fake.base_url}"
    server.extra_env["ATOM_CONNECTORS_BASE_URLS"] = f"dropbox={dropbox.url}"
    server.start()
    yield server
    server.stop()


def csrf(page: Page) -> dict[str, str]:
    return {"X-CSRF-Token": page.locator("input[name=csrf_token]").first.input_value()}


def test_an_answer_cites_the_notes_it_came_from(signed_in: Callable[..., Page], fake: FakeOpenAI) -> None:
    page = signed_in(MEMBER)
    page.goto("/notes")
    key = {"provider": "openai", "label": "Mine", "api_key": fake.key, "default_model": "gpt-4o-mini"}
    assert page.request.post("/api/ai/keys", data=key, headers=csrf(page)).status == 201
    notes = [
        {"title": "Boiler", "body": "The boiler pressure should read 1.5 bar on the gauge."},
        {"title": "Filling loop", "body": "The filling loop to top up the boiler pressure is under the boiler."},
    ]
    ids = [page.request.post("/api/notes", data=n, headers=csrf(page)).json()["id"] for n in notes]

    page.goto("/search?q=boiler+pressure")
    wait_live(page)
    meaning = page.locator("[data-meaning]")
    for _ in range(60):  # the model loads and embeds the notes in the background
        if meaning.is_hidden() and page.locator(".result").count() == 2:
            break
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_timeout(1000)
    expect(meaning).to_be_hidden()

    page.get_by_label("Search or ask a question").fill("What pressure should the boiler be at?")
    page.get_by_role("button", name="Ask Atom").click()
    answer = page.get_by_role("region", name="Atom's answer")
    expect(answer.locator(".answer-text")).to_have_text(ANSWER, timeout=30_000)
    expect(answer.get_by_text("Answered by")).to_contain_text("gpt-4o-mini")
    sources = answer.get_by_role("list", name="Sources").get_by_role("listitem")
    expect(sources).to_have_count(2)
    expect(answer.get_by_role("link", name="source 7")).to_have_count(0)  # not a source: stays text
    answer.get_by_role("link", name="source 2").click()
    second = page.locator("#citation-2")
    expect(page).to_have_url(re.compile("#citation-2$"))
    page.wait_for_timeout(400)  # the search for the typed question may finish after the click
    expect(page).to_have_url(re.compile("#citation-2$"))
    screenshot(page, "search-ask")
    assert_accessible(page, "search-ask-cited")
    link = second.get_by_role("link")
    assert link.get_attribute("href") in {f"/notes/{i}" for i in ids}
    expect(second.locator("mark").first).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(Boiler|Filling loop)$"))
    asked = fake.last.body
    assert "Question: What pressure should the boiler be at?" in asked["messages"][-1]["content"]


def _connect_dropbox(page: Page, dropbox: FakeDropbox) -> None:
    """Dropbox connected and synced through the API (the Connections page has its own browser test)."""
    start = {"connector": "dropbox", "sign_in": "pkce", "client_id": APP_KEY}
    step = page.request.post("/api/connections", data=start, headers=csrf(page)).json()
    code = dropbox.consent(step["pkce"]["authorize_url"])
    where = f"/api/connections/{step['connection']['id']}"
    signed = page.request.post(f"{where}/sign-in/paste", data={"address": code}, headers=csrf(page))
    assert signed.json()["connection"]["state"] == "connected", signed.text()
    assert page.request.post(f"{where}/sync", headers=csrf(page)).ok


def test_a_cited_connected_record_links_to_the_service_in_a_new_tab(
    signed_in: Callable[..., Page], fake: FakeOpenAI, dropbox: FakeDropbox
) -> None:
    dropbox.put("/Home/Kettle.md", b"# Kettle\n\nDescale the kettle every month with citric acid.")
    page = signed_in(ADMIN)
    page.goto("/search")
    _connect_dropbox(page, dropbox)
    key = {"provider": "openai", "label": "Alex's", "api_key": fake.key, "default_model": "gpt-4o-mini"}
    assert page.request.post("/api/ai/keys", data=key, headers=csrf(page)).status == 201
    wait_live(page)
    page.get_by_label("Search or ask a question").fill("How often should the kettle be descaled?")
    answer = page.get_by_role("region", name="Atom's answer")
    sources = answer.get_by_role("list", name="Sources")
    for _ in range(60):  # the model embeds the file in the background; until then nothing is relevant
        page.get_by_role("button", name="Ask Atom").click()
        expect(answer.locator(".answer-text")).not_to_be_empty(timeout=30_000)
        if sources.count():
            break
        page.wait_for_timeout(1000)
    link = sources.get_by_role("link", name="Kettle.md")
    expect(link).to_have_attribute("href", "https://www.dropbox.com/home/Home?preview=Kettle.md")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
