"""The AI pages in a real browser, against a loopback fake of OpenAI.

One Atom server and one fake serve the whole module; the tests run in file order and build
on each other: the member meets the "no provider" message, the admin adds and tests keys,
chats with a streamed reply, stops one, sets a budget, reads the usage and edits a price.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from atom_browser import (
    ADMIN,
    ARTIFACTS,
    MEMBER,
    PHONE,
    AtomServer,
    assert_accessible,
    atom_server,
    screenshot,
    wait_live,
)
from playwright.sync_api import Locator, Page, Route, expect

from appliance.ai.models import install_model, load_manifest, require_model
from appliance.caches import model_cache
from tests.fakes import FakeOpenAI

BAD_KEY = "sk-wrong-0000000000000000"
QUESTION = "What is the capital of France?"
MODEL_CACHE = model_cache()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    """OpenAI on 127.0.0.1, which the Atom server process reaches like any provider."""
    with FakeOpenAI() as vendor:
        yield vendor  # type: ignore[misc]


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI) -> Iterator[AtomServer]:
    """The module's Atom, its operator having pointed OpenAI's official address at the fake."""
    ARTIFACTS.mkdir(exist_ok=True)
    server = atom_server(tmp_path_factory.mktemp("atom-data"), ARTIFACTS / "server-test_browser_ai_pages.log")
    server.extra_env["ATOM_AI_PROVIDER_URLS"] = f"openai={fake.base_url}"
    server.start()
    yield server
    server.stop()


def open_chat(page: Page, path: str = "/chat") -> Locator:
    page.goto(path)
    expect(page.get_by_role("button", name="Send")).to_be_enabled()  # chat.js is ready
    return page.get_by_role("log", name="Messages")


def send(page: Page, text: str) -> None:
    box = page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def test_without_a_provider_the_thread_says_what_to_do(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER)
    thread = open_chat(page)
    send(page, "Hello?")
    expect(thread.locator(".message-user")).to_have_text(re.compile("Hello\\?"))
    expect(thread.locator(".message-error")).to_contain_text(
        "No AI provider is available: install the local model or add a provider key."
    )
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]{32}$"))  # the new conversation has its own address
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    screenshot(page, "chat-no-provider")


def test_keys_are_added_tested_fixed_and_deleted(signed_in: Callable[..., Page], fake: FakeOpenAI) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/ai")
    form = page.locator("form[data-add-key]")
    expect(form.get_by_label("Deployment name")).to_be_hidden()  # ai-settings.js fitted the fields
    form.get_by_label("Provider").select_option(label="Azure OpenAI")
    expect(form.get_by_label("Deployment name")).to_be_visible()
    own_network = form.get_by_label("This server is on our own network")
    expect(own_network).to_be_hidden()  # offered only for a server a household runs itself
    form.get_by_label("Provider").select_option(label="OpenAI-compatible server")
    expect(own_network).to_be_visible()
    add_key(form, "Fake OpenAI", fake.key)
    add_key(form, "Old key", BAD_KEY)

    good, bad = key_row(page, "Fake OpenAI"), key_row(page, "Old key")
    expect(good).to_contain_text("sk-…cdef")
    good.get_by_role("button", name="Test Fake OpenAI").click()
    expect(good.locator("[data-key-verdict]")).to_have_text("Works")  # tested when it was saved
    expect(bad.locator("[data-key-verdict]")).to_have_text("Key rejected")
    expect(bad.locator("[data-key-last-test]")).to_contain_text("Copy the key again from OpenAI")
    good.get_by_role("button", name="Test Fake OpenAI").click()  # the row is redrawn with the new verdict
    expect(good.locator("[data-key-last-test]")).to_contain_text("Works: OpenAI accepted the key; 2 models available.")
    bad.get_by_role("button", name="Test Old key").click()
    expect(bad.locator("[data-key-last-test]")).to_contain_text("Key rejected")
    assert fake.key not in page.content() and BAD_KEY not in page.content()
    screenshot(page, "ai-settings")
    assert_accessible(page, "ai-settings")

    bad.get_by_role("button", name="Edit Old key").click()
    dialog = page.get_by_role("dialog", name="Edit Old key")
    dialog.get_by_label("New API key").fill(fake.key)
    screenshot(page, "ai-settings-edit-key")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(key_row(page, "Old key")).to_contain_text("sk-…cdef")  # the list shows the new key's hint
    expect(key_row(page, "Old key").locator("[data-key-verdict]")).to_have_text("Works")  # tested on save
    page.once("dialog", lambda confirm: confirm.accept())
    key_row(page, "Old key").get_by_role("button", name="Delete Old key").click()
    expect(page.locator("[data-keys-list] li")).to_have_count(1)


def add_key(form: Locator, label: str, secret: str) -> None:
    form.get_by_label("Provider").select_option(label="OpenAI")
    expect(form.get_by_label("Server address")).to_be_hidden()  # OpenAI has one address; keys name none
    form.get_by_label("Name", exact=True).fill(label)
    form.get_by_label("API key").fill(secret)
    form.get_by_label("Default model").fill("gpt-4o-mini")
    form.get_by_role("button", name="Add key").click()
    expect(form.get_by_role("alert")).to_have_text("Key added and tested: its badge below says whether it works.")
    expect(key_row(form.page, label)).to_be_visible()


def key_row(page: Page, label: str) -> Locator:
    title = page.locator(".item-title", has_text=re.compile(f"^{label}$"))
    return page.locator("[data-keys-list] li").filter(has=title)


def test_a_reply_streams_in_and_the_history_stays(signed_in: Callable[..., Page], fake: FakeOpenAI) -> None:
    page = signed_in(ADMIN)
    thread = open_chat(page)
    page.get_by_label("Model").select_option("openai/gpt-4o-mini")
    box = page.get_by_label("Message", exact=True)
    box.fill("Line one")
    box.press("Shift+Enter")
    box.press_sequentially("line two")
    assert box.input_value() == "Line one\nline two"
    fake.hold_stream()  # the fake sends the first word, then waits
    box.fill(QUESTION)
    box.press("Enter")
    reply = thread.locator(".message-assistant").last
    expect(reply.locator("[data-message-text]")).to_have_text(re.compile(r"^Hello\s*$"))
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    fake.release()
    expect(reply.locator("[data-message-text]")).to_have_text(fake.text)
    expect(reply.locator("[data-message-meta]")).to_have_text("openai/gpt-4o-mini")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("heading", name=QUESTION)).to_be_visible()
    expect(page.locator("[data-conversations] a[aria-current='page']")).to_have_text(QUESTION)

    page.reload()
    thread = open_chat(page, page.url)
    expect(thread.locator(".message-user")).to_have_text([re.compile(re.escape(QUESTION))])
    expect(thread.locator(".message-assistant [data-message-meta]")).to_have_text(["openai/gpt-4o-mini"])
    expect(page.get_by_label("Model")).to_have_value("openai/gpt-4o-mini")  # remembered in this browser
    screenshot(page, "chat", docs=True)
    assert_accessible(page, "chat")


def test_stop_ends_a_reply_midway(signed_in: Callable[..., Page], fake: FakeOpenAI) -> None:
    page = signed_in(ADMIN)
    thread = open_chat(page)
    fake.server.released.clear()  # hold the next stream after its first word again
    try:
        send(page, "Tell me a long story")
        reply = thread.locator(".message-assistant").last
        expect(reply.locator("[data-message-text]")).to_have_text(re.compile(r"^Hello\s*$"))
        page.get_by_label("Message", exact=True).press("Escape")
        expect(reply.locator("[data-message-meta]")).to_have_text(re.compile("stopped$"))
        expect(page.get_by_role("button", name="Send")).to_be_visible()
        expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    finally:
        fake.release()
    thread = open_chat(page, page.url)
    expect(thread.locator(".message-user").last).to_have_text(re.compile("Tell me a long story"))


def test_a_message_sent_while_a_reply_streams_follows_it(signed_in: Callable[..., Page], fake: FakeOpenAI) -> None:
    page = signed_in(ADMIN)
    thread = open_chat(page)
    fake.server.released.clear()
    try:
        send(page, "Tell me a long story")
        first = thread.locator(".message-assistant").last
        expect(first.locator("[data-message-text]")).to_have_text(re.compile(r"^Hello\s*$"))
        send(page, "And then a short one")
        expect(thread.locator(".message-user")).to_have_count(1)  # waits for the first reply to end
    finally:
        fake.release()
    expect(first.locator("[data-message-text]")).to_have_text(fake.text)
    expect(thread.locator(".message-user")).to_have_count(2)
    expect(thread.locator(".message-user").last).to_have_text(re.compile("And then a short one"))
    expect(thread.locator(".message-assistant")).to_have_count(2)
    expect(thread.locator(".message-assistant").last.locator("[data-message-text]")).to_have_text(fake.text)
    expect(page.get_by_label("Message", exact=True)).to_have_value("")


def test_a_message_typed_while_the_conversation_is_made_is_sent_next(signed_in: Callable[..., Page]) -> None:
    """The first message makes the conversation (one round trip, long on a slow box) before it is sent."""
    page = signed_in(ADMIN)
    thread = open_chat(page)
    held: list[Route] = []
    page.route("**/api/chat/conversations", lambda route: held.append(route))
    send(page, "First question")
    send(page, "Second question")
    assert len(held) == 1, "the new conversation was not held back"
    held[0].continue_()
    expect(thread.locator(".message-user")).to_have_text([re.compile("First question"), re.compile("Second question")])
    expect(page.get_by_label("Message", exact=True)).to_have_value("")


def test_a_message_whose_conversation_could_not_be_made_goes_back_to_the_box(signed_in: Callable[..., Page]) -> None:
    """The box is emptied as the message is taken; a failure to start must not lose it."""
    page = signed_in(ADMIN)
    thread = open_chat(page)
    page.route("**/api/chat/conversations", lambda route: route.fulfill(status=503, json={"detail": "busy"}))
    send(page, "Are you there?")
    expect(thread.locator(".message-error")).to_have_text(re.compile("Busy"))
    expect(thread.locator(".message-user")).to_have_count(0)
    expect(page.get_by_label("Message", exact=True)).to_have_value("Are you there?")


def test_a_budget_policy_is_saved(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/ai")
    form = page.locator("form[data-policy-form]")
    form.get_by_label("One provider", exact=True).check()
    fixed = form.get_by_label("The one provider")
    fixed.select_option(fixed.locator("option", has_text="Fake OpenAI").get_attribute("value"))
    local = form.locator("[data-fallback]").filter(has_text="The model on this box")
    local.get_by_role("checkbox").check()
    local.get_by_role("button", name=re.compile("up$")).click()
    form.get_by_label("Monthly budget (US dollars)").fill("0")
    form.get_by_label("Refuse, and tell me so").check()
    form.get_by_role("button", name="Save policy").click()
    expect(form.get_by_role("alert")).to_have_text("Policy saved.")
    page.reload()
    form = page.locator("form[data-policy-form]")
    expect(form.get_by_label("One provider", exact=True)).to_be_checked()
    expect(form.get_by_label("Monthly budget (US dollars)")).to_have_value("0.0")
    expect(form.get_by_label("Refuse, and tell me so")).to_be_checked()
    expect(form.locator("[data-fallback]").first).to_contain_text("The model on this box")
    expect(form.locator("[data-fallback]").first.get_by_role("checkbox")).to_be_checked()
    screenshot(page, "ai-settings-policy")


def test_over_budget_the_thread_explains_the_refusal(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    thread = open_chat(page)
    page.get_by_label("Model").select_option("auto")
    send(page, "One more question")
    expect(thread.locator(".message-error")).to_contain_text("budget", timeout=3000)


def test_usage_shows_the_spend_after_the_chat(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/usage")
    expect(page.get_by_role("heading", level=2)).to_contain_text("AI usage in")
    table = page.locator("table[data-usage-table]")
    expect(table.get_by_role("row", name=re.compile("^OpenAI"))).to_be_visible()
    expect(page.locator("[data-usage-spend]")).not_to_have_text("$0.00")
    expect(page.locator("[data-usage-saving-explained]")).to_contain_text("priciest model you have set up")
    settings_entry = page.locator("nav[aria-label='Main'] a[href='/settings/ai']")  # folded under More
    expect(settings_entry).to_have_attribute("aria-current", "page")
    screenshot(page, "ai-usage")
    assert_accessible(page, "ai-usage")
    page.goto("/")
    panel = page.locator("#panel-ai")
    expect(panel.get_by_role("heading", name="AI this month")).to_be_visible()
    expect(panel).to_contain_text("spent of $0.00")
    screenshot(page, "dashboard-ai-panel")
    assert_accessible(page, "dashboard-ai-panel")


def test_the_admin_edits_a_price_and_members_do_not_see_the_page(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/models")
    wait_live(page)
    what = "OpenAI gpt-4o-mini"
    price = page.get_by_label(f"Input price of {what}", exact=True)
    price.fill("0.2")
    page.get_by_role("button", name=f"Save price of {what}", exact=True).click()
    row = page.locator("table[data-prices] tr").filter(has=price)
    expect(row.get_by_text("edited")).to_be_visible()
    expect(price).to_have_value("0.2")
    page.get_by_role("button", name=f"Reset price of {what}", exact=True).click()
    expect(price).to_have_value("0.15")
    expect(row.get_by_text("edited")).to_have_count(0)

    member = signed_in(MEMBER)
    member.goto("/settings/ai")
    expect(member.get_by_role("heading", name="Prices")).to_have_count(0)  # prices are the admins' page
    expect(member.get_by_label(f"Input price of {what}", exact=True)).to_have_count(0)
    assert_accessible(member, "ai-settings-member")
    member.goto("/settings/models")
    expect(member.get_by_role("heading", name="This page is not for you")).to_be_visible()
    expect(member.get_by_role("navigation", name="Main")).to_be_visible()  # the error page keeps the way back


def test_the_ai_pages_in_the_dark_theme(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    open_chat(page)
    page.get_by_role("button", name="Theme: light").click()
    page.locator("[data-conversations] a.item-title", has_text=QUESTION).click()
    expect(page.get_by_role("log", name="Messages").locator(".message-assistant").first).to_be_visible()
    for name, path in (("chat", None), ("ai-settings", "/settings/ai"), ("ai-usage", "/settings/usage")):
        if path:
            page.goto(path)
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        screenshot(page, f"{name}-dark")
        assert_accessible(page, f"{name}-dark")


def test_chat_on_a_phone(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN, viewport=PHONE)
    open_chat(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "chat scrolls sideways"
    screenshot(page, "chat-phone")
    page.goto("/settings/ai")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "settings scroll sideways"
    screenshot(page, "ai-settings-phone")


@pytest.fixture(scope="module")
def a_gguf(tmp_path_factory: pytest.TempPathFactory, atom: AtomServer) -> Path:
    """A real GGUF chat model the admin put in the server's import folder."""
    elsewhere = tmp_path_factory.mktemp("downloads")
    install_model(elsewhere, load_manifest().get("smollm2"), MODEL_CACHE)
    return _into_import_folder(atom, require_model(elsewhere, "smollm2").path(elsewhere))


