"""Slack messages as searchable records of the member's own, each with its permalink (dated by
their last edit)."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.connectors.base import RemoteRecord
from appliance.connectors.services.slack.api import Channel, Message

__all__ = ["KEPT_SUBTYPES", "kept", "as_record", "remote_id"]

# What people wrote; joins, leaves, topic changes and the like are left out.
KEPT_SUBTYPES = {None, "bot_message", "me_message", "thread_broadcast", "file_share"}


def kept(message: Message) -> bool:
    return message.subtype in KEPT_SUBTYPES and bool(message.text.strip())


def as_record(team_url: str, channel: Channel, message: Message, names: dict[str, str]) -> RemoteRecord:
    who = names.get(message.user or "", "") or message.username or message.user or "someone"
    when = _moment(message.edited.ts if message.edited else message.ts)
    return RemoteRecord(
        remote_id=remote_id(channel.id, message.ts),
        title=f"{who} in #{channel.name or channel.id}: {_opening(message.text)}",
        text=message.text,
        url=f"{team_url.rstrip('/')}/archives/{channel.id}/p{message.ts.replace('.', '')}",
        updated_at=when,
    )


def remote_id(channel_id: str, ts: str) -> str:
    return f"{channel_id}/{ts}"


def _opening(text: str) -> str:
    """The message's first line, cut at a word near 80 characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 80 else line[:80].rsplit(" ", 1)[0] + "…"


def _moment(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError):
        return datetime.now(UTC)
