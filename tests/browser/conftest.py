"""Real-browser tests: a real `atom serve` process on a free loopback port, driven by Debian's Chromium.

Each test module gets its own server and data folder; the browser is shared by the
session. Screenshots go to test-artifacts/screenshots/, accessibility reports to
test-artifacts/a11y/. `ATOM_UPDATE_SCREENSHOTS=1` also refreshes docs/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import httpx
import pytest
from atom_browser import (
    ADMIN,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    MEMBER,
    AtomServer,
    atom_server,
    with_setup_code,
)
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.process)


@pytest.fixture(scope="module")  # not session: Playwright's sync API holds an event loop while it runs
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/system-packages.sh test` (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def atom(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[AtomServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.module.__name__.rsplit(".", 1)[-1]
    server = atom_server(tmp_path_factory.mktemp("atom-data"), ARTIFACTS / f"server-{name}.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def new_context(browser: Browser, atom: AtomServer) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser contexts (separate cookie jars) that fail the test on any uncaught page error."""
    opened: list[BrowserContext] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: object) -> BrowserContext:
        context = browser.new_context(base_url=atom.url, viewport=viewport, **options)  # type: ignore[arg-type]
        context.set_default_timeout(5000)
        context.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}")))
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()
    assert not errors, f"uncaught errors in pages: {errors}"


@pytest.fixture(scope="module")
def household(atom: AtomServer) -> Iterator[None]:
    """The module's Atom, set up with ADMIN and one MEMBER."""
    with httpx.Client(base_url=atom.url) as client:
        me = client.post("/api/setup", json=with_setup_code(atom.data_dir, ADMIN)).raise_for_status().json()
        client.post("/api/members", json=MEMBER, headers={"X-CSRF-Token": me["csrf_token"]}).raise_for_status()
    yield


@pytest.fixture
def signed_in(household: None, new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """A page in a fresh context, signed in through the API (the sign-in form has its own test)."""

    def open_as(account: dict[str, str], **options: object) -> Page:
        context = new_context(**options)
        context.request.post("/api/auth/login", data={k: account[k] for k in ("username", "password")})
        return context.new_page()

    return open_as
