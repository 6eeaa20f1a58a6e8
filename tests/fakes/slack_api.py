"""A loopback Slack Web API: `auth.test`, `users.conversations` (the channels the bot was invited
to), `users.list` and `conversations.history` (newest first, after `oldest`, paged by `cursor`
and `response_metadata.next_cursor` with `has_more`), all POSTed form-encoded with the bot token
as a Bearer header. Failures as Slack sends them: HTTP 200 with `{"ok": false, "error": ...}`
(`invalid_auth`, `not_in_channel`, `channel_not_found`), rate limits as 429 with Retry-After.
"""

from __future__ import annotations

import base64
import secrets
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


class FakeSlack(ServiceFake):
    connector = "slack"

    def __init__(self) -> None:
        super().__init__()
        self.tokens = {BOT_TOKEN}
        self.channels: dict[str, _Channel] = {}
        self.users = {"U01ADA": "Ada", "U02BOB": "Bob"}
        self._ts = 1764460800  # 2025-11-30 00:00 UTC; each message a second after the last

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

    # --- the wire -------------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.method != "POST" or not request.path.startswith("/api/"):
            return Reply(404, b"Not Found")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _fail("invalid_auth")
        form, method = request.body or {}, request.path.removeprefix("/api/")
        if method == "auth.test":
            return _ok(
                {"url": _TEAM_URL, "team": "Lovelace home", "user": "atom", "team_id": "T0L0V", "user_id": "U0ATOM"}
            )
        if method == "users.conversations":
            found = [{"id": c.id, "name": c.name, "is_channel": True} for c in self.channels.values() if c.bot_member]
            return self._paged("channels", found, form)
        if method == "users.list":
            members = [
                {"id": i, "name": n.lower(), "profile": {"display_name": n, "real_name": n}}
                for i, n in self.users.items()
            ]
            return self._paged("members", members, form)
        if method == "conversations.history":
            return self._history(form)
        return _fail("unknown_method")

    def _history(self, form: dict[str, str]) -> Reply:
        channel = self.channels.get(form.get("channel", ""))
        if channel is None:
            return _fail("channel_not_found")
        if not channel.bot_member:
            return _fail("not_in_channel")
        oldest = float(form.get("oldest", "0"))
        newest_first = [m for m in reversed(channel.messages) if float(m["ts"]) > oldest]
        answer = self._page(newest_first, form)
        return _ok({"messages": answer["items"], "has_more": bool(answer["next"]), "pin_count": 0}, answer["next"])

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


def _ok(body: dict[str, Any], next_cursor: str = "") -> Reply:
    return Reply(200, {"ok": True, **body, "response_metadata": {"next_cursor": next_cursor}})


def _fail(error: str) -> Reply:
    return Reply(200, {"ok": False, "error": error})
