"""The Connections page in a real browser against a real `atom serve` whose connectors point at
loopback fakes (the operator's `connectors.base_urls`): a pasted Todoist token to its task on the
Tasks page, GitHub's device code shown and polled until the member approves, Dropbox's shown code
asked for (not an address) and pasted, its file found on Search with its Dropbox link, and accessibility."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from atom_browser import ADMIN, ARTIFACTS, AtomServer, assert_accessible, screenshot, wait_live
from playwright.sync_api import Page, expect

from tests.fakes.dropbox_api import APP_KEY, FakeDropbox
from tests.fakes.github_api import CLIENT_ID, FakeGitHub
from tests.fakes.todoist_api import TOKEN, FakeTodoist
from tests.processes import AtomProcess, free_port


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture(scope="module")
def todoist() -> Iterator[FakeTodoist]:
    with FakeTodoist() as fake:
        yield fake


@pytest.fixture(scope="module")
def dropbox() -> Iterator[FakeDropbox]:
    with FakeDropbox() as fake:
        yield fake


@pytest.fixture(scope="module")
def atom(
    tmp_path_factory: pytest.TempPathFactory, github: FakeGitHub, todoist: FakeTodoist, dropbox: FakeDropbox
) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    urls = f"github={github.url},todoist={todoist.url},dropbox={dropbox.url}"
    env = {"ATOM_LOG_FORMAT": "text", "ATOM_CONNECTORS_BASE_URLS": urls}
    server = AtomProcess(
        "serve", tmp_path_factory.mktemp("atom-data"), free_port(), ARTIFACTS / "server-connections.log", env
    )
    server.start()
    yield server
    server.stop()


def _open(page: Page, path: str) -> Page:
    page.goto(path)
    wait_live(page)
    return page


def test_a_pasted_token_brings_todoist_tasks_to_the_tasks_page(
    signed_in: Callable[..., Page], todoist: FakeTodoist
) -> None:
    todoist.add("Order more printer ink")
    page = _open(signed_in(ADMIN), "/connections")
    card = page.locator("[data-service=todoist]")
    card.get_by_text("Connect Todoist").click()
    card.get_by_label("API token").fill(TOKEN)
    card.get_by_role("button", name="Connect").click()
    expect(card.locator("[data-connection-state=connected]")).to_be_visible()
    expect(card).to_contain_text("as ada@example.com")
    card.get_by_role("button", name="Sync now").click()
    expect(card).to_contain_text("1 item brought in")
    assert TOKEN not in page.content()
    _open(page, "/tasks")
    expect(page.get_by_text("Order more printer ink")).to_be_visible()


def test_github_shows_the_device_code_and_connects_once_approved(
    signed_in: Callable[..., Page], github: FakeGitHub
) -> None:
    github.assign("alex-gh", "Fix the garage door")
    page = _open(signed_in(ADMIN), "/connections")
    card = page.locator("[data-service=github]")
    card.get_by_text("Connect GitHub").click()
    expect(card).to_contain_text("Enable Device Flow")
    card.get_by_label("Client ID of the household's app").fill(CLIENT_ID)
    card.get_by_role("button", name="Connect").click()
    code = page.locator("[data-device-code]")
    expect(code).to_have_text(re.compile(r"^\d{4}-\d{4}$"))
    expect(page.locator("[data-device-link]")).to_have_attribute("href", "https://github.com/login/device")
    assert_accessible(page, "connections-device")
    screenshot(page, "connections", docs=True)
    github.approve(code.inner_text(), "alex-gh")
    expect(card.locator("[data-connection-state=connected]")).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("as alex-gh")
    expect(page.locator("[data-sign-in]")).to_be_hidden()
    card.get_by_role("button", name="Sync now").click()
    expect(card).to_contain_text("1 item brought in")
    assert_accessible(page, "connections")


def test_dropbox_asks_for_the_code_it_shows_and_connects_with_it(
    signed_in: Callable[..., Page], dropbox: FakeDropbox
) -> None:
    dropbox.put("/Home/Kettle.md", b"# Kettle\n\nDescaling every month with citric acid.")
    page = _open(signed_in(ADMIN), "/connections")
    card = page.locator("[data-service=dropbox]")
    card.get_by_text("Connect Dropbox").click()
    card.get_by_label("Client ID of the household's app").fill(APP_KEY)
    card.get_by_role("button", name="Connect").click()
    panel = page.locator("[data-pkce]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("The service then shows a code")
    expect(panel.locator("[data-pkce-landed]")).to_be_hidden()
    box = panel.get_by_label("The code the service showed you")
    expect(box).to_have_attribute("type", "text")  # a code is not an address: type=url would refuse it
    code = dropbox.consent(panel.locator("[data-pkce-link]").get_attribute("href") or "")
    box.fill(code)
    panel.get_by_role("button", name="Finish signing in").click()
    expect(card.locator("[data-connection-state=connected]")).to_be_visible(timeout=15_000)
    expect(page.locator("[data-sign-in]")).to_be_hidden()
    assert code not in page.content()
    card.get_by_role("button", name="Sync now").click()
    expect(card).to_contain_text("1 item brought in")

    # Search shows the file with its link at Dropbox, opened in a new tab without Atom's page.
    page.goto("/search")
    wait_live(page)
    page.get_by_role("searchbox", name="Search or ask a question").fill("descaling")
    link = page.get_by_role("list", name="Results").get_by_role("link", name="Kettle.md")
    expect(link).to_have_attribute("href", "https://www.dropbox.com/home/Home?preview=Kettle.md")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.get_by_role("list", name="Results")).to_contain_text("From a connection")
