"""Slack messages as searchable records of the member's own, each with its permalink (dated by
their last edit). A thread's reply is tied to its parent: its id and link name the parent, and
its text carries the parent's opening line, so "yes, Thursday" is found with what it answers."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.connectors.base import RemoteRecord
from appliance.connectors.services.slack.api import Channel, Message

__all__ = ["KEPT_SUBTYPES", "kept", "as_record", "as_reply", "remote_id", "reply_id", "thread_of"]

# What people wrote; joins, leaves, topic changes and the like are left out.
KEPT_SUBTYPES = {None, "bot_message", "me_message", "thread_broadcast", "file_share"}


def kept(message: Message) -> bool:
    return message.subtype in KEPT_SUBTYPES and bool(message.text.strip())


def as_record(team_url: str, channel: Channel, message: Message, names: dict[str, str]) -> RemoteRecord:
    """A message in the channel's history (a reply also sent to the channel links to its thread)."""
    return RemoteRecord(
        remote_id=remote_id(channel.id, message.ts),
        title=f"{_who(message, names)} in #{channel.name or channel.id}: {_opening(message.text)}",
        text=message.text,
        url=_link(team_url, channel.id, message.ts, thread_of(message)),
        updated_at=_moment(message.edited.ts if message.edited else message.ts),
    )


def as_reply(team_url: str, channel: Channel, parent: Message, reply: Message, names: dict[str, str]) -> RemoteRecord:
    """A reply in `parent`'s thread (the parent as history shows it: a tombstone says nothing)."""
    answered = f"\n\nIn reply to {_who(parent, names)}: {_opening(parent.text)}" if kept(parent) else ""
    return RemoteRecord(
        remote_id=reply_id(channel.id, parent.ts, reply.ts),
        title=f"{_who(reply, names)} in a #{channel.name or channel.id} thread: {_opening(reply.text)}",
        text=reply.text + answered,
        url=_link(team_url, channel.id, reply.ts, parent.ts),
        updated_at=_moment(reply.edited.ts if reply.edited else reply.ts),
    )


def remote_id(channel_id: str, ts: str) -> str:
    return f"{channel_id}/{ts}"


def reply_id(channel_id: str, parent_ts: str, ts: str) -> str:
    """A reply's id starts with its parent's, so a thread's replies go with it."""
    return f"{channel_id}/{parent_ts}/{ts}"


def thread_of(message: Message) -> str | None:
    """The parent's `ts` of a message in a thread other than the parent itself."""
    return message.thread_ts if message.thread_ts and message.thread_ts != message.ts else None


def _link(team_url: str, channel_id: str, ts: str, thread: str | None) -> str:
    """Slack's permalink; a reply's names its thread, so Slack opens it there."""
    url = f"{team_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    return f"{url}?thread_ts={thread}&cid={channel_id}" if thread else url


def _who(message: Message, names: dict[str, str]) -> str:
    return names.get(message.user or "", "") or message.username or message.user or "someone"


def _opening(text: str) -> str:
    """The message's first line, cut at a word near 80 characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 80 else line[:80].rsplit(" ", 1)[0] + "…"


def _moment(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError):
        return datetime.now(UTC)
