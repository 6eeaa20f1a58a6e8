"""Slack's Web API as Atom reads it: the one place its JSON becomes typed values.

Every method answers HTTP 200 with `{"ok": false, "error": …}` when it fails (`invalid_auth`,
`token_revoked`, … mean the token is no good); rate limits are HTTP 429 with Retry-After.
Lists page by `cursor` / `response_metadata.next_cursor`. `conversations.history` lists a
channel's messages newest first, after `oldest` (a message `ts`, exclusive): each as it is now,
an edited one carrying `edited` (who, and the edit's `ts`); a deleted one is simply absent, or
a `tombstone` while replies hang from it. Slack's `message_changed` (the new version under
`message`) and `message_deleted` (`deleted_ts`) are read too, should a history carry them.

A thread's parent carries `thread_ts` (its own `ts`), `reply_count` and `latest_reply`; its
replies come only from `conversations.replies` (Tier 3, as history): the parent first, then the
replies oldest first, after `oldest`, paged as history is. A reply also sent to the channel
(`thread_broadcast`) is in the history too. A channel the bot can no longer read answers
`not_in_channel`, `channel_not_found` (deleted, or private and the bot removed) or `is_archived`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed, SignInNeeded

__all__ = [
    "Team",
    "Channel",
    "Edited",
    "Message",
    "History",
    "ChannelLost",
    "ThreadGone",
    "team",
    "member_channels",
    "user_names",
    "history",
    "replies",
]

T = TypeVar("T")
_LOST = {"not_in_channel", "channel_not_found", "is_archived"}
_SIGNED_OUT = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope"}


class ChannelLost(ServiceFailed):
    """Slack no longer lets the bot read a channel: removed from it, or the channel archived or deleted."""


class ThreadGone(ServiceFailed):
    """The thread's parent is no longer there (deleted since the history was read)."""


class Team(msgspec.Struct, frozen=True):
    url: str
    team: str = ""


class Channel(msgspec.Struct, frozen=True):
    id: str
    name: str = ""


class Edited(msgspec.Struct, frozen=True):
    ts: str
    user: str | None = None


class Message(msgspec.Struct, frozen=True):
    ts: str
    text: str = ""
    user: str | None = None
    username: str | None = None  # a bot's name
    subtype: str | None = None
    edited: Edited | None = None
    message: Message | None = None  # message_changed: the message as it is now
    deleted_ts: str | None = None  # message_deleted: which message went
    thread_ts: str | None = None  # the thread's parent (a parent's own `ts`)
    reply_count: int = 0
    latest_reply: str | None = None

    @property
    def thread_parent(self) -> bool:
        return bool(self.reply_count and self.latest_reply) and self.thread_ts in (None, self.ts)


class _Meta(msgspec.Struct, frozen=True):
    next_cursor: str = ""


class History(msgspec.Struct, frozen=True):
    messages: list[Message] = []
    has_more: bool = False
    response_metadata: _Meta | None = None

    @property
    def next_cursor(self) -> str | None:
        return (self.response_metadata.next_cursor if self.response_metadata else "") or None


class _Channels(msgspec.Struct, frozen=True):
    channels: list[Channel] = []
    response_metadata: _Meta | None = None


class _Profile(msgspec.Struct, frozen=True):
    display_name: str = ""
    real_name: str = ""


class _User(msgspec.Struct, frozen=True):
    id: str
    name: str = ""
    profile: _Profile | None = None


class _Users(msgspec.Struct, frozen=True):
    members: list[_User] = []
    response_metadata: _Meta | None = None


async def team(http: ServiceHttp) -> Team:
    return _typed(await _call(http, "auth.test", {}), Team)


async def member_channels(http: ServiceHttp) -> list[Channel]:
    """The channels the bot was invited to: the ones the member picked for Atom."""
    form = {"types": "public_channel,private_channel", "exclude_archived": "true", "limit": "200"}
    pages = [_typed(body, _Channels) async for body in _pages(http, "users.conversations", form)]
    return [channel for page in pages for channel in page.channels]


async def user_names(http: ServiceHttp) -> dict[str, str]:
    pages = [_typed(body, _Users) async for body in _pages(http, "users.list", {"limit": "200"})]
    return {user.id: _shown(user) for page in pages for user in page.members}


async def history(http: ServiceHttp, channel: str, oldest: str | None, cursor: str | None) -> History:
    form = {"channel": channel, "limit": "100"} | ({"oldest": oldest} if oldest else {})
    form |= {"cursor": cursor} if cursor else {}
    return _typed(await _call(http, "conversations.history", form), History)


async def replies(http: ServiceHttp, channel: str, ts: str, oldest: str | None, cursor: str | None) -> History:
    """A page of the thread under `ts` (the parent first, then its replies after `oldest`)."""
    form = {"channel": channel, "ts": ts, "limit": "100"} | ({"oldest": oldest} if oldest else {})
    form |= {"cursor": cursor} if cursor else {}
    return _typed(await _call(http, "conversations.replies", form), History)


async def _pages(http: ServiceHttp, method: str, form: dict[str, str]) -> Any:
    cursor = ""
    while True:
        body = await _call(http, method, form | ({"cursor": cursor} if cursor else {}))
        yield body
        cursor = (body.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return


async def _call(http: ServiceHttp, method: str, form: dict[str, str]) -> dict[str, Any]:
    response = await http.request("POST", f"api:/api/{method}", data=form)
    try:
        body = response.json()
    except ValueError:
        raise ServiceFailed(f"Slack answered {method} with something that is not JSON") from None
    if not isinstance(body, dict) or response.status_code != 200:
        raise ServiceFailed(f"Slack answered {response.status_code} to {method}")
    if body.get("ok") is not True:
        error = str(body.get("error", "unknown"))[:60]
        if error in _SIGNED_OUT:
            raise SignInNeeded(f"Slack no longer accepts the bot token ({error})")
        if error == "thread_not_found":
            raise ThreadGone("Slack no longer has the thread")
        if error in _LOST:
            raise ChannelLost(f"Slack no longer lets Atom read the channel ({error})")
        raise ServiceFailed(f"Slack refused {method} ({error})")
    return body


def _shown(user: _User) -> str:
    profile = user.profile or _Profile()
    return profile.display_name or profile.real_name or user.name or user.id


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Slack answered in a shape Atom does not know") from None
