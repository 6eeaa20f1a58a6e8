"""The web UI's server side, in-process: who may see which page, what pages must never contain,
and the files that make Atom installable. `client` and `admin` come from tests/conftest.py."""

from __future__ import annotations

import json
import re

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from appliance.server.middleware import SECURITY_HEADERS
from appliance.server.pages.access import safe_next
from appliance.server.pages.devices import device_name
from appliance.server.pages.nav import NAVIGATION
from appliance.server.pages.templating import static_dir
from tests.conftest import add_member, second_client, sign_in

MEMBER = {"username": "robin", "password": "robin-secret-2", "role": "member"}
HTML = {"accept": "text/html"}
PAGES = ("/", "/members", "/account", "/system")


def test_a_fresh_atom_sends_every_page_to_setup(client: TestClient) -> None:
    for path in (*PAGES, "/login"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"] == "/setup"
    assert "Set up Atom" in client.get("/setup").text


def test_signed_out_visitors_go_to_sign_in_and_come_back(admin: TestClient) -> None:
    admin.post("/api/auth/logout")
    response = admin.get("/members?tab=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/members%3Ftab%3Dx"
    assert admin.get("/setup", follow_redirects=False).headers["location"] == "/"
    login = admin.get("/login?next=/members")
    assert 'data-redirect="/members"' in login.text


@pytest.mark.parametrize("raw", ["https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)", ""])
def test_after_sign_in_atom_never_sends_you_to_another_site(raw: str) -> None:
    assert safe_next(raw) == "/"


def test_member_pages_render_with_the_current_page_marked(admin: TestClient) -> None:
    for path in PAGES:
        response = admin.get(path)
        assert response.status_code == 200, path
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', response.text)
        assert current == [path]


def test_pages_are_private_and_locked_down(admin: TestClient) -> None:
    response = admin.get("/account")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    assert "<script>" not in response.text and " style=" not in response.text  # the CSP forbids inline code
    assert 'name="csrf_token" value="' in response.text


def test_a_token_secret_is_never_rendered(admin: TestClient) -> None:
    secret = admin.post("/api/tokens", json={"name": "scripts"}).json()["secret"]
    for path in ("/account", "/fragments/tokens"):
        page = admin.get(path).text
        assert "scripts" in page and secret not in page, path


def test_fragments_answer_401_not_a_redirect(client: TestClient) -> None:
    response = client.get("/fragments/members", headers=HTML)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_members_get_no_admin_controls(admin: TestClient) -> None:
    admin.post("/api/members", json=MEMBER)
    admin.post("/api/auth/logout")
    admin.headers.pop("X-CSRF-Token")
    admin.post("/api/auth/login", json={k: MEMBER[k] for k in ("username", "password")})
    page = admin.get("/members").text
    assert "data-admin-controls" not in page and "data-edit-member" not in page
    assert admin.get("/fragments/job-runs").status_code == 403
    assert "Run heartbeat now" not in admin.get("/system").text  # the job buttons are the admin's


def test_the_member_forms_offer_the_roles_the_api_takes_and_preselect_its_default(admin: TestClient) -> None:
    [adding] = re.findall(r'<select id="add-role" name="role">(.*?)</select>', admin.get("/members").text, re.S)
    offered = re.findall(r'<option value="(\w+)"( selected)?>', adding)
    assert [role for role, chosen in offered if chosen] == ["member"]
    for n, (role, _) in enumerate(offered):
        body = {"username": f"someone{n}", "password": "a long password", "role": role}
        assert admin.post("/api/members", json=body).json()["role"] == role
    unnamed = admin.post("/api/members", json={"username": "nobody", "password": "a long password"})
    assert unnamed.json()["role"] == "member"  # what the form preselects is what the API gives


def test_unknown_pages_get_a_readable_page_and_the_api_keeps_json(admin: TestClient) -> None:
    page = admin.get("/no-such-page", headers=HTML)
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "This page does not exist" in page.text
    api = admin.get("/api/no-such-thing", headers=HTML)
    assert api.status_code == 404 and api.json()["status_code"] == 404


def test_a_mistyped_address_keeps_a_signed_in_members_navigation(admin: TestClient, runtime: Runtime) -> None:
    """No guard runs for an address that matches no route, so the 404 page looks the member up itself."""
    page = admin.get("/chat-typo/nothing", headers=HTML)
    assert page.status_code == 404 and "This page does not exist" in page.text
    assert 'aria-label="Main"' in page.text and 'href="/chat"' in page.text and 'data-role="admin"' in page.text
    assert "pick a page from the menu" in page.text


def test_the_404_pages_lookup_is_read_only(admin: TestClient, runtime: Runtime) -> None:
    """An unguarded visit must not keep a sign-in alive: no slide, no write, no cookie."""
    runtime.db.write_sync(lambda c: c.execute("UPDATE sessions SET expires_at = now() + INTERVAL 1 HOUR"))
    expiry = runtime.db.read_sync(lambda c: c.execute("SELECT expires_at FROM sessions").fetchall())
    page = admin.get("/no-such-page", headers=HTML)  # the write above emptied the principal cache: a real lookup
    assert page.status_code == 404 and 'aria-label="Main"' in page.text
    assert "set-cookie" not in page.headers
    assert runtime.db.read_sync(lambda c: c.execute("SELECT expires_at FROM sessions").fetchall()) == expiry
    assert "set-cookie" in admin.get("/api/auth/me").headers  # a guarded request still slides it


def test_a_mistyped_address_signed_out_or_with_a_forged_cookie_has_no_navigation(
    admin: TestClient, runtime: Runtime
) -> None:
    with second_client(runtime) as stranger:
        for cookies in ({}, {"atom_session": "forged"}, {"atom_session": ""}):
            stranger.cookies.clear()
            stranger.cookies.update(cookies)
            page = stranger.get("/no-such-page", headers=HTML)
            assert page.status_code == 404 and "This page does not exist" in page.text
            assert 'aria-label="Main"' not in page.text and "data-role" not in page.text
            assert "set-cookie" not in page.headers
            api = stranger.get("/api/no-such-thing", headers=HTML)
            assert api.status_code == 404 and api.json()["status_code"] == 404  # the API stays JSON
    signed_in_api = admin.get("/api/no-such-thing", headers=HTML)
    assert signed_in_api.status_code == 404 and signed_in_api.json()["status_code"] == 404


def test_a_forbidden_and_a_bad_request_page_keep_the_members_navigation(admin: TestClient, runtime: Runtime) -> None:
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        for path, status, heading in (
            ("/settings/models", 403, "This page is not for you"),
            ("/calendar?on=not-a-date", 400, "That did not work"),
        ):
            page = robin.get(path, headers=HTML)
            assert page.status_code == status and heading in page.text and "text/html" in page.headers["content-type"]
            assert 'aria-label="Main"' in page.text and 'href="/chat"' in page.text
            assert 'data-role="member"' in page.text and 'href="/settings/models"' not in page.text


def test_an_error_page_knows_the_member_from_the_session_only(admin: TestClient, runtime: Runtime) -> None:
    """An API token a page's guard accepted is not a sign-in: its member's navigation is not shown."""
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        robins_token = robin.post("/api/tokens", json={"name": "script"}).json()["secret"]
        bearer = {**HTML, "authorization": f"Bearer {robins_token}"}
        robin.cookies.clear()
        for path, status in (("/settings/models", 403), ("/calendar?on=not-a-date", 400)):
            page = robin.get(path, headers=bearer)  # the token alone
            assert page.status_code == status and 'aria-label="Main"' not in page.text and "data-role" not in page.text
            page = admin.get(path, headers=bearer)  # the admin's session, robin's token (the guard's choice)
            assert page.status_code == status and 'data-role="admin"' in page.text, page.text


def test_the_service_worker_caches_the_versioned_shell_only(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.headers["content-type"].startswith("text/javascript")
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", response.text).group(1))  # type: ignore[union-attr]
    assert "/offline" in shell and "/static/js/app.js" in shell and "/static/css/atom.css" in shell
    assert not [url for url in shell if url.startswith(("/api", "/fragments"))]
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', response.text)
    for url in shell:
        assert client.get(url).status_code == 200, url


def test_the_manifest_points_at_icons_that_exist(client: TestClient) -> None:
    manifest = client.get("/static/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/" and body["scope"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


# What makes a browser fetch from elsewhere: src/href/action, CSS url(), a JS import, fetch() or a WebSocket.
LOADS_FROM_AFAR = re.compile(
    r"""(?:\b(?:src|href|action)\s*=\s*["']?|url\(\s*["']?|\bfrom\s+["']|import\(\s*["']|fetch\(\s*["'`]|"""
    r"""WebSocket\(\s*["'`])(?:https?:|wss?:)?//"""
)


def test_the_ui_ships_no_third_party_urls() -> None:
    """Assets come from the appliance itself, never a CDN (an example address in a hint is only text)."""
    web = static_dir().parent
    for path in [*web.rglob("*.html"), *web.rglob("*.js"), *web.rglob("*.css")]:
        assert not LOADS_FROM_AFAR.search(path.read_text()), path


def test_the_third_party_url_check_sees_each_way_of_loading() -> None:
    loads = [
        '<script src="https://cdn.example/x.js">',
        "<link href=//cdn.example/x.css>",
        "body { background: url('https://cdn.example/x.png') }",
        'import { x } from "https://cdn.example/x.js";',
        "fetch(`https://api.example/`)",
        'new WebSocket("wss://live.example/")',
    ]
    assert all(LOADS_FROM_AFAR.search(text) for text in loads)
    assert not LOADS_FROM_AFAR.search('hint="e.g. http://192.168.1.20:11434/v1"')
    assert not LOADS_FROM_AFAR.search('<a href="/settings/ai">')


def test_navigation_only_lists_pages_that_exist(admin: TestClient) -> None:
    for item in NAVIGATION:
        assert admin.get(item.path).status_code == 200, item.path


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1",
            "Safari on iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"),
        ("python-httpx/0.28.1", "python-httpx/0.28.1"),
        ("", "Unknown device"),
    ],
)
def test_sign_ins_name_their_device(agent: str, name: str) -> None:
    assert device_name(agent) == name
