"""The Connections page: every connector with its setup steps and sign-in form, a member's own
connection with its state, error and what to do, and never a token or another member's connection."""

from __future__ import annotations

import html

from litestar.testing import TestClient

from tests.connectors.test_github import sign_in_github
from tests.connectors.test_todoist import connect_todoist
from tests.fakes.github_api import FakeGitHub
from tests.fakes.todoist_api import TOKEN, FakeTodoist


def test_the_page_lists_every_service_with_its_setup_and_sign_in(ada: TestClient) -> None:
    page = ada.get("/connections")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for title in ("GitHub", "Todoist", "Google Calendar"):
        assert f">{title}</h2>" in text
    assert "Enable Device Flow" in text  # GitHub's setup steps
    assert 'name="token" type="password"' in text  # Todoist's pasted token
    assert 'name="client_secret"' in text  # Google's desktop app
    assert 'data-topics="connections"' in text
    # Dropbox (`oauth.redirect = false`) shows a code: the page has the words and label to ask for it.
    assert "The service then shows a code. Copy it and paste it here." in text
    assert 'data-shown="The code the service showed you"' in text
    assert 'href="/connections" aria-current="page"' in text or 'aria-current="page" href="/connections"' in text


def test_a_connection_shows_its_state_and_what_to_do(ada: TestClient, github: FakeGitHub, todoist: FakeTodoist) -> None:
    todoist.add("Descale the kettle")
    connection = connect_todoist(ada)
    ada.post(f"/api/connections/{connection['id']}/sync")
    listed = ada.get("/fragments/connections/list").text
    assert 'data-connection-state="connected"' in listed and "1 item brought in" in listed
    assert TOKEN not in listed

    github_connection = sign_in_github(ada, github)
    github.revoke_all()
    ada.post(f"/api/connections/{github_connection['id']}/sync")
    listed = html.unescape(ada.get("/fragments/connections/list").text)
    assert 'data-connection-state="needs-sign-in"' in listed
    assert "Sign in to GitHub again" in listed


def test_another_members_page_shows_none_of_it(ada: TestClient, bob: TestClient, todoist: FakeTodoist) -> None:
    connect_todoist(ada)
    theirs = bob.get("/fragments/connections/list").text
    assert "data-connection-state" not in theirs and "ada@example.com" not in theirs


def test_a_revoked_sign_in_is_a_notice_on_the_home_page(ada: TestClient, github: FakeGitHub) -> None:
    assert "Nothing connected yet" in ada.get("/").text
    connection = sign_in_github(ada, github)
    github.revoke_all()
    ada.post(f"/api/connections/{connection['id']}/sync")
    panel = html.unescape(ada.get("/fragments/panels/connections").text)
    assert 'data-connection-state="needs-sign-in"' in panel and "Sign in to GitHub again" in panel
