"""A loopback Slack Web API: `auth.test`, `users.conversations` (the channels the bot was invited
to, archived ones left out under `exclude_archived`), `users.list`, `conversations.history`
(newest first, between `oldest` and `latest`, `inclusive` or not, paged by `cursor` and
`response_metadata.next_cursor` with `has_more`) and `conversations.replies` (a thread: its
parent first, then the replies oldest first within `oldest`/`latest`, paged alike), all
POSTed form-encoded with the bot token as a Bearer header. A thread's parent carries
`thread_ts`, `reply_count`, `reply_users`, `latest_reply`; each reply `thread_ts` and
`parent_user_id`; one also sent to the channel (`thread_broadcast`) is in the history too.
Messages as history shows them now: an edited one with `edited` ({user, ts}) and its new text, a
deleted one gone (or, with replies, a `tombstone`). Failures as Slack sends them: HTTP 200 with
`{"ok": false, "error": ...}` (`invalid_auth`, `not_in_channel`, `channel_not_found`,
`thread_not_found`), rate limits as 429 with Retry-After.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeSlack", "BOT_TOKEN"]

BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
_TEAM_URL = "https://lovelace-home.slack.com/"


@dataclass
class _Channel:
    id: str
    name: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    bot_member: bool = True
    archived: bool = False
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # parent ts: replies, oldest first


class FakeSlack(ServiceFake):
    connector = "slack"

    def __init__(self) -> None:
        super().__init__()
        self.tokens = {BOT_TOKEN}
        self.channels: dict[str, _Channel] = {}
        self.users = {"U01ADA": "Ada", "U02BOB": "Bob"}
        self._ts = int(time.time()) - 86_400  # a day ago; each message a second after the last
        self.kick_after_listing: set[str] = set()  # the bot removed from these just after it is listed
        self.answer_once: dict[str, Reply] = {}  # method: what its next call gets (Slack limits each on its own)

    # --- what a test does in Slack ------------------------------------------------------------

    def add_channel(self, name: str, *, invited: bool = True) -> str:
        channel_id = "C0" + secrets.token_hex(4).upper()
        self.channels[channel_id] = _Channel(channel_id, name, bot_member=invited)
        return channel_id

    def post(self, channel_id: str, text: str, user: str = "U01ADA", **extra: Any) -> str:
        self._ts += 1
        ts = f"{self._ts}.{secrets.randbelow(10**6):06d}"
        self.channels[channel_id].messages.append({"type": "message", "user": user, "text": text, "ts": ts} | extra)
        return ts

    def reply(
        self, channel_id: str, parent_ts: str, text: str, user: str = "U02BOB", *, broadcast: bool = False
    ) -> str:
        """A reply in the thread under `parent_ts` (also sent to the channel: `broadcast`)."""
        self._ts += 1
        ts = f"{self._ts}.{secrets.randbelow(10**6):06d}"
        parent = self._message(channel_id, parent_ts)
        reply = {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": parent_ts}
        reply |= {"parent_user_id": parent.get("user", "U01ADA")}
        if broadcast:
            reply["subtype"] = "thread_broadcast"
            self.channels[channel_id].messages.append(dict(reply))
        with self.lock:
            self.channels[channel_id].replies.setdefault(parent_ts, []).append(reply)
            self._thread_changed(channel_id, parent_ts)
        return ts

    def remove_bot(self, channel_id: str) -> None:
        self.channels[channel_id].bot_member = False

    def archive(self, channel_id: str) -> None:
        self.channels[channel_id].archived = True

    def post_at(self, channel_id: str, text: str, ts: str, user: str = "U01ADA") -> str:
        """A message from a given moment (an old one), kept in order."""
        message = {"type": "message", "user": user, "text": text, "ts": ts}
        self.channels[channel_id].messages.append(message)
        self.channels[channel_id].messages.sort(key=lambda m: float(m["ts"]))
        return ts

    def edit(self, channel_id: str, ts: str, text: str) -> None:
        with self.lock:
            message = self._message(channel_id, ts)
            message["text"] = text
            message["edited"] = {"user": message.get("user", "U01ADA"), "ts": f"{time.time():.6f}"}

    def delete(self, channel_id: str, ts: str) -> None:
        """Deleted; a message with replies stays as a tombstone, as Slack keeps the thread."""
        with self.lock:
            message = self._message(channel_id, ts)
            parent = message.get("thread_ts")
            if parent and parent != ts:
                self.channels[channel_id].replies[parent].remove(message)
                self._thread_changed(channel_id, parent)
            elif message.get("reply_count"):
                message.update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT")
                message.pop("edited", None)
            else:
                self.channels[channel_id].messages.remove(message)

    def announce_change(self, channel_id: str, ts: str, text: str) -> None:
        """The edit as Slack's `message_changed` entry (the message as it is now under `message`,
        the one before under `previous_message`), the message itself no longer listed."""
        with self.lock:
            before = self._message(channel_id, ts)
            self.channels[channel_id].messages.remove(before)
        after = before | {"text": text, "edited": {"user": before.get("user"), "ts": f"{time.time():.6f}"}}
        self.post(channel_id, "", subtype="message_changed", hidden=True, message=after, previous_message=before)

    def announce_deletion(self, channel_id: str, ts: str) -> None:
        """The deletion as Slack's `message_deleted` entry (`deleted_ts`), the message itself gone."""
        with self.lock:
            before = self._message(channel_id, ts)
            self.channels[channel_id].messages.remove(before)
        self.post(channel_id, "", subtype="message_deleted", hidden=True, deleted_ts=ts, previous_message=before)

    def _message(self, channel_id: str, ts: str) -> dict[str, Any]:
        channel = self.channels[channel_id]
        replies = [reply for thread in channel.replies.values() for reply in thread]
        return next(m for m in [*replies, *channel.messages] if m["ts"] == ts)

    def _thread_changed(self, channel_id: str, parent_ts: str) -> None:
        """The parent as Slack shows it once its thread changed: its count, repliers and latest reply."""
        parent = next(m for m in self.channels[channel_id].messages if m["ts"] == parent_ts)
        thread = self.channels[channel_id].replies.get(parent_ts, [])
        parent |= {"thread_ts": parent_ts, "reply_count": len(thread)}
        parent |= {
            "reply_users": sorted({r["user"] for r in thread}),
            "reply_users_count": len({r["user"] for r in thread}),
        }
        if thread:
            parent["latest_reply"] = thread[-1]["ts"]
        else:
            for key in ("reply_count", "reply_users", "reply_users_count", "latest_reply"):
                parent.pop(key, None)

    # --- the wire -------------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method != "POST" or not request.path.startswith("/api/"):
            return Reply(404, b"Not Found")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _fail("invalid_auth")
        form, method = request.body or {}, request.path.removeprefix("/api/")
        if method in self.answer_once:
            return self.answer_once.pop(method)
        if method == "auth.test":
            return _ok(
                {"url": _TEAM_URL, "team": "Lovelace home", "user": "atom", "team_id": "T0L0V", "user_id": "U0ATOM"}
            )
        if method == "users.conversations":
            return self._member_channels(form)
        if method == "users.list":
            members = [
                {"id": i, "name": n.lower(), "profile": {"display_name": n, "real_name": n}}
                for i, n in self.users.items()
            ]
            return self._paged("members", members, form)
        if method in ("conversations.history", "conversations.replies"):
            channel = self.channels.get(form.get("channel", ""))
            if channel is None:
                return _fail("channel_not_found")
            if not channel.bot_member:
                return _fail("not_in_channel")
            return self._history(channel, form) if method == "conversations.history" else self._replies(channel, form)
        return _fail("unknown_method")

    def _member_channels(self, form: dict[str, str]) -> Reply:
        skip_archived = form.get("exclude_archived") in ("true", "1")
        listed = [c for c in self.channels.values() if c.bot_member and not (c.archived and skip_archived)]
        found = [{"id": c.id, "name": c.name, "is_channel": True, "is_archived": c.archived} for c in listed]
        for channel_id in self.kick_after_listing:
            self.channels[channel_id].bot_member = False
        self.kick_after_listing = set()
        return self._paged("channels", found, form)

    def _history(self, channel: _Channel, form: dict[str, str]) -> Reply:
        newest_first = [m for m in reversed(channel.messages) if _between(m, form)]
        answer = self._page(newest_first, form)
        return _ok({"messages": answer["items"], "has_more": bool(answer["next"]), "pin_count": 0}, answer["next"])

    def _replies(self, channel: _Channel, form: dict[str, str]) -> Reply:
        parent = next((m for m in channel.messages if m["ts"] == form.get("ts")), None)
        if parent is None:
            return _fail("thread_not_found")
        thread = [parent, *(r for r in channel.replies.get(parent["ts"], []) if _between(r, form))]
        answer = self._page(thread, form)
        return _ok({"messages": answer["items"], "has_more": bool(answer["next"])}, answer["next"])

    def _paged(self, name: str, items: list[dict[str, Any]], form: dict[str, str]) -> Reply:
        answer = self._page(items, form)
        return _ok({name: answer["items"]}, answer["next"])

    def _page(self, items: list[dict[str, Any]], form: dict[str, str]) -> dict[str, Any]:
        start = int(base64.b64decode(form["cursor"]).decode().removeprefix("next:")) if form.get("cursor") else 0
        size = min(int(form.get("limit", "100")), 100)
        more = start + size < len(items)
        return {
            "items": items[start : start + size],
            "next": base64.b64encode(f"next:{start + size}".encode()).decode() if more else "",
        }


def _between(message: dict[str, Any], form: dict[str, str]) -> bool:
    """Within the asked `oldest` and `latest`, `inclusive` or not."""
    oldest, latest, ts = float(form.get("oldest", "0")), float(form.get("latest", "inf")), float(message["ts"])
    return oldest <= ts <= latest if form.get("inclusive") in ("true", "1") else oldest < ts < latest


def _ok(body: dict[str, Any], next_cursor: str = "") -> Reply:
    return Reply(200, {"ok": True, **body, "response_metadata": {"next_cursor": next_cursor}})


def _fail(error: str) -> Reply:
    return Reply(200, {"ok": False, "error": error})
