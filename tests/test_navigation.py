"""The header: everyday pages in sight, the rest under More, every entry reachable; errors keep it."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from appliance.server.pages.nav import NAVIGATION

_PRIMARY_AT_MOST = 7  # what fits one line at 1280 px beside the brand and the header tools


def _links(html: str, start: str, end: str) -> list[str]:
    part = html[html.index(start) : html.index(end, html.index(start))]
    return re.findall(r'<a href="([^"]+)"', part)


def test_every_entry_is_in_the_header_once_and_few_are_primary(admin: TestClient) -> None:
    html = admin.get("/").text
    header = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    paths = re.findall(r'<a href="([^"]+)"', header)
    assert sorted(paths) == sorted(item.path for item in NAVIGATION)
    primary = _links(html, '<nav class="site-nav"', '<li class="nav-more">')
    assert "/" in primary and "/chat" in primary and len(primary) <= _PRIMARY_AT_MOST
    assert "/system" in _links(html, "<details data-nav-more>", "</details>")


def test_a_page_under_more_marks_more_as_current(admin: TestClient) -> None:
    assert 'class="nav-more-current"' in admin.get("/system").text
    assert 'class="nav-more-current"' not in admin.get("/chat").text
    assert '<a href="/system" aria-current="page">System</a>' in admin.get("/system").text


def test_an_error_page_keeps_the_members_navigation(admin: TestClient) -> None:
    page = admin.get("/chat/no-such-conversation", headers={"Accept": "text/html"})
    assert page.status_code == 404 and '<nav class="site-nav"' in page.text and "Go to the home page" in page.text
    admin.cookies.clear()
    signed_out = admin.get("/chat/no-such-conversation", headers={"Accept": "text/html"})
    assert '<nav class="site-nav"' not in signed_out.text  # signed out: sent to sign in, no navigation
