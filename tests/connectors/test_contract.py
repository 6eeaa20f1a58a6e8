"""Every connector, against its loopback fake, keeps the framework's promises: signs in, brings
the member's items in as tasks, waits out a short Retry-After and stops for a long one (cursor
kept, skipped until then), survives an interrupted sync without duplicates, turns a revoked grant
into "needs sign-in" keeping what was synced, keeps its tokens out of answers and logs, and is
nobody else's business (404). A meta-test fails for a connector without a fake and an entry here."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

import tests.fakes
from appliance.connectors.registry import manifests
from appliance.runtime import Runtime
from tests.connectors.conftest import Sleeps
from tests.connectors.records_helpers import record_titles
from tests.connectors.test_asana import connect_asana, revoke_asana
from tests.connectors.test_asana import seed_tasks as seed_asana
from tests.connectors.test_box import connect_box
from tests.connectors.test_box import seed_files as seed_box
from tests.connectors.test_dropbox import seed_files, sign_in_dropbox
from tests.connectors.test_github import sign_in_github
from tests.connectors.test_google_calendar import event_titles, seed_events, sign_in_google
from tests.connectors.test_google_drive import seed_drive, sign_in_drive
from tests.connectors.test_microsoft import seed_tasks, sign_in_microsoft
from tests.connectors.test_notion import connect_notion, revoke_notion, seed_pages
from tests.connectors.test_slack import connect_slack, revoke_slack, seed_messages
from tests.connectors.test_todoist import connect_todoist
from tests.connectors.test_trello import connect_trello, revoke_trello, seed_cards
from tests.fakes.asana_api import TOKEN as ASANA_TOKEN
from tests.fakes.asana_api import FakeAsana
from tests.fakes.box_api import TOKEN as BOX_TOKEN
from tests.fakes.box_api import FakeBox
from tests.fakes.dropbox_api import FakeDropbox
from tests.fakes.github_api import FakeGitHub
from tests.fakes.google_calendar_api import CLIENT_SECRET as GOOGLE_SECRET
from tests.fakes.google_calendar_api import FakeGoogleCalendar
from tests.fakes.google_drive_api import FakeGoogleDrive
from tests.fakes.microsoft_api import FakeMicrosoft
from tests.fakes.notion_api import SECRET as NOTION_SECRET
from tests.fakes.notion_api import FakeNotion
from tests.fakes.service import ServiceFake
from tests.fakes.slack_api import BOT_TOKEN as SLACK_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.fakes.todoist_api import FakeTodoist
from tests.fakes.trello_api import TOKEN as TRELLO_TOKEN
from tests.fakes.trello_api import FakeTrello


@dataclass(frozen=True)
class Service:
    name: str
    sign_in: Callable[[TestClient, Any], dict]  # sign the client's member in; the connection
    seed: Callable[[Any, int], None]  # give the member n open items at the service
    revoke: Callable[[Any], None]  # the member withdraws Atom's access at the service
    pages: int  # requests a sync of 150 items makes (the interruption comes after the first)
    visible: Callable[[TestClient], list[str]]  # the titles on the member's Atom page it syncs to

    def __str__(self) -> str:
        return self.name


def _seed_github(fake: FakeGitHub, count: int) -> None:
    for n in range(count):
        fake.assign("ada-l", f"Item {n}")


def _seed_todoist(fake: FakeTodoist, count: int) -> None:
    for n in range(count):
        fake.add(f"Item {n}")


def synced_titles(client: TestClient) -> list[str]:
    return sorted(t["title"] for t in client.get("/api/tasks").json() if t["source"] == "connector")


def _revoke_todoist(fake: FakeTodoist) -> None:
    fake.tokens.clear()


SERVICES = [
    Service("github", sign_in_github, _seed_github, FakeGitHub.revoke_all, 2, synced_titles),
    Service("todoist", lambda client, fake: connect_todoist(client), _seed_todoist, _revoke_todoist, 1, synced_titles),
    Service("google_calendar", sign_in_google, seed_events, FakeGoogleCalendar.revoke_all, 2, event_titles),
    # To Do's lists, two pages of tasks, then Outlook's calendar
    Service("microsoft", sign_in_microsoft, seed_tasks, FakeMicrosoft.revoke_all, 4, synced_titles),
    # two search pages and each page's blocks
    Service("notion", lambda c, f: connect_notion(c), seed_pages, revoke_notion, 152, record_titles("notion")),
    # two listing pages and each file's download
    Service("dropbox", sign_in_dropbox, seed_files, FakeDropbox.revoke_all, 152, record_titles("dropbox")),
    # who it is, the picked channels, the members' names, two pages of history
    Service("slack", lambda c, f: connect_slack(c), seed_messages, revoke_slack, 5, record_titles("slack")),
    Service("asana", lambda c, f: connect_asana(c), seed_asana, revoke_asana, 3, synced_titles),  # who, two pages
    Service("trello", lambda c, f: connect_trello(c), seed_cards, revoke_trello, 1, synced_titles),  # all cards at once
    # the changes token, two listing pages and each file's download
    Service("google_drive", sign_in_drive, seed_drive, FakeGoogleDrive.revoke_all, 153, record_titles("google_drive")),
    # where the change stream is, two item pages of the root, and each file's content: its redirect and the
    # download host's answer
    Service("box", lambda c, f: connect_box(c), seed_box, FakeBox.revoke_all, 303, record_titles("box")),
]


@pytest.fixture(params=SERVICES, ids=str)
def service(request: pytest.FixtureRequest) -> Service:
    return request.param


@pytest.fixture
def fake(service: Service, request: pytest.FixtureRequest) -> ServiceFake:
    """The service's fake: its fixture in conftest.py (named as the connector, Google's as `google`)."""
    fixture = {"google_calendar": "google"}.get(service.name, service.name)
    return request.getfixturevalue(fixture)


def sync(client: TestClient, connection: dict) -> dict:
    answer = client.post(f"/api/connections/{connection['id']}/sync")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_signed_in_items_become_tasks(service: Service, fake: ServiceFake, ada: TestClient) -> None:
    service.seed(fake, 3)
    connection = service.sign_in(ada, fake)
    assert sync(ada, connection)["state"] == "connected"
    assert len(service.visible(ada)) == 3
    assert sync(ada, connection)["items"] == 3  # a second sync changes nothing


def test_a_short_retry_after_is_waited_out(
    service: Service, fake: ServiceFake, ada: TestClient, sleeps: Sleeps
) -> None:
    service.seed(fake, 2)
    connection = service.sign_in(ada, fake)
    fake.fail(429, retry_after="7")
    assert sync(ada, connection)["state"] == "connected"
    assert sleeps.waits == [7.0]
    assert len(service.visible(ada)) == 2


def test_a_long_retry_after_stops_the_sync_until_then(
    service: Service, fake: ServiceFake, ada: TestClient, scheduled_sync: Callable[[], list[dict]]
) -> None:
    service.seed(fake, 2)
    connection = service.sign_in(ada, fake)
    fake.fail(429, retry_after="3600")
    stopped = sync(ada, connection)
    assert stopped["state"] == "error" and stopped["retry_at"] and "slow down" in stopped["last_error"]
    asked = len(fake.requests)
    assert scheduled_sync()[0]["skipped"] is True and len(fake.requests) == asked
    assert sync(ada, connection)["state"] == "connected"  # Sync now does not wait
    assert len(service.visible(ada)) == 2


def test_an_interrupted_sync_resumes_without_duplicates(service: Service, fake: ServiceFake, ada: TestClient) -> None:
    service.seed(fake, 150)
    connection = service.sign_in(ada, fake)
    fake.cut_after(service.pages - 1)
    assert sync(ada, connection)["state"] == "error"
    fake.cut_after(None)
    resumed = sync(ada, connection)
    assert resumed["state"] == "connected" and resumed["items"] == 150
    titles = service.visible(ada)
    assert len(titles) == len(set(titles)) == 150


def test_a_revoked_grant_needs_sign_in_and_keeps_what_was_synced(
    service: Service, fake: ServiceFake, ada: TestClient
) -> None:
    service.seed(fake, 2)
    connection = service.sign_in(ada, fake)
    sync(ada, connection)
    service.revoke(fake)
    after = sync(ada, connection)
    assert after["state"] == "needs-sign-in" and after["error_action"]
    assert len(service.visible(ada)) == 2
    (listed,) = ada.get("/api/connections").json()
    assert listed["state"] == "needs-sign-in"


def test_tokens_never_appear_in_answers_or_logs(
    service: Service, fake: ServiceFake, ada: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    service.seed(fake, 1)
    connection = service.sign_in(ada, fake)
    answers = [ada.get("/api/connections").text, ada.post(f"/api/connections/{connection['id']}/sync").text]
    answers.append(ada.get(f"/api/connections/{connection['id']}/items").text)
    secrets = _secrets_at(fake)
    assert secrets
    for secret in secrets:
        assert all(secret not in text for text in answers), "a token in an answer"
        assert secret not in caplog.text, "a token in the log"
        assert all(secret not in str(row) for row in runtime.db.read_sync(_connection_rows))


def test_another_member_cannot_see_sync_or_disconnect_it(
    service: Service, fake: ServiceFake, ada: TestClient, bob: TestClient
) -> None:
    service.seed(fake, 1)
    connection = service.sign_in(ada, fake)
    base = f"/api/connections/{connection['id']}"
    assert bob.get("/api/connections").json() == []
    assert bob.post(f"{base}/sync").status_code == 404
    assert bob.get(f"{base}/items").status_code == 404
    assert bob.post(f"{base}/sign-in/poll").status_code == 404
    assert (
        bob.post(f"{base}/sign-in/paste", json={"address": "http://127.0.0.1/atom-connected?code=x"}).status_code == 404
    )
    assert bob.delete(base).status_code == 404
    assert ada.get("/api/connections").json()[0]["state"] == "connected"


def test_every_connector_has_a_fake_and_an_entry_here() -> None:
    fakes = {fake.connector for fake in _fake_classes()}
    entries = {service.name for service in SERVICES}
    for name in manifests():
        assert name in fakes, f"connector {name} has no loopback fake in tests/fakes/ (ServiceFake.connector)"
        assert name in entries, f"connector {name} has no entry in SERVICES of {Path(__file__).name}"


def test_the_core_never_imports_a_connector_by_name() -> None:
    package = Path(__file__).resolve().parents[2] / "appliance"
    services = package / "connectors" / "services"
    for path in package.rglob("*.py"):
        if services in path.parents:
            continue
        text = path.read_text()
        for name in manifests():
            assert f"services.{name}" not in text, f"{path} imports connector {name}"


def _fake_classes() -> list[type[ServiceFake]]:
    for module in pkgutil.iter_modules(tests.fakes.__path__):
        importlib.import_module(f"tests.fakes.{module.name}")
    found, queue = [], list(ServiceFake.__subclasses__())
    while queue:
        cls = queue.pop()
        found.append(cls)
        queue.extend(cls.__subclasses__())
    return found


def _secrets_at(fake: ServiceFake) -> set[str]:
    if isinstance(fake, FakeGitHub):
        return set(fake.state.tokens) | set(fake.state.refresh)
    if isinstance(fake, FakeGoogleCalendar):
        return set(fake.state.access) | set(fake.state.refresh) | {GOOGLE_SECRET}
    if isinstance(fake, FakeTrello):
        return {TRELLO_TOKEN}
    if isinstance(fake, FakeAsana):
        return {ASANA_TOKEN}
    if isinstance(fake, FakeSlack):
        return {SLACK_TOKEN}
    if isinstance(fake, FakeDropbox):
        return set(fake.state.access) | fake.state.refresh
    if isinstance(fake, FakeBox):
        return {BOX_TOKEN}
    if isinstance(fake, FakeNotion):
        return {NOTION_SECRET}
    if isinstance(fake, FakeMicrosoft):
        return set(fake.state.access) | set(fake.state.refresh)
    if isinstance(fake, FakeTodoist):
        from tests.fakes.todoist_api import TOKEN

        return {TOKEN}
    raise AssertionError(f"no secrets known for {fake}")


def _connection_rows(conn: Any) -> list[Any]:
    return (
        conn.execute("SELECT * FROM connections").fetchall() + conn.execute("SELECT * FROM connector_items").fetchall()
    )