def _into_import_folder(atom: AtomServer, file: Path) -> Path:
    folder = atom.data_dir / "models" / "import"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file.name).unlink(missing_ok=True)
    os.link(file, folder / file.name)  # a second name for the same bytes: no copy of 98 MB
    return folder / file.name


def test_an_admin_adds_a_gguf_model_from_the_box_and_removes_it(
    signed_in: Callable[..., Page], a_gguf: Path, tmp_path: Path, atom: AtomServer
) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/models")
    form = page.locator("form[data-add-model]")
    expect(form.get_by_label("Web address", exact=True)).to_be_hidden()  # ai-settings.js offers one source at a time
    form.get_by_label("A web address (the box needs internet)").check()
    expect(form.get_by_label("Path on the box")).to_be_hidden()
    expect(form.get_by_label("Web address", exact=True)).to_be_visible()
    expect(model_row(page, "smollm2").get_by_role("button", name="Install smollm2")).to_be_visible()

    held: list[Route] = []  # the request waits here a moment: the form shows it is at work
    page.route("**/api/ai/models", lambda route: held.append(route))
    add_model(form, "my-smol", str(a_gguf))
    expect(form.get_by_text("Checking and copying the model")).to_be_visible()
    held[0].continue_()
    page.unroute("**/api/ai/models")
    expect(form.get_by_role("alert")).to_have_text("Added my-smol. Chat offers it as local/my-smol.", timeout=30_000)
    expect(form.get_by_text("Checking and copying the model")).to_be_hidden()
    expect(model_row(page, "my-smol")).to_contain_text("Custom")
    expect(model_row(page, "my-smol").get_by_role("button", name="Remove my-smol")).to_be_visible()

    shopping = tmp_path / "notes.gguf"
    shopping.write_text("shopping list, not a model")
    not_gguf = _into_import_folder(atom, shopping)
    add_model(form, "notes", str(not_gguf))
    expect(form.get_by_role("alert")).to_have_text(
        "Notes.gguf is not a GGUF model file (it does not start with GGUF's signature)."
    )
    expect(form.get_by_label("Path on the box")).to_have_value(str(not_gguf))  # kept, to correct it
    screenshot(page, "ai-settings-models")
    assert_accessible(page, "ai-settings-models")

    chat = signed_in(ADMIN)
    open_chat(chat)
    expect(chat.get_by_label("Model").locator("option[value='local/my-smol']")).to_have_count(1)

    page.once("dialog", lambda confirm: confirm.accept())
    model_row(page, "my-smol").get_by_role("button", name="Remove my-smol").click()
    expect(model_row(page, "my-smol")).to_have_count(0)

    member = signed_in(MEMBER)
    member.goto("/settings/ai")
    expect(model_row(member, "smollm2")).to_have_count(0)
    expect(member.locator("form[data-add-model]")).to_have_count(0)


def add_model(form: Locator, name: str, path: str) -> None:
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("A file on this box").check()
    form.get_by_label("Path on the box").fill(path)
    form.get_by_role("button", name="Add model").click()


def model_row(page: Page, name: str) -> Locator:
    return page.locator(f"table[data-models] tr[data-model='{name}']")
