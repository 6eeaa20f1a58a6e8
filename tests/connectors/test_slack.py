"""Slack end to end over loopback HTTP: a pasted bot token (tried before it is kept), messages in
the channels the member invited the bot to searchable with their permalink and who wrote them,
nothing from other channels, only new messages asked for (`oldest`), an interrupted channel
resumed at its page, and a revoked token (Slack's `ok: false`) meaning sign in again."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.connectors.records_helpers import found, record_items, sync
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack


def connect_slack(client: TestClient, token: str = BOT_TOKEN) -> dict:
    answer = client.post("/api/connections", json={"connector": "slack", "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_messages(slack: FakeSlack, count: int) -> None:
    channel = next(iter(slack.channels), None) or slack.add_channel("family")
    for n in range(count):
        slack.post(channel, f"Item {n}: a message about the household.")


def revoke_slack(slack: FakeSlack) -> None:
    slack.tokens.clear()


def test_a_bot_token_connects_and_picked_channels_messages_are_searchable_with_permalinks(
    ada: TestClient, slack: FakeSlack
) -> None:
    family = slack.add_channel("family")
    secret = slack.add_channel("surprise-party", invited=False)
    ts = slack.post(family, "The plumber comes on Thursday at nine.", user="U02BOB")
    slack.post(family, "", subtype="channel_join")
    slack.post(secret, "Cake from the bakery on Elm Street.")
    connection = connect_slack(ada)
    assert connection["state"] == "connected" and connection["account"] == "Lovelace home"
    assert sync(ada, connection)["state"] == "connected"

    (hit,) = found(ada, "plumber")
    assert hit["source"] == "slack" and hit["title"] == "Bob in #family: The plumber comes on Thursday at nine."
    assert found(ada, "bakery") == []  # Atom's bot was never invited there
    (item,) = record_items(ada, "slack")
    assert item["url"] == f"https://lovelace-home.slack.com/archives/{family}/p{ts.replace('.', '')}"


def test_a_token_slack_refuses_is_not_kept(ada: TestClient, slack: FakeSlack) -> None:
    refused = ada.post("/api/connections", json={"connector": "slack", "token": "xoxb-not-a-token"})
    assert refused.status_code == 400 and "did not accept" in refused.json()["detail"]
    assert ada.get("/api/connections").json() == []


def test_only_messages_after_the_newest_seen_are_asked_for(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    last = slack.post(family, "Bins go out tonight.")
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.post(family, "Parcel for Ada at the neighbours.")
    sync(ada, connection)
    histories = [r.body for r in slack.requests if r.path == "/api/conversations.history"]
    assert "oldest" not in histories[0] and histories[-1]["oldest"] == last
    assert found(ada, "parcel") and found(ada, "bins")
    assert len(record_items(ada, "slack")) == 2


def test_a_channel_cut_off_resumes_at_its_page(ada: TestClient, slack: FakeSlack) -> None:
    seed_messages(slack, 150)
    connection = connect_slack(ada)
    slack.cut_after(4)  # auth.test, the channels, the members, the first page of history
    assert sync(ada, connection)["state"] == "error"
    slack.cut_after(None)
    assert sync(ada, connection)["items"] == 150
    resumed = [r.body for r in slack.requests if r.path == "/api/conversations.history"][-1]
    assert resumed.get("cursor")


def test_a_revoked_token_needs_sign_in_and_bob_finds_nothing(
    ada: TestClient, bob: TestClient, slack: FakeSlack
) -> None:
    seed_messages(slack, 1)
    connection = connect_slack(ada)
    sync(ada, connection)
    assert found(bob, "household") == []
    revoke_slack(slack)
    after = sync(ada, connection)
    assert after["state"] == "needs-sign-in" and "invalid_auth" in after["last_error"]
    assert found(ada, "household")
