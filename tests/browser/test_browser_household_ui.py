"""The household's UI in Chromium: the home page, the navigation, chat, System's job runs and
sign-in, at desktop and phone widths, in light and dark, each checked with axe.

One Atom server (and its worker) serves the module, with OpenAI's and Anthropic's addresses
pointed at loopback fakes, so a fallback from one to the other can be seen in the chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
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
from playwright.sync_api import BrowserContext, Page, expect

from tests.fakes import FakeAnthropic, FakeOpenAI
from tests.processes import AtomProcess

MARKDOWN_REPLY = "Here is what the list needs:\n\n* **oat milk**\n* eggs\n\nAnything else?"


@pytest.fixture(scope="module")
def vendors() -> Iterator[tuple[FakeOpenAI, FakeAnthropic]]:
    with FakeOpenAI() as openai, FakeAnthropic() as anthropic:
        yield openai, anthropic  # type: ignore[misc]


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory, vendors: tuple[FakeOpenAI, FakeAnthropic]) -> Iterator[AtomServer]:
    """The module's Atom and its job worker; the operator has pointed both vendors at the fakes."""
    openai, anthropic = vendors
    ARTIFACTS.mkdir(exist_ok=True)
    server = atom_server(tmp_path_factory.mktemp("atom-data"), ARTIFACTS / "server-test_browser_household_ui.log")
    server.extra_env["ATOM_AI_PROVIDER_URLS"] = f"openai={openai.base_url},anthropic={anthropic.base_url}"
    server.start()
    worker = AtomProcess(
        "worker", server.data_dir, server.port, ARTIFACTS / "worker-test_browser_household_ui.log", server.extra_env
    ).start()
    yield server
    worker.stop()
    server.stop()


def _ask(page: Page, text: str) -> None:
    page.get_by_label("What should Atom do?").fill(text)
    page.get_by_role("button", name="Ask", exact=True).click()


def test_the_home_page_asks_atom_and_shows_the_day(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/")
    wait_live(page)
    today = page.locator("#panel-today")
    expect(today).to_contain_text("Nothing due today.")
    expect(page.locator("#panel-chats")).to_contain_text("Your conversations with Atom show here")
    _ask(page, "add oat milk to the shopping list")
    reply = page.locator("[data-ask-reply]")
    expect(reply).to_contain_text("Added oat milk to Shopping.")
    expect(reply.get_by_role("link", name="Continue in chat")).to_have_attribute("href", re.compile(r"^/chat/\w+$"))
    expect(page.locator("#panel-lists")).to_contain_text("1 open")  # live, without a reload
    expect(page.locator("#panel-chats")).to_contain_text("add oat milk to the shopping list")
    expect(page.get_by_label("What should Atom do?")).to_be_focused()  # ready for the next one
    screenshot(page, "home", docs=True)  # the README's picture of Atom
    assert_accessible(page, "home")


def test_the_home_page_on_a_phone_in_the_dark(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER, viewport=PHONE, color_scheme="dark")
    page.goto("/")
    expect(page.get_by_role("heading", name="Ask Atom")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the home page scrolls sideways"
    expect(page.get_by_role("status")).to_contain_text("Live")  # said in words on phones too, not a dot alone
    screenshot(page, "dashboard-phone-dark")
    assert_accessible(page, "dashboard-phone-dark")


def test_the_navigation_fits_one_line_and_folds_the_rest_under_more(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80, f"the header wraps: {header}"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="System")).to_be_hidden()
    more = nav.get_by_text("More", exact=True)
    more.click()
    expect(nav.get_by_role("link", name="System")).to_be_visible()
    expect(nav.get_by_role("link", name="Members")).to_be_visible()
    screenshot(page, "nav-more")
    assert_accessible(page, "nav-more")
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="System")).to_be_hidden()
    expect(more).to_be_focused()
    page.goto("/system")
    expect(page.locator("summary.nav-more-current")).to_have_text("More")  # where you are, though folded


def test_the_focus_ring_is_not_the_error_colour(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/account")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    danger = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()")
    assert ring == "rgb(109, 40, 217)" and danger == "#b42318", (ring, danger)


@contextmanager
def _signed_in_api(atom: AtomServer, account: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=atom.url) as client:
        me = client.post("/api/auth/login", json={k: account[k] for k in ("username", "password")})
        client.headers["X-CSRF-Token"] = me.raise_for_status().json()["csrf_token"]
        yield client


