"""Every page in a real browser: clear errors, themes, phone layout, keyboard, install, sign-out.

The household is set up once through the API; each test signs in its own browser context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
from atom_browser import ADMIN, MEMBER, PHONE, AtomServer, assert_accessible, screenshot, wait_live
from playwright.sync_api import BrowserContext, Page, Route, WebSocketRoute, expect

MEMBER_PAGES = ("/", "/members", "/account", "/system")
DANA = {"username": "dana", "password": "dana-secret-3", "display_name": "Dana", "role": "member"}


def test_wrong_password_shows_a_clear_message(household: None, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    page.goto("/members")
    expect(page).to_have_url(re.compile(r"/login\?next=/members$"))
    page.get_by_label("User name").fill(ADMIN["username"])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    screenshot(page, "login-error")
    assert_accessible(page, "login-error")
    page.get_by_label("Password").fill(ADMIN["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/members$"))


def test_every_page_in_both_themes(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/")
    toggle = page.get_by_role("button", name=re.compile(r"^Theme: "))
    expect(toggle).to_have_text("Theme: light")  # the label says the state, not the action
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_text("Theme: dark")
    for path in MEMBER_PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")  # kept across pages
        name = page_name(path)
        screenshot(page, f"{name}-dark")
        assert_accessible(page, f"{name}-dark")
    page.get_by_role("button", name="Theme: dark").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_phone_layout_folds_the_navigation(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN, viewport=PHONE)
    for path in MEMBER_PAGES:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{path} scrolls sideways"
        screenshot(page, f"{page_name(path)}-phone")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    menu.click()
    close = page.get_by_role("button", name="Close")
    expect(close).to_have_attribute("aria-expanded", "true")
    nav.get_by_text("More", exact=True).click()
    expect(nav.get_by_role("link", name="System")).to_have_attribute("aria-current", "page")
    screenshot(page, "menu-open-phone")
    assert_accessible(page, "menu-open-phone")
    page.keyboard.press("Escape")  # the first Escape folds More, the second the menu
    expect(nav.get_by_role("link", name="System")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()


def test_keyboard_reaches_the_content_first(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/members")
    expect(page.get_by_role("button", name="Edit Alex")).to_be_enabled()  # members.js is ready
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Edit Alex")).to_be_focused()


def test_account_tokens_and_password(signed_in: Callable[..., Page]) -> None:
    page = signed_in(MEMBER)
    page.goto("/account")
    wait_live(page)
    page.get_by_label("Token name").fill("Home Assistant")
    page.get_by_role("button", name="Create token").click()
    shown = page.locator("[data-secret-value]")
    expect(shown).to_have_text(re.compile(r"^\S{20,}$"))
    secret = shown.inner_text()
    expect(page.locator("[data-tokens-list]")).to_contain_text("Home Assistant")
    screenshot(page, "account")
    assert_accessible(page, "account")
    page.reload()
    assert secret not in page.content(), "a token secret must be shown once, never rendered into a page"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Home Assistant").click()
    expect(page.locator("[data-tokens-list]")).to_have_text("No tokens yet.")

    form = page.locator("form[data-api='/api/account/password']")
    form.get_by_label("Current password").fill("not-my-password")
    form.get_by_label("New password", exact=True).fill("a-new-password")
    form.get_by_label("Repeat the new password").fill("a-new-password")
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_role("alert")).to_have_text("The current password is not right.")


def test_admin_tools_on_the_system_page(signed_in: Callable[..., Page]) -> None:
    admin = signed_in(ADMIN)
    admin.goto("/system")
    expect(admin.get_by_role("heading", name="Status")).to_be_visible()
    admin.get_by_role("button", name="Run housekeeping now").click()
    expect(admin.get_by_role("alert").filter(has_text="Queued")).to_have_text("Queued; the worker runs it next.")
    screenshot(admin, "system")
    assert_accessible(admin, "system")
    member = signed_in(MEMBER)
    member.goto("/system")
    expect(member.get_by_role("heading", name="Status")).to_be_visible()
    expect(member.get_by_role("heading", name="Background jobs")).to_have_count(0)


def test_api_errors_become_messages(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/members")
    form = page.locator("form[data-api='/api/members']")
    form.get_by_label("User name").fill(MEMBER["username"])
    form.get_by_label("First password").fill("whatever-123")
    form.get_by_role("button", name="Add member").click()
    expect(form.get_by_role("alert")).to_have_text("The name 'robin' is taken.")
    screenshot(page, "members-error")
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    screenshot(page, "not-found")
    assert_accessible(page, "not-found")


def test_installable_with_an_offline_page(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    page.goto("/")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.context.request.get(manifest_url).text())
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert page.context.request.get(icon["src"]).ok, icon["src"]
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)").endswith("/sw.js")
    page.wait_for_function("caches.keys().then(names => names.some(n => n.startsWith('atom-shell-')))")
    page.reload()  # now controlled by the worker
    page.context.set_offline(True)
    page.goto("/members")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atom cannot be reached")
    screenshot(page, "offline")
    page.context.set_offline(False)


def test_a_disabled_member_is_signed_out_at_once(signed_in: Callable[..., Page]) -> None:
    member = signed_in(MEMBER)
    member.goto("/")
    wait_live(member)
    admin = signed_in(ADMIN)
    admin.goto("/members")
    admin.get_by_role("button", name="Edit Robin").click()
    admin.get_by_role("dialog").get_by_label("Disabled (cannot sign in)").check()
    admin.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(member).to_have_url(re.compile(r"/login\?next="), timeout=5000)
    expect(admin.locator("[data-members-list]")).to_contain_text("Disabled")
    sign_in_refused(member)


def test_edit_waits_for_the_page_module_that_opens_its_dialog(signed_in: Callable[..., Page]) -> None:
    """On a slow box the page shows before members.js has loaded: Edit is not offered until it works."""
    admin = signed_in(ADMIN, service_workers="block")  # so members.js is fetched where it can be held
    held: list[Route] = []
    admin.route("**/static/js/pages/members.js*", lambda route: held.append(route))
    admin.goto("/members")
    edit = admin.get_by_role("button", name="Edit Robin")
    expect(edit).to_be_disabled()
    assert len(held) == 1, "members.js was not held back"
    held[0].continue_()
    edit.click()
    expect(admin.get_by_role("dialog", name="Edit Robin")).to_be_visible()
    admin.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(admin.get_by_role("dialog")).to_be_hidden()
    admin.evaluate("document.querySelector('[data-edit-member]').dataset.before = 'redraw'")
    admin.evaluate("document.dispatchEvent(new CustomEvent('atom:resync'))")  # the live list is redrawn
    expect(admin.locator("[data-edit-member][data-before]")).to_have_count(0)
    expect(edit).to_be_enabled()


def sign_in_refused(page: Page) -> None:
    page.get_by_label("User name").fill(MEMBER["username"])
    page.get_by_label("Password").fill(MEMBER["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")


def page_name(path: str) -> str:
    return path.strip("/") or "dashboard"


def test_a_change_before_the_live_channel_opens_still_shows(signed_in: Callable[..., Page], atom: AtomServer) -> None:
    """Between the page's render and its channel's "ready", events go nowhere: the first "ready" says
    how many this member could have had, and a page rendered with fewer redraws its regions."""
    page = signed_in(ADMIN)
    held: list[WebSocketRoute] = []
    page.route_web_socket(re.compile(r"/api/live$"), lambda socket: held.append(socket))  # waits for the test
    page.goto("/members")
    expect(page.get_by_role("button", name="Edit Alex")).to_be_enabled()
    with httpx.Client(base_url=atom.url) as elsewhere:
        login = elsewhere.post("/api/auth/login", json={k: ADMIN[k] for k in ("username", "password")})
        elsewhere.headers["X-CSRF-Token"] = login.raise_for_status().json()["csrf_token"]
        dana = elsewhere.post("/api/members", json=DANA).raise_for_status().json()
        try:
            expect(page.get_by_role("button", name="Edit Dana")).to_have_count(0)  # the page cannot know yet
            held[0].connect_to_server()
            wait_live(page)
            expect(page.get_by_role("button", name="Edit Dana")).to_be_visible()
        finally:
            elsewhere.delete(f"/api/members/{dana['id']}").raise_for_status()


def test_a_page_that_missed_nothing_is_not_redrawn_when_its_channel_opens(signed_in: Callable[..., Page]) -> None:
    page = signed_in(ADMIN)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/fragments/" in request.url else None)
    page.goto("/members")
    wait_live(page)
    expect(page.get_by_role("button", name="Edit Alex")).to_be_enabled()
    page.wait_for_timeout(500)  # a redraw would start as soon as "ready" arrived
    assert fetched == []
