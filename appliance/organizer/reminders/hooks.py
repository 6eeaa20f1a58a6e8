"""Who else hears a reminder fire: announcers, such as the voice satellites that will speak it.

The live channel reaches the member's open pages; an announcer is any async function given each
fired reminder. One that fails, or takes longer than ANNOUNCE_SECONDS, is logged and skipped: the
others, and the member's pages, still hear, and the delivery ends well inside its lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from appliance.organizer.reminders.shapes import FiredReminder

__all__ = ["Announcer", "ReminderAnnouncers", "ANNOUNCE_SECONDS"]

Announcer = Callable[[FiredReminder], Awaitable[object]]
log = logging.getLogger("appliance.organizer")
ANNOUNCE_SECONDS = 20.0


class ReminderAnnouncers:
    def __init__(self) -> None:
        self._announcers: list[Announcer] = []

    def add(self, announcer: Announcer) -> None:
        self._announcers.append(announcer)

    def remove(self, announcer: Announcer) -> None:
        self._announcers.remove(announcer)

    async def announce(self, reminder: FiredReminder) -> None:
        for announcer in list(self._announcers):
            try:
                async with asyncio.timeout(ANNOUNCE_SECONDS):
                    await announcer(reminder)
            except Exception:  # noqa: BLE001 - one broken satellite must not silence the rest
                log.exception("a reminder announcer failed for reminder %s", reminder.id)
