"""Channels Atom can no longer read: its bot was removed (`not_in_channel`, or the channel no
longer listed among the bot's), or the channel was archived or deleted.

Atom holds only what it can keep current (edits and deletions), and removing the bot is how a
member takes a channel out of Atom's picks: so the messages Atom held from a lost channel leave
Atom and its search at once, the rest of the channels sync on, and for `NOTICE` the connection
names the channel and how to bring it back (invite the bot again, and the next sync reads the
channel whole).
"""

from __future__ import annotations

from datetime import timedelta

from appliance.connectors.services.slack import api, window
from appliance.connectors.session import SyncSession

__all__ = ["NOTICE", "unlisted", "drop", "tell"]

NOTICE = timedelta(days=7)  # how long the connection tells of a lost channel (as window.RECHECK)


def unlisted(session: SyncSession, listed: list[api.Channel]) -> list[api.Channel]:
    """The channels Atom read before that the bot is no longer listed in."""
    ids, known = {channel.id for channel in listed}, session.cursor.get("channels") or {}
    return [api.Channel(id=key, name=(place or {}).get("name", "")) for key, place in known.items() if key not in ids]


async def drop(session: SyncSession, channel: api.Channel) -> None:
    """Forget what Atom held from `channel` (its threads' replies too) and where it had read to."""
    prefix = f"{channel.id}/"
    for remote_id in await session.remote_ids():
        if remote_id.startswith(prefix):
            await session.forget(remote_id)
    channels = {key: place for key, place in (session.cursor.get("channels") or {}).items() if key != channel.id}
    lost = dict(session.cursor.get("lost") or {}) | {channel.id: {"name": channel.name, "at": window.now_ts()}}
    await session.save_cursor(channels=channels, lost=lost)


async def tell(session: SyncSession, read: set[str]) -> None:
    """Name on the connection the channels lost within `NOTICE`; one read again is back."""
    lost = {
        key: found
        for key, found in (session.cursor.get("lost") or {}).items()
        if key not in read and window.order(found.get("at", "0")) > window.order(window.ago(NOTICE))
    }
    await session.save_cursor(lost=lost or None)
    if lost:
        shown = [f"#{found.get('name') or key}" for key, found in sorted(lost.items())]
        names = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
        session.warn(
            f"Atom can no longer read {names} in Slack (its bot was removed, or the channel was archived or"
            " deleted), so the messages it held from there have left Atom; the other channels sync as before.",
            "To bring them back, invite the bot again (type /invite @Atom in the channel; unarchive it first if it"
            " was archived): the next sync reads the channel whole.",
        )
