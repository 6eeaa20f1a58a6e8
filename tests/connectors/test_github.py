"""GitHub end to end over loopback HTTP: device sign-in, assigned issues becoming the member's
tasks (with their link), `since` and pagination, issues reassigned, deleted or transferred away
reconciled, refresh with rotation, a revoked grant."""

from __future__ import annotations

import time

import httpx
import pytest
from litestar.testing import TestClient

from appliance.connectors.services.github.connector import rate_limited
from appliance.runtime import Runtime
from tests.connectors.conftest import Sleeps
from tests.fakes.github_api import CLIENT_ID, CLIENT_SECRET, FakeGitHub


def sign_in_github(client: TestClient, github: FakeGitHub, login: str = "ada-l", **extra: str) -> dict:
    started = client.post("/api/connections", json={"connector": "github", "client_id": CLIENT_ID, **extra})
    assert started.status_code == 201, started.text
    step = started.json()
    assert step["device"]["verification_uri"] == "https://github.com/login/device"
    assert step["connection"]["state"] == "signing-in"
    connection_id = step["connection"]["id"]
    pending = client.post(f"/api/connections/{connection_id}/sign-in/poll")
    assert pending.status_code == 200 and pending.json()["connection"]["state"] == "signing-in"
    github.approve(step["device"]["user_code"], login)
    time.sleep(github.interval + 0.05)
    done = client.post(f"/api/connections/{connection_id}/sign-in/poll")
    assert done.status_code == 200, done.text
    return done.json()["connection"]


def test_device_sign_in_then_assigned_issues_are_tasks_with_their_links(ada: TestClient, github: FakeGitHub) -> None:
    github.assign("ada-l", "Fix the boiler schedule")
    github.assign("someone-else", "Not Ada's")
    connection = sign_in_github(ada, github)
    assert connection["state"] == "connected" and connection["account"] == "ada-l"

    synced = ada.post(f"/api/connections/{connection['id']}/sync")
    assert synced.status_code == 200, synced.text
    assert synced.json()["state"] == "connected" and synced.json()["last_sync_at"]

    tasks = ada.get("/api/tasks").json()
    (task,) = [t for t in tasks if t["source"] == "connector"]
    assert task["title"] == "Fix the boiler schedule (house/atom#1)"
    assert "https://github.com/house/atom/issues/1" in task["notes"]
    assert task["shared"] is False
    items = ada.get(f"/api/connections/{connection['id']}/items").json()
    assert items[0]["url"] == "https://github.com/house/atom/issues/1" and items[0]["local_id"] == task["id"]


def test_sync_asks_only_for_changes_since_the_last_and_follows_every_page(ada: TestClient, github: FakeGitHub) -> None:
    for n in range(205):
        github.assign("ada-l", f"Issue {n}")
    connection = sign_in_github(ada, github)
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert len([t for t in ada.get("/api/tasks").json() if t["source"] == "connector"]) == 205
    pages = [r for r in github.requests if r.path == "/issues"]
    assert [r.query.get("page", "1") for r in pages] == ["1", "2", "3"]

    newest = github.state.issues["ada-l"][-1]
    closed = github.state.issues["ada-l"][0]
    github.change(closed, state="closed", title="Issue 0, done")
    ada.post(f"/api/connections/{connection['id']}/sync")
    last = [r for r in github.requests if r.path == "/issues" and r.query["state"] == "all"][-1]
    assert last.query["since"] == newest.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    done = ada.get("/api/tasks", params={"status": "done"}).json()
    assert [t["title"] for t in done] == ["Issue 0, done (house/atom#1)"]


def test_a_closed_issue_completes_its_task_and_reopening_reopens_it(ada: TestClient, github: FakeGitHub) -> None:
    issue = github.assign("ada-l", "Paint the fence")
    connection = sign_in_github(ada, github)
    ada.post(f"/api/connections/{connection['id']}/sync")
    github.change(issue, state="closed")
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert [t["title"] for t in ada.get("/api/tasks", params={"status": "done"}).json()] == [
        "Paint the fence (house/atom#1)"
    ]
    github.change(issue, state="open")
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert [t["title"] for t in ada.get("/api/tasks").json() if t["source"] == "connector"] == [
        "Paint the fence (house/atom#1)"
    ]


