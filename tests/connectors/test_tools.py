"""The coordinator's connector tools: "what's assigned to me on GitHub" answers from the member's
own GitHub connection, as last synced, and only theirs."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.connectors.test_github import sign_in_github
from tests.fakes.github_api import FakeGitHub


def ask(client: TestClient, text: str) -> dict:
    answer = client.post("/api/assist", json={"text": text})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_whats_assigned_on_github_names_the_open_issues(ada: TestClient, bob: TestClient, github: FakeGitHub) -> None:
    understood = ada.post("/api/assist/understand", json={"text": "what's assigned to me on GitHub"}).json()
    assert understood["tool"] == "github_assigned"
    assert "not connected GitHub" in ask(ada, "what's assigned to me on GitHub")["reply"]

    github.assign("ada-l", "Fix the porch light")
    closed = github.assign("ada-l", "Old ticket")
    github.change(closed, state="closed")
    connection = sign_in_github(ada, github)
    ada.post(f"/api/connections/{connection['id']}/sync")
    reply = ask(ada, "what's assigned to me on GitHub")["reply"]
    assert "1 assigned to you on GitHub: Fix the porch light (house/atom#1)" in reply and "Old ticket" not in reply
    assert "porch" not in ask(bob, "what's assigned to me on GitHub")["reply"]
