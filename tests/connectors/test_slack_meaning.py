"""Slack messages are found by meaning too, with the real embedding model (installed once per
test session, as `make run` installs it), not only by their words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.connectors.http import HttpPolicy
from appliance.runtime import Runtime, open_runtime
from appliance.settings import Settings
from tests.connectors.conftest import Sleeps
from tests.connectors.test_slack import connect_slack, sync
from tests.fakes.slack_api import FakeSlack
from tests.knowledge.conftest import installed_embeddings, link_models  # noqa: F401 - the session's installed model

__all__ = ["installed_embeddings"]


@pytest.fixture
def runtime(settings: Settings, sleeps: Sleeps, installed_embeddings: Path) -> Iterator[Runtime]:  # noqa: F811
    link_models(installed_embeddings, settings.data_dir / "models")
    rt = open_runtime(settings)
    rt.connectors.policy = HttpPolicy(sleep=sleeps)
    yield rt
    rt.close()


def test_a_message_is_found_by_what_it_means(ada: TestClient, slack: FakeSlack, runtime: Runtime) -> None:
    family = slack.add_channel("family")
    slack.post(family, "The washing machine is leaking water all over the utility room floor again.")
    slack.post(family, "Grandma's birthday dinner is booked for Saturday evening.")
    sync(ada, connect_slack(ada))
    question = {"q": "who do we call about the broken appliance flooding", "mode": "vector", "limit": 1}
    deadline = time.monotonic() + 30
    while True:
        results = ada.get("/api/search", params=question).json()["results"]
        if results and "washing machine" in results[0]["snippet"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert results and "washing machine" in results[0]["snippet"] and results[0]["source"] == "slack"