def test_an_expiring_token_is_refreshed_and_the_rotated_refresh_token_kept(
    ada: TestClient, github: FakeGitHub, runtime: Runtime
) -> None:
    github.token_seconds = 3600
    github.assign("ada-l", "Renew the car insurance")
    connection = sign_in_github(ada, github, client_secret=CLIENT_SECRET)
    first_refresh = next(iter(github.state.refresh))
    github.expire_access_tokens()

    synced = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert synced["state"] == "connected"
    refreshes = [r for r in github.requests if (r.body or {}).get("grant_type") == "refresh_token"]
    assert [r.body["refresh_token"] for r in refreshes] == [first_refresh]
    assert first_refresh not in github.state.refresh  # rotated: the old one is dead at GitHub

    github.expire_access_tokens()
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    refreshes = [r for r in github.requests if (r.body or {}).get("grant_type") == "refresh_token"]
    assert refreshes[-1].body["refresh_token"] != first_refresh  # the one saved from the rotation


def test_a_revoked_grant_asks_the_member_to_sign_in_again_and_keeps_what_was_synced(
    ada: TestClient, github: FakeGitHub, runtime: Runtime
) -> None:
    github.assign("ada-l", "Book the chimney sweep")
    connection = sign_in_github(ada, github)
    ada.post(f"/api/connections/{connection['id']}/sync")
    cursor_before = _cursor(runtime, connection["id"])
    github.revoke_all()

    after = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert after["state"] == "needs-sign-in"
    assert "Sign in to GitHub again" in after["error_action"]
    assert [t["title"] for t in ada.get("/api/tasks").json()] == ["Book the chimney sweep (house/atom#1)"]
    assert _cursor(runtime, connection["id"]) == cursor_before
    refused = ada.post(f"/api/connections/{connection['id']}/sync")
    assert refused.status_code == 409

    again = sign_in_github(ada, github)
    assert again["id"] == connection["id"] and again["state"] == "connected"
    assert _cursor(runtime, connection["id"]) == cursor_before


def test_a_denied_device_sign_in_says_so(ada: TestClient, github: FakeGitHub) -> None:
    step = ada.post("/api/connections", json={"connector": "github", "client_id": CLIENT_ID}).json()
    github.deny(step["device"]["user_code"])
    refused = ada.post(f"/api/connections/{step['connection']['id']}/sign-in/poll")
    assert refused.status_code == 409
    (shown,) = ada.get("/api/connections").json()
    assert shown["state"] == "needs-sign-in" and shown["error_action"]


def test_polling_faster_than_allowed_does_not_reach_github(ada: TestClient, github: FakeGitHub) -> None:
    step = ada.post("/api/connections", json={"connector": "github", "client_id": CLIENT_ID}).json()
    connection_id = step["connection"]["id"]
    for _ in range(3):
        assert ada.post(f"/api/connections/{connection_id}/sign-in/poll").status_code == 200
    token_polls = [r for r in github.requests if r.path == "/login/oauth/access_token"]
    assert len(token_polls) == 1


def _cursor(runtime: Runtime, connection_id: str) -> str | None:
    return runtime.db.read_sync(
        lambda conn: conn.execute("SELECT cursor FROM connections WHERE id = ?", [connection_id]).fetchone()[0]
    )


def test_an_interrupted_sync_resumes_at_the_page_it_stopped_on(ada: TestClient, github: FakeGitHub) -> None:
    for n in range(250):
        github.assign("ada-l", f"Issue {n}")
    connection = sign_in_github(ada, github)
    github.cut_after(2)  # pages 1 and 2 arrive, then the line drops
    stopped = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert stopped["state"] == "error" and stopped["items"] == 200
    github.cut_after(None)
    before = len(github.requests)
    resumed = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert resumed["state"] == "connected" and resumed["items"] == 250
    asked = [r.query.get("page", "1") for r in github.requests[before:] if r.path == "/issues"]
    assert asked == ["3"]


def test_a_next_page_link_to_another_address_is_not_followed(ada: TestClient, github: FakeGitHub) -> None:
    from tests.fakes.loopback import Reply

    connection = sign_in_github(ada, github)
    elsewhere = '<http://127.0.0.1:1/issues?page=2>; rel="next"'
    github.state.issues["ada-l"] = []
    github.answer_next(Reply(200, [], {"link": elsewhere}))
    after = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert after["state"] == "error" and "not its own" in after["last_error"]
    assert not any(r.path == "/issues" and r.query.get("page") == "2" for r in github.requests)


