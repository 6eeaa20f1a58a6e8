"""A Slack channel Atom can no longer read (its bot removed, the channel archived, or the bot
removed between the listing and the reading): the other channels sync on, the lost channel's
messages and replies leave Ada's search (Bob's copy stays his until his own sync), the connection
and the Connections page say which channel and how to bring it back, and inviting the bot again
brings it back whole. The notice goes after a week (`lost.NOTICE`)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from litestar.testing import TestClient

from appliance.connectors.services.slack import lost
from tests.connectors.records_helpers import found, record_items, sync
from tests.connectors.test_slack import connect_slack
from tests.fakes.slack_api import FakeSlack


def two_channels(slack: FakeSlack) -> tuple[str, str]:
    family, party = slack.add_channel("family"), slack.add_channel("surprise-party")
    slack.post(family, "Bins go out tonight.")
    plan = slack.post(party, "Cake from the bakery on Elm Street.")
    slack.reply(party, plan, "Candles from the corner shop.")
    return family, party


def test_a_channel_the_bot_was_removed_from_leaves_and_the_rest_sync(
    ada: TestClient, bob: TestClient, slack: FakeSlack
) -> None:
    family, party = two_channels(slack)
    hers, his = connect_slack(ada), connect_slack(bob)
    sync(ada, hers)
    sync(bob, his)
    assert found(ada, "bakery") and found(ada, "candles")

    slack.remove_bot(party)
    slack.post(family, "Parcel for Ada at the neighbours.")
    after = sync(ada, hers)
    assert after["state"] == "connected" and "#surprise-party" in after["last_error"]
    assert "/invite @Atom" in after["error_action"]
    assert found(ada, "bakery") == [] and found(ada, "candles") == []
    assert found(ada, "parcel") and found(ada, "bins")
    assert {item["remote_id"].split("/")[0] for item in record_items(ada, "slack")} == {family}
    assert found(bob, "bakery") and found(bob, "candles")  # his copy: his own sync decides
    page = ada.get("/connections").text
    assert "#surprise-party" in page and "/invite @Atom" in page

    slack.channels[party].bot_member = True  # invited again
    back = sync(ada, hers)
    assert back["state"] == "connected" and back["last_error"] is None
    assert found(ada, "bakery") and found(ada, "candles")


def test_a_channel_lost_between_listing_and_reading_does_not_fail_the_sync(ada: TestClient, slack: FakeSlack) -> None:
    family, party = two_channels(slack)
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.kick_after_listing = {party}  # listed, then `not_in_channel` when read
    slack.post(family, "Parcel for Ada at the neighbours.")
    after = sync(ada, connection)
    assert after["state"] == "connected" and "#surprise-party" in after["last_error"]
    assert found(ada, "parcel") and found(ada, "bakery") == []


def test_an_archived_channel_is_named_for_a_week(
    ada: TestClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    family, party = two_channels(slack)
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.archive(party)
    assert "#surprise-party" in sync(ada, connection)["last_error"]
    assert "#surprise-party" in sync(ada, connection)["last_error"]  # still said at the next sync
    assert found(ada, "candles") == [] and found(ada, "bins")
    monkeypatch.setattr(lost, "NOTICE", timedelta(seconds=1))  # a week on (a member's sign-in would not last it)
    time.sleep(1.1)
    assert sync(ada, connection)["last_error"] is None
    assert found(ada, "bins") and found(ada, "candles") == []


def test_a_lost_channels_name_is_shown_as_text(ada: TestClient, slack: FakeSlack) -> None:
    hostile = slack.add_channel('<img src=x onerror="alert(1)">')
    slack.post(hostile, "Nothing to see.")
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.remove_bot(hostile)
    sync(ada, connection)
    page = ada.get("/connections").text
    assert "<img src=x" not in page and "&lt;img src=x" in page
