"""The parts browser tests share: a real Atom server process, screenshots, accessibility checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.processes import AtomProcess, free_port, with_setup_code

AtomServer = AtomProcess  # the name the browser tests use

__all__ = [
    "AtomServer",
    "with_setup_code",
    "atom_server",
    "screenshot",
    "assert_accessible",
    "wait_live",
    "sign_in",
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DESKTOP",
    "PHONE",
    "ADMIN",
    "MEMBER",
]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
BLOCKING_IMPACTS = {"serious", "critical"}
# The household the page tests sign in as (the journey test makes its own through the wizard).
ADMIN = {"username": "alex", "password": "correct-horse-1", "display_name": "Alex"}
MEMBER = {"username": "robin", "password": "robin-secret-2", "display_name": "Robin", "role": "member"}


def atom_server(data_dir: Path, log_path: Path) -> AtomProcess:
    """`atom serve` for a browser test module, plain-text logs for reading."""
    return AtomProcess("serve", data_dir, free_port(), log_path, {"ATOM_LOG_FORMAT": "text"})


def screenshot(page: Page, name: str, docs: bool = False) -> Path:
    """Save a full-page screenshot; `docs` ones also refresh docs/screenshots/ when asked to."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if docs and os.environ.get("ATOM_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"))
    return path


def assert_accessible(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report_dir = ARTIFACTS / "a11y"
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / f"{name}.json").write_text(json.dumps(results.response["violations"], indent=2))
    assert not blocking, results.generate_report()


def wait_live(page: Page) -> None:
    """The page's live channel is connected (its indicator says so)."""
    page.locator("#live-status[data-state='live']").wait_for(timeout=20_000)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