def test_a_sign_in_names_only_connectors_and_fields_atom_knows(ada: TestClient) -> None:
    unknown = ada.post("/api/connections", json={"connector": "../../etc", "client_id": "x"})
    assert unknown.status_code == 404
    moved = ada.post("/api/connections", json={"connector": "github", "client_id": CLIENT_ID, "base_url": "http://x"})
    assert moved.status_code == 400
    no_app = ada.post("/api/connections", json={"connector": "github"})
    assert no_app.status_code == 400 and "client id" in no_app.json()["detail"]
    wrong_kind = ada.post("/api/connections", json={"connector": "github", "sign_in": "token", "token": "x"})
    assert wrong_kind.status_code == 400


def test_disconnecting_revokes_at_github_when_the_app_secret_is_known(ada: TestClient, github: FakeGitHub) -> None:
    github.assign("ada-l", "Water the lawn")
    with_secret = sign_in_github(ada, github, client_secret=CLIENT_SECRET)
    ada.post(f"/api/connections/{with_secret['id']}/sync")
    gone = ada.delete(f"/api/connections/{with_secret['id']}").json()
    assert gone["revoked"] is True and gone["kept"] == 1
    assert github.state.tokens == {}
    (revoke,) = [r for r in github.requests if r.method == "DELETE"]
    assert revoke.path == f"/applications/{CLIENT_ID}/grant"

    without = sign_in_github(ada, github)
    told = ada.delete(f"/api/connections/{without['id']}").json()
    assert told["revoked"] is False and "authorised apps" in told["message"]
    assert len(github.state.tokens) == 1  # still valid at GitHub: the member is told where to revoke it


def test_a_token_near_its_expiry_is_refreshed_before_it_is_used(ada: TestClient, github: FakeGitHub) -> None:
    github.token_seconds = 60  # inside the two minutes before expiry in which Atom refreshes
    github.assign("ada-l", "Sweep the chimney")
    connection = sign_in_github(ada, github, client_secret=CLIENT_SECRET)
    signed_in_with = {f"Bearer {token}" for token in github.state.tokens}
    before = len(github.requests)
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    during = github.requests[before:]
    assert (during[0].path, during[0].body["grant_type"]) == ("/login/oauth/access_token", "refresh_token")
    used = {r.headers["authorization"] for r in during if r.path == "/issues"}
    assert used and not used & signed_in_with  # the old token was never sent once it was near expiry


def _sync(client: TestClient, connection: dict) -> dict:
    answer = client.post(f"/api/connections/{connection['id']}/sync")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _open_titles(client: TestClient) -> list[str]:
    return sorted(t["title"] for t in client.get("/api/tasks").json() if t["source"] == "connector")


def _found(client: TestClient, text: str) -> list[str]:
    answer = client.get("/api/search", params={"q": text, "mode": "keyword"})
    assert answer.status_code == 200, answer.text
    return [hit["title"] for hit in answer.json()["results"]]


def test_issues_reassigned_deleted_or_transferred_away_leave_the_members_tasks(
    ada: TestClient, github: FakeGitHub
) -> None:
    kept = github.assign("ada-l", "Mend the shed roof")
    handed = github.assign("ada-l", "Order the skip")
    dropped = github.assign("ada-l", "Label the fuses")
    deleted = github.assign("ada-l", "Duplicate of the gutter issue")
    moved = github.assign("ada-l", "Prune the apple tree")
    connection = sign_in_github(ada, github)
    _sync(ada, connection)
    assert len(_open_titles(ada)) == 5 and _found(ada, "skip")

    github.reassign(handed, "bob-b")
    github.reassign(dropped, None)
    github.delete(deleted)
    github.transfer(moved, "house/garden")
    assert _sync(ada, connection)["state"] == "connected"
    assert _open_titles(ada) == ["Mend the shed roof (house/atom#1)"]
    assert ada.get("/api/tasks", params={"status": "done"}).json() == []
    assert _found(ada, "skip") == [] and _found(ada, "fuses") == []
    items = ada.get(f"/api/connections/{connection['id']}/items").json()
    assert [item["remote_id"] for item in items] == [str(kept.id)]

    reads = [r.path for r in github.requests if r.path.startswith("/repos/")]
    assert sorted(reads) == [f"/repos/house/atom/issues/{n}" for n in (2, 3, 4, 5)]  # #5 answered 301
    _sync(ada, connection)
    assert len([r for r in github.requests if r.path.startswith("/repos/")]) == 4  # each read once


