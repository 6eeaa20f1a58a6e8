"""The System page's backups in a real browser: without a key the fix is named; with one,
"Back up now" makes a backup and the list shows it; members see none of it."""

from __future__ import annotations

from collections.abc import Callable

from atom_browser import ADMIN, MEMBER, AtomServer, assert_accessible, screenshot
from playwright.sync_api import Page, expect

from tests.conftest import run_cli


def test_back_up_now_from_the_system_page(signed_in: Callable[..., Page], atom: AtomServer) -> None:
    admin = signed_in(ADMIN)
    admin.goto("/system")
    card = admin.locator("section[aria-labelledby='backups-title']")
    expect(card.get_by_text("No backups yet.")).to_be_visible()
    card.get_by_role("button", name="Back up now").click()
    expect(card.get_by_role("alert")).to_contain_text("atom backup keygen")  # the server's words

    assert run_cli(atom.data_dir, "backup", "keygen").returncode == 0
    card.get_by_role("button", name="Back up now").click()
    expect(card.get_by_role("alert")).to_have_text("Backup made.")
    expect(card.get_by_role("cell", name="complete")).to_have_count(1)
    expect(card.get_by_role("cell").filter(has_text="atom-backup-")).to_have_count(1)
    screenshot(admin, "system-backups")
    assert_accessible(admin, "system-backups")

    member = signed_in(MEMBER)
    member.goto("/system")
    expect(member.get_by_role("heading", name="Status")).to_be_visible()
    expect(member.get_by_role("heading", name="Backups")).to_have_count(0)