def test_chat_formats_replies_and_says_when_it_fell_back(
    signed_in: Callable[..., Page], atom: AtomServer, vendors: tuple[FakeOpenAI, FakeAnthropic]
) -> None:
    openai, anthropic = vendors
    with _signed_in_api(atom, MEMBER) as api:
        keys = [
            api.post("/api/ai/keys", json={"provider": p, "api_key": f.key, "default_model": m}).raise_for_status()
            for p, f, m in (("openai", openai, "gpt-4o-mini"), ("anthropic", anthropic, "claude-haiku-4-5"))
        ]
        ids = [key.json()["id"] for key in keys]
        prefs = {"policy": "fixed", "fixed_key": ids[0], "fallbacks": [ids[1]]}
        api.put("/api/ai/preferences", json=prefs).raise_for_status()
    anthropic.text = MARKDOWN_REPLY
    openai.fail(429, retry_after="30")
    page = signed_in(MEMBER, color_scheme="dark")
    page.goto("/chat")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    message = page.get_by_role("textbox", name="Message")
    expect(message).to_be_focused()  # ready to type on a computer
    message.fill("what does the shopping list still need for the party on Saturday, do you think?")
    page.get_by_role("button", name="Send").click()
    reply = page.locator(".message-assistant").last
    expect(reply.locator("li strong")).to_have_text("oat milk")  # Markdown, formatted once the reply is done
    expect(reply.locator("[data-message-note]")).to_contain_text("OpenAI could not answer")
    expect(reply.locator("[data-message-note]")).to_contain_text("Answered by Anthropic instead.")
    expect(reply).not_to_contain_text("**")
    screenshot(page, "chat-fallback", docs=True)
    assert_accessible(page, "chat-fallback-dark")
    page.reload()  # the note is kept with the answer, not only streamed
    expect(page.locator(".message-assistant").last.locator("[data-message-note]")).to_contain_text(
        "Answered by Anthropic instead."
    )
    openai.fail(429, retry_after="30")
    page.goto("/")
    # The Ask box is not streamed: the note comes with the answer. (Long, so its chat's title is cut
    # at a word like the one the phone test below looks for.)
    _ask(page, "tell me something nice about oat milk for the party on Saturday, in one sentence")
    expect(page.locator("[data-ask-reply-text]")).to_contain_text("oat milk")
    expect(page.locator("[data-ask-reply-note]")).to_contain_text("Answered by Anthropic instead.")
    page.goto("/settings/usage")
    failed = page.locator("[data-requests-table] tr[data-failed]")
    expect(failed.first).to_contain_text("Failed")
    expect(failed.first).to_contain_text("OpenAI")
    screenshot(page, "ai-usage-failed-dark")
    assert_accessible(page, "ai-usage-failed-dark")


def test_chat_on_a_phone_folds_conversations_behind_a_button(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER, viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto("/chat")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("heading", name="Conversations")).to_be_hidden()
    expect(page.locator(".keyboard-hint")).to_be_hidden()  # no Enter key to hint at on a touch screen
    page.get_by_role("button", name="Conversations").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    expect(page.locator("[data-conversations] a.item-title").first).to_have_text(re.compile(r"…$"))  # cut at a word
    screenshot(page, "chat-phone-conversations")
    assert_accessible(page, "chat-phone-conversations")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_run_heartbeat_now_ends_as_done_not_queued(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/system")
    wait_live(page)
    form = page.locator("form[data-api='/api/system/jobs/heartbeat']")
    form.get_by_role("button", name="Run heartbeat now").click()
    expect(form.get_by_role("alert")).to_have_text("Done.", timeout=20_000)
    expect(page.locator("tr[data-state='succeeded']").filter(has_text="heartbeat")).to_have_count(1)
    expect(page.locator("#status-title + div")).to_contain_text("Background jobs: running")  # the worker said so
    housekeeping = page.locator("form[data-api='/api/system/jobs/housekeeping']")
    housekeeping.get_by_role("button", name="Run housekeeping now").click()
    expect(housekeeping.get_by_role("alert")).to_have_text("Done.", timeout=20_000)
    screenshot(page, "system")
    assert_accessible(page, "system")


def test_system_on_a_phone_shows_runs_as_cards(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN, viewport=PHONE, color_scheme="dark")
    page.goto("/system")
    row = page.locator("tr[data-run-id]").first
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the job table scrolls sideways"
    screenshot(page, "system-phone-dark")
    assert_accessible(page, "system-phone-dark")


def _phone(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()


def test_sign_in_ignores_capitals_and_a_lock_out_says_minutes(
    household: None, new_context: Callable[..., BrowserContext]
) -> None:
    page = _phone(new_context)
    page.goto("/login")
    name = page.get_by_label("User name")
    expect(name).to_have_attribute("autocapitalize", "none")
    name.fill(ADMIN["username"].upper())  # what a phone's keyboard makes of it
    page.get_by_label("Password").fill(ADMIN["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    stranger = _phone(new_context)
    stranger.goto("/login")
    stranger.get_by_label("User name").fill("kim-nobody")
    for attempt in range(6):
        stranger.get_by_label("Password").fill(f"guess number {attempt}")
        with stranger.expect_response("**/api/auth/login"):
            stranger.get_by_role("button", name="Sign in").click()
    told = stranger.get_by_role("alert")
    expect(told).to_have_text(re.compile(r"even the right password is refused for now\. Try again in \d+ minutes\.$"))
    screenshot(stranger, "login-locked-phone")
    assert_accessible(stranger, "login-locked-phone")


def test_a_member_renames_themselves_and_the_header_follows(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER, viewport=PHONE)
    page.goto("/account")
    wait_live(page)
    form = page.locator("form[data-api='/api/account']")
    form.get_by_label("Name", exact=True).fill("Robin Rivers")
    form.get_by_role("button", name="Save name").click()
    expect(form.get_by_role("alert")).to_contain_text("Saved.")
    expect(page.locator(".whoami [data-me-name]")).to_have_text("Robin Rivers")  # live, from the members topic
    password = page.locator("form[data-api='/api/account/password']")
    password.get_by_label("Current password").fill(MEMBER["password"])
    password.get_by_label("New password", exact=True).fill(MEMBER["password"])
    password.get_by_label("Repeat the new password").fill(MEMBER["password"])
    password.get_by_role("button", name="Change password").click()
    expect(password.get_by_role("alert")).to_have_text("The new password must be different from the current one.")
    screenshot(page, "account-phone")
    assert_accessible(page, "account-phone")


def test_models_and_prices_offer_buttons_not_commands(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/settings/models")
    expect(page.get_by_role("heading", name="Models & prices", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Install smollm2")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("atom models install")
    screenshot(page, "models-and-prices")
    assert_accessible(page, "models-and-prices")
    member = signed_in(MEMBER)
    member.goto("/settings/ai")
    expect(member.get_by_role("heading", name="My AI", level=1)).to_be_visible()
    expect(member.get_by_role("link", name="Models & prices")).to_have_count(0)