def test_an_issue_closed_after_it_was_reassigned_is_removed_and_one_still_theirs_is_completed(
    ada: TestClient, github: FakeGitHub
) -> None:
    theirs = github.assign("ada-l", "Clear the drains")
    handed = github.assign("ada-l", "Fix the doorbell")
    connection = sign_in_github(ada, github)
    _sync(ada, connection)
    github.change(theirs, state="closed")
    github.reassign(handed, "bob-b")
    github.change(handed, state="closed")
    _sync(ada, connection)
    assert _open_titles(ada) == []
    done = ada.get("/api/tasks", params={"status": "done"}).json()
    assert [t["title"] for t in done] == ["Clear the drains (house/atom#1)"]


def test_reconciling_waits_out_githubs_rate_limit_and_spends_one_read_per_issue(
    ada: TestClient, github: FakeGitHub, sleeps: Sleeps
) -> None:
    issues = [github.assign("ada-l", f"Chore {n}") for n in range(3)]
    connection = sign_in_github(ada, github)
    _sync(ada, connection)
    for issue in issues:
        github.reassign(issue, "bob-b")
    github.limit_reads(1, reset_in=5)  # the first read meets GitHub's primary rate limit
    assert _sync(ada, connection)["state"] == "connected"
    assert len(sleeps.waits) == 1 and 3 <= sleeps.waits[0] <= 5
    assert _open_titles(ada) == []
    assert len([r for r in github.requests if r.path.startswith("/repos/")]) == 4  # three, one of them twice


def test_a_long_rate_limit_while_reconciling_stops_and_the_next_sync_finishes(
    ada: TestClient, github: FakeGitHub
) -> None:
    issues = [github.assign("ada-l", f"Chore {n}") for n in range(3)]
    connection = sign_in_github(ada, github)
    _sync(ada, connection)
    for issue in issues:
        github.reassign(issue, "bob-b")
    github.limit_reads(1, reset_in=3600, after=1)  # the second read: an hour to wait
    stopped = _sync(ada, connection)
    assert stopped["state"] == "error" and stopped["retry_at"]
    assert _open_titles(ada) == ["Chore 1 (house/atom#2)", "Chore 2 (house/atom#3)"]
    before = len(github.requests)
    assert _sync(ada, connection)["state"] == "connected" and _open_titles(ada) == []
    assert sorted(r.path for r in github.requests[before:] if r.path.startswith("/repos/")) == [
        "/repos/house/atom/issues/2",
        "/repos/house/atom/issues/3",
    ]


def test_reconciling_ada_never_touches_bobs_tasks(ada: TestClient, bob: TestClient, github: FakeGitHub) -> None:
    shared = github.assign("ada-l", "Plan the street party")
    github.assign("bob-b", "Plan the street party too")
    mine = sign_in_github(ada, github)
    his = sign_in_github(bob, github, login="bob-b")
    _sync(ada, mine)
    _sync(bob, his)
    github.reassign(shared, "bob-b")
    _sync(ada, mine)
    assert _open_titles(ada) == []
    assert _open_titles(bob) == ["Plan the street party too (house/atom#2)"]
    _sync(bob, his)
    assert _open_titles(bob) == ["Plan the street party (house/atom#1)", "Plan the street party too (house/atom#2)"]


@pytest.mark.parametrize(
    ("status", "headers", "reading"),
    [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "soon"}, 60.0),  # unreadable: a minute
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "inf"}, 60.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}, 0.0),  # already over
        (403, {"retry-after": "30"}, True),  # a secondary limit: Retry-After is read by the client
        (403, {"x-ratelimit-remaining": "12"}, False),  # a real refusal
        (404, {"x-ratelimit-remaining": "0"}, False),
    ],
)
def test_githubs_rate_limit_headers_are_read_by_its_connector(
    status: int, headers: dict[str, str], reading: bool | float
) -> None:
    said = rate_limited(httpx.Response(status, headers=headers))
    assert said == reading and type(said) is type(reading)
