"""Slack thread replies end to end over loopback HTTP: brought in with a link into their thread
and their parent's words, a thread asked for again only when a reply came or went (or, for
edits, hourly while its replies are a week old or less), edits and deletions followed into
search, a tombstone keeping its thread, Slack's rate limit waited out, and Bob's copy his own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from litestar.testing import TestClient

from appliance import clock
from appliance.connectors.services.slack.connector import RECHECK
from tests.connectors.conftest import Sleeps
from tests.connectors.records_helpers import found, record_items, sync
from tests.connectors.test_slack import connect_slack
from tests.fakes.loopback import Reply
from tests.fakes.slack_api import FakeSlack


def replies_asked(slack: FakeSlack) -> list[dict]:
    return [r.body for r in slack.requests if r.path == "/api/conversations.replies"]


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Move Atom's clock on from now (Slack's stays)."""
    real = clock.now

    def move(by: timedelta) -> None:
        monkeypatch.setattr(clock, "now", lambda: real() + by)

    return move


def test_replies_are_searchable_tied_to_their_thread(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Who is taking the car this weekend?")
    answer = slack.reply(family, parent, "I am, back by Sunday noon.", user="U02BOB")
    shared = slack.reply(family, parent, "It needs fuel first.", user="U01ADA", broadcast=True)
    assert sync(ada, connect_slack(ada))["state"] == "connected"

    (hit,) = found(ada, "Sunday")
    assert hit["title"] == "Bob in a #family thread: I am, back by Sunday noon."
    assert "In reply to Ada: Who is taking the car this weekend?" in hit["snippet"]
    assert len(found(ada, "weekend")) == 2  # the parent, and the reply that answers it
    assert len(found(ada, "fuel")) == 1  # also sent to the channel: held once
    links = {item["remote_id"]: item["url"] for item in record_items(ada, "slack")}
    assert set(links) == {f"{family}/{parent}", f"{family}/{parent}/{answer}", f"{family}/{shared}"}
    thread_link = f"?thread_ts={parent}&cid={family}"
    assert links[f"{family}/{parent}/{answer}"].endswith(f"/archives/{family}/p{answer.replace('.', '')}{thread_link}")


def test_a_thread_is_asked_for_again_only_when_a_reply_came(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    car, bins = slack.post(family, "Who has the car?"), slack.post(family, "Whose turn for the bins?")
    slack.reply(family, car, "Me, until Sunday.")
    slack.reply(family, bins, "Bob's.")
    slack.post(family, "No thread here.")
    connection = connect_slack(ada)
    sync(ada, connection)
    assert sorted(body["ts"] for body in replies_asked(slack)) == sorted([car, bins])
    assert all("oldest" not in body for body in replies_asked(slack))  # read whole the first time

    sync(ada, connection)
    assert len(replies_asked(slack)) == 2  # nothing new: not asked again

    slack.reply(family, bins, "Actually mine, Bob is away.", user="U01ADA")
    sync(ada, connection)
    (asked,) = replies_asked(slack)[2:]
    assert asked["ts"] == bins and asked["channel"] == family
    assert abs(float(asked["oldest"]) - (datetime.now().timestamp() - RECHECK.total_seconds())) < 60
    assert found(ada, "away")


def test_edited_and_deleted_replies_are_followed(
    ada: TestClient, slack: FakeSlack, later: Callable[[timedelta], None]
) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Plans for the dentist?")
    kept = slack.reply(family, parent, "Tuesday at ten works.")
    gone = slack.reply(family, parent, "The spare key is under the blue pot.")
    connection = connect_slack(ada)
    sync(ada, connection)
    assert found(ada, "spare key") and found(ada, "Tuesday")

    slack.delete(family, gone)  # the parent's count changes: the thread is read again
    slack.edit(family, kept, "Wednesday at ten works better.")
    sync(ada, connection)
    assert found(ada, "spare key") == []
    assert [h["title"] for h in found(ada, "ten")] == ["Bob in a #family thread: Wednesday at ten works better."]

    slack.edit(family, kept, "Thursday at ten, final answer.")
    sync(ada, connection)
    assert len(replies_asked(slack)) == 2 and found(ada, "Thursday") == []  # the parent shows no edit
    later(timedelta(hours=2))
    sync(ada, connection)
    assert len(replies_asked(slack)) == 3 and found(ada, "Thursday")  # an hour on: read for edits

    slack.delete(family, parent)  # it has a reply: Slack keeps a tombstone, and the thread
    sync(ada, connection)
    assert found(ada, "dentist") == [] and found(ada, "deleted") == []
    assert {item["remote_id"] for item in record_items(ada, "slack")} == {f"{family}/{parent}/{kept}"}
    (hit,) = found(ada, "Thursday")
    assert "In reply to" not in hit["snippet"]  # a tombstone says nothing


def test_a_rate_limited_thread_is_waited_for(ada: TestClient, slack: FakeSlack, sleeps: Sleeps) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Who feeds the cat?")
    slack.reply(family, parent, "The neighbour, on Saturday.")
    slack.answer_once["conversations.replies"] = Reply(429, {"ok": False, "error": "ratelimited"}, {"retry-after": "4"})
    assert sync(ada, connect_slack(ada))["state"] == "connected"
    assert sleeps.waits == [4.0] and found(ada, "neighbour")
    assert len(replies_asked(slack)) == 2  # refused once, then answered


def test_adas_sync_forgets_only_her_copy_of_a_reply(ada: TestClient, bob: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Flights?")
    reply = slack.reply(family, parent, "Booked for the holiday.")
    hers, his = connect_slack(ada), connect_slack(bob)
    sync(ada, hers)
    sync(bob, his)
    slack.delete(family, reply)
    sync(ada, hers)
    assert found(ada, "holiday") == [] and found(bob, "holiday")


def test_a_long_thread_is_read_page_by_page(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Ideas for the garden?")
    for n in range(130):
        slack.reply(family, parent, f"Idea {n}: plant something.")
    sync(ada, connect_slack(ada))
    pages = replies_asked(slack)
    assert len(pages) == 2 and pages[1].get("cursor") and pages[1]["ts"] == parent
    assert len(record_items(ada, "slack")) == 131


def test_a_thread_cut_off_is_read_again_next_time(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Ideas for the garden?")
    for n in range(130):
        slack.reply(family, parent, f"Idea {n}: plant something.")
    connection = connect_slack(ada)
    slack.cut_after(5)  # auth.test, channels, members, history, the thread's first page: then cut
    assert sync(ada, connection)["state"] == "error"
    slack.cut_after(None)
    assert sync(ada, connection)["items"] == 131


def test_a_thread_deleted_while_read_leaves_the_rest_syncing(ada: TestClient, slack: FakeSlack) -> None:
    family = slack.add_channel("family")
    parent = slack.post(family, "Who waters the plants?")
    slack.reply(family, parent, "Bob, on Wednesdays.")
    slack.post(family, "Dinner at seven.")
    slack.answer_once["conversations.replies"] = Reply(200, {"ok": False, "error": "thread_not_found"})
    connection = connect_slack(ada)
    assert sync(ada, connection)["state"] == "connected"  # gone between the history and the thread
    assert found(ada, "dinner") and found(ada, "plants") and found(ada, "Wednesdays") == []
    assert sync(ada, connection)["state"] == "connected" and found(ada, "Wednesdays")  # there after all: read now
