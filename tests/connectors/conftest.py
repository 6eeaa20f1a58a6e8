"""Connectors against their loopback fakes: the fakes start first, and the operator's setting
`connectors.base_urls` points each connector at its fake (never anything a member sends)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from appliance.connectors.http import HttpPolicy
from appliance.runtime import Runtime, open_runtime
from appliance.server import create_app
from appliance.settings import Settings, load_settings
from tests.conftest import add_member, first_admin, second_client, sign_in
from tests.fakes.asana_api import FakeAsana
from tests.fakes.box_api import FakeBox
from tests.fakes.dropbox_api import FakeDropbox
from tests.fakes.github_api import FakeGitHub
from tests.fakes.google_calendar_api import FakeGoogleCalendar
from tests.fakes.google_drive_api import FakeGoogleDrive
from tests.fakes.microsoft_api import FakeMicrosoft
from tests.fakes.notion_api import FakeNotion
from tests.fakes.slack_api import FakeSlack
from tests.fakes.todoist_api import FakeTodoist
from tests.fakes.trello_api import FakeTrello
from tests.processes import serving_in_thread


class Sleeps:
    """The connectors' sleep, recorded instead of waited."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def todoist() -> Iterator[FakeTodoist]:
    with FakeTodoist() as fake:
        yield fake


@pytest.fixture
def google() -> Iterator[FakeGoogleCalendar]:
    with FakeGoogleCalendar() as fake:
        yield fake


@pytest.fixture
def microsoft() -> Iterator[FakeMicrosoft]:
    with FakeMicrosoft() as fake:
        yield fake


@pytest.fixture
def notion() -> Iterator[FakeNotion]:
    with FakeNotion() as fake:
        yield fake


@pytest.fixture
def dropbox() -> Iterator[FakeDropbox]:
    with FakeDropbox() as fake:
        yield fake


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def asana() -> Iterator[FakeAsana]:
    with FakeAsana() as fake:
        yield fake


@pytest.fixture
def trello() -> Iterator[FakeTrello]:
    with FakeTrello() as fake:
        yield fake


@pytest.fixture
def google_drive() -> Iterator[FakeGoogleDrive]:
    with FakeGoogleDrive() as fake:
        yield fake


@pytest.fixture
def box() -> Iterator[FakeBox]:
    with FakeBox() as fake:
        yield fake


@pytest.fixture
def settings(
    tmp_path: Path,
    github: FakeGitHub,
    todoist: FakeTodoist,
    google: FakeGoogleCalendar,
    microsoft: FakeMicrosoft,
    notion: FakeNotion,
    dropbox: FakeDropbox,
    slack: FakeSlack,
    asana: FakeAsana,
    trello: FakeTrello,
    google_drive: FakeGoogleDrive,
    box: FakeBox,
) -> Settings:
    server = {"allowed_hosts": ["testserver.local", "testserver"]}
    urls = f"github={github.url}, todoist={todoist.url}, google_calendar={google.url}, microsoft={microsoft.url}"
    urls += f", notion={notion.url}, dropbox={dropbox.url}, slack={slack.url}, asana={asana.url}"
    urls += f", trello={trello.url}, google_drive={google_drive.url}, box={box.url}"
    return load_settings(
        environ={}, data_dir=tmp_path / "data", log={"format": "text"}, server=server, connectors={"base_urls": urls}
    )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def runtime(settings: Settings, sleeps: Sleeps) -> Iterator[Runtime]:
    rt = open_runtime(settings)
    rt.connectors.policy = HttpPolicy(sleep=sleeps)
    yield rt
    rt.close()


@pytest.fixture
def ada(runtime: Runtime) -> Iterator[TestClient]:
    """The household's first admin, signed in."""
    with TestClient(app=create_app(runtime, close_runtime=False)) as client:
        response = client.post("/api/setup", json=first_admin(runtime))
        assert response.status_code == 201, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client


@pytest.fixture
def bob(runtime: Runtime, ada: TestClient) -> Iterator[TestClient]:
    """A second member, signed in on a client of their own."""
    add_member(ada, "bob", "bob's password")
    with second_client(runtime) as client:
        yield sign_in(client, "bob", "bob's password")


@pytest.fixture
def scheduled_sync(runtime: Runtime, ada: TestClient) -> Iterator[Callable[[], list[dict]]]:
    """What the worker does every `connectors.sync_minutes`: the control API, from this box, over HTTP."""
    with serving_in_thread(create_app(runtime, close_runtime=False)) as url:

        def run() -> list[dict]:
            headers = {"Authorization": f"Bearer {runtime.service_token}"}
            answer = httpx.post(f"{url}/api/control/connections/sync", headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text
            return answer.json()

        yield run
