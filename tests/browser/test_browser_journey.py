"""The household's first day, in a real browser: setup wizard → sign in → add a member → the member
signs in on another device → changes made on one show live on the other → Atom restarts and the
pages reconnect by themselves.

The steps share one server and build on each other, so they run as one test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from atom_browser import PHONE, AtomServer, assert_accessible, screenshot, sign_in, wait_live
from playwright.sync_api import BrowserContext, Locator, Page, expect

ADMIN = ("alex", "correct-horse-1", "Alex")
MEMBER = ("robin", "robin-secret-2", "Robin")
LIVE_WITHIN_MS = 1000


def test_household_journey(atom: AtomServer, new_context: Callable[..., BrowserContext]) -> None:
    admin = new_context().new_page()
    run_setup_wizard(admin, (atom.data_dir / "setup.code").read_text().strip())
    sign_out_and_back_in(admin)
    add_member(admin)

    member = new_context(viewport=PHONE).new_page()
    sign_in(member, MEMBER[0], MEMBER[1])
    member_sees_no_admin_controls(member)

    rename_shows_live_for_member(admin, member)
    new_member_shows_live_on_dashboard(admin, member)
    token_made_in_one_tab_shows_in_another(member)
    pages_reconnect_after_restart(atom, admin, member)


def run_setup_wizard(page: Page, setup_code: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    screenshot(page, "setup-welcome")
    assert_accessible(page, "setup-welcome")
    page.get_by_role("button", name="Get started").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    step = page.locator("[data-step='account']")
    step.get_by_label("Setup code").fill(setup_code.lower())  # people retype it as they like
    step.get_by_label("Your name").fill(ADMIN[2])
    step.get_by_label("User name").fill(ADMIN[0])
    step.get_by_label("Password", exact=True).fill(ADMIN[1])
    step.get_by_label("Repeat the password").fill(ADMIN[1])
    screenshot(page, "setup-account")
    step.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Who else lives here?")).to_be_visible()
    screenshot(page, "setup-household")
    assert_accessible(page, "setup-household")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Atom is ready")).to_be_visible()
    expect(page.get_by_role("link", name="Install the AI model that runs on this box")).to_be_visible()
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ADMIN[2])


def sign_out_and_back_in(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    screenshot(page, "login")
    assert_accessible(page, "login")
    sign_in(page, ADMIN[0], ADMIN[1])
    expect(page.get_by_role("heading", level=1)).to_contain_text(f", {ADMIN[2]}")
    wait_live(page)
    screenshot(page, "dashboard-first-day")
    assert_accessible(page, "dashboard")


def add_member(page: Page) -> None:
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("More", exact=True).click()  # Members is one of the pages under More
    nav.get_by_role("link", name="Members").click()
    expect(page.locator("nav a[href='/members']")).to_have_attribute("aria-current", "page")  # folded again
    form = page.locator("form[data-api='/api/members']")
    form.get_by_label("Name", exact=True).fill(MEMBER[2])
    form.get_by_label("User name").fill(MEMBER[0])
    form.get_by_label("First password").fill(MEMBER[1])
    form.get_by_role("button", name="Add member").click()
    expect(member_row(page, MEMBER[2])).to_be_visible()
    expect(form.get_by_label("User name")).to_have_value("")
    screenshot(page, "members-admin")
    assert_accessible(page, "members-admin")


def member_sees_no_admin_controls(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(MEMBER[2])
    screenshot(page, "dashboard-member-phone")
    page.goto("/members")
    wait_live(page)
    expect(member_row(page, MEMBER[2])).to_be_visible()
    expect(page.locator("[data-admin-controls]")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Remove", exact=False)).to_have_count(0)
    screenshot(page, "members-member-phone")
    assert_accessible(page, "members-member-phone")


def rename_shows_live_for_member(admin: Page, member: Page) -> None:
    mark_no_reload(member)
    admin.get_by_role("button", name=f"Edit {MEMBER[2]}").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_label("Name", exact=True)).to_be_focused()
    dialog.get_by_label("Name", exact=True).fill("Robin Rivers")
    screenshot(admin, "members-edit-dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(member_row(member, "Robin Rivers")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(member.locator("[data-me-name]")).to_have_text("Robin Rivers", timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(member)


def new_member_shows_live_on_dashboard(admin: Page, member: Page) -> None:
    member.goto("/")
    wait_live(member)
    household = member.locator("#panel-household")
    expect(household.locator("[data-count]")).to_have_text("2")
    mark_no_reload(member)
    form = admin.locator("form[data-api='/api/members']")
    form.get_by_label("Name", exact=True).fill("Kim")
    form.get_by_label("User name").fill("kim")
    form.get_by_label("First password").fill("kim-secret-3")
    form.get_by_role("button", name="Add member").click()
    expect(member_row(admin, "Kim")).to_be_visible()
    expect(household.locator("[data-count]")).to_have_text("3", timeout=LIVE_WITHIN_MS)
    expect(household).to_contain_text("Kim")
    assert_not_reloaded(member)
    admin.goto("/")
    wait_live(admin)
    screenshot(admin, "dashboard")  # the README's picture is the household UI test's "home"


def token_made_in_one_tab_shows_in_another(first: Page) -> None:
    first.goto("/account")
    wait_live(first)
    account = first.context.new_page()
    account.goto("/account")
    wait_live(account)
    mark_no_reload(first)
    account.get_by_label("Token name").fill("Kitchen tablet")
    account.get_by_role("button", name="Create token").click()
    secret = account.locator("[data-secret-value]")
    expect(secret).to_be_visible()
    expect(secret).to_have_text(re.compile(r"^\S{20,}$"))
    expect(first.locator("[data-tokens-list]")).to_contain_text("Kitchen tablet", timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(first)
    first.goto("/")
    screenshot(account, "account-new-token-phone")
    account.close()


def pages_reconnect_after_restart(atom: AtomServer, admin: Page, member: Page) -> None:
    admin.goto("/members")
    wait_live(admin)
    wait_live(member)
    atom.restart()
    wait_live(member)
    wait_live(admin)
    form = admin.locator("form[data-api='/api/members']")
    form.get_by_label("User name").fill("sam")
    form.get_by_label("First password").fill("sam-secret-4")
    form.get_by_role("button", name="Add member").click()
    expect(member_row(admin, "sam")).to_be_visible()  # saved (its password hashed) before the live clock starts
    expect(member.locator("#panel-household [data-count]")).to_have_text("4", timeout=LIVE_WITHIN_MS)


def member_row(page: Page, name: str) -> Locator:
    return page.locator("[data-members-list] [data-member-name]", has_text=name)


def mark_no_reload(page: Page) -> None:
    page.evaluate("window.__stillSamePage = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__stillSamePage === true"), "the page reloaded instead of updating live"
