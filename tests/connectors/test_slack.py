"""Slack end to end over loopback HTTP: a pasted bot token (tried before it is kept), messages in
the channels the member invited the bot to searchable with their permalink and who wrote them,
nothing from other channels, only new messages and the last week's asked for (`oldest`), edits
and deletions in that week followed into search, an interrupted channel resumed at its page, and
a revoked token (Slack's `ok: false`) meaning sign in again."""

from __future__ import annotations

import time

from litestar.testing import TestClient

from appliance.connectors.services.slack.connector import RECHECK
from appliance.runtime import Runtime
from tests.connectors.conftest import Sleeps
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


def test_only_new_messages_and_the_last_week_are_asked_for(ada: TestClient, slack: FakeSlack) -> None:
    family, quiet = slack.add_channel("family"), slack.add_channel("allotment")
    slack.post(family, "Bins go out tonight.")
    last = slack.post_at(quiet, "Seed potatoes are in the shed.", f"{time.time() - 30 * 86_400:.6f}")
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.post(family, "Parcel for Ada at the neighbours.")
    sync(ada, connection)
    histories = [r.body for r in slack.requests if r.path == "/api/conversations.history"]
    assert "oldest" not in histories[0] and "oldest" not in histories[1]
    asked = {body["channel"]: float(body["oldest"]) for body in histories[2:]}
    assert abs(asked[family] - (time.time() - RECHECK.total_seconds())) < 60  # the week before now
    assert asked[quiet] == float(last)  # nothing newer than its last message, a month ago
    assert found(ada, "parcel") and found(ada, "bins") and found(ada, "potatoes")
    assert len(record_items(ada, "slack")) == 3


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


def test_edits_and_deletions_at_slack_reach_atom_and_its_search(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    edited = slack.post(family, "The plumber comes on Thursday.")
    deleted = slack.post(family, "The code for the side gate is 4921.")
    threaded = slack.post(family, "Who is taking the car this weekend?", reply_count=2, thread_ts="")
    untouched = slack.post(family, "Pizza on Friday.")
    connection = connect_slack(ada)
    sync(ada, connection)
    assert found(ada, "gate") and found(ada, "weekend") and found(ada, "Thursday")

    slack.edit(family, edited, "The plumber comes on Friday instead.")
    slack.delete(family, deleted)
    slack.delete(family, threaded)  # it has replies: Slack keeps a tombstone
    assert sync(ada, connection)["state"] == "connected"
    assert found(ada, "gate") == [] and found(ada, "weekend") == [] and found(ada, "deleted") == []
    (hit,) = found(ada, "plumber")
    assert hit["title"] == "Ada in #family: The plumber comes on Friday instead." and found(ada, "Thursday") == []
    items = {item["remote_id"] for item in record_items(ada, "slack")}
    assert items == {f"{family}/{edited}", f"{family}/{untouched}"}


def test_a_message_unchanged_is_not_written_again(ada: TestClient, slack: FakeSlack, runtime: Runtime) -> None:
    family = slack.add_channel("family")
    slack.post(family, "Recycling is collected on Tuesdays.")
    connection = connect_slack(ada)
    sync(ada, connection)
    stamp = _record_stamps(runtime)
    sync(ada, connection)
    assert len([r for r in slack.requests if r.path == "/api/conversations.history"]) == 2  # read again
    assert _record_stamps(runtime) == stamp


def test_deletions_older_than_the_week_are_not_followed(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    old = slack.post_at(family, "The boiler was serviced in March.", f"{time.time() - 10 * 86_400:.6f}")
    slack.post(family, "Boiler pressure is fine.")
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.delete(family, old)
    sync(ada, connection)
    assert len(found(ada, "boiler")) == 2  # outside the re-read window: Atom keeps it as first seen


def test_slacks_changed_and_deleted_entries_in_a_history_are_followed(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    first = slack.post(family, "Dentist on Monday at ten.")
    gone = slack.post(family, "Spare key is under the blue pot.")
    connection = connect_slack(ada)
    sync(ada, connection)
    slack.announce_change(family, first, "Dentist on Tuesday at ten.")
    slack.announce_deletion(family, gone)
    assert sync(ada, connection)["state"] == "connected"
    assert found(ada, "spare key") == []
    assert [h["title"] for h in found(ada, "dentist")] == ["Ada in #family: Dentist on Tuesday at ten."]
    assert {item["remote_id"] for item in record_items(ada, "slack")} == {f"{family}/{first}"}


def test_a_window_too_big_for_one_go_waits_and_forgets_only_once_read_whole(
    ada: TestClient, slack: FakeSlack, sleeps: Sleeps
) -> None:
    seed_messages(slack, 150)
    family = next(iter(slack.channels))
    connection = connect_slack(ada)
    sync(ada, connection)
    doomed = slack.channels[family].messages[0]["ts"]  # the oldest: on the window's second page
    slack.delete(family, doomed)
    slack.fail(429, retry_after="3")
    assert sync(ada, connection)["state"] == "connected" and sleeps.waits == [3.0]
    assert len(record_items(ada, "slack")) == 149

    slack.delete(family, slack.channels[family].messages[0]["ts"])
    slack.cut_after(4)  # auth.test, channels, members, the window's first page: then cut
    assert sync(ada, connection)["state"] == "error"
    slack.cut_after(None)
    assert sync(ada, connection)["items"] == 149  # resumed at its page: the missing wait for a whole read
    assert sync(ada, connection)["items"] == 148


def test_adas_sync_forgets_only_her_own_copy(ada: TestClient, bob: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    ts = slack.post(family, "Holiday flights are booked.")
    hers, his = connect_slack(ada), connect_slack(bob)
    sync(ada, hers)
    sync(bob, his)
    slack.delete(family, ts)
    sync(ada, hers)
    assert found(ada, "flights") == [] and found(bob, "flights")
    sync(bob, his)
    assert found(bob, "flights") == []


def _record_stamps(runtime: Runtime) -> list[tuple[str, object]]:
    """When each brought-in message was last written (its item row's stamp moves at every write)."""
    sql = "SELECT remote_id, updated_at FROM connector_items ORDER BY remote_id"
    return runtime.db.read_sync(lambda conn: conn.execute(sql).fetchall())
