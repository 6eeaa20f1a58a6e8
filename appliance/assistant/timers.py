"""Kitchen timers: short, per member, kept in the server's memory (a restart forgets them;
reminders, which must survive one, live in the organizer).

When one rings, the member's pages hear a `timers` event and the ring hooks run (voice
satellites register one to announce it in the room the timer was set from).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from appliance.events import Action, Event, EventBus

__all__ = ["Timer", "TimerBoard", "RingHook"]


@dataclass
class Timer:
    id: int
    user_id: str
    label: str
    seconds: int
    room: str | None
    ends_at: float  # time.monotonic()
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def remaining(self) -> int:
        return max(0, round(self.ends_at - time.monotonic()))


RingHook = Callable[[Timer], None]


class TimerBoard:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._timers: dict[int, Timer] = {}
        self._ids = itertools.count(1)
        self.ring_hooks: list[RingHook] = []

    def start(self, user_id: str, seconds: int, label: str = "", room: str | None = None) -> Timer:
        timer = Timer(next(self._ids), user_id, label, seconds, room, time.monotonic() + seconds)
        timer.task = asyncio.get_running_loop().create_task(self._ring_after(timer))
        self._timers[timer.id] = timer
        self._publish(timer, "created")
        return timer

    def running(self, user_id: str) -> list[Timer]:
        return sorted((t for t in self._timers.values() if t.user_id == user_id), key=lambda t: t.ends_at)

    def cancel(self, user_id: str, label: str = "") -> list[Timer]:
        """Cancel the member's timers (those with this label, or all when none is given)."""
        chosen = [t for t in self.running(user_id) if not label or t.label == label]
        for timer in chosen:
            self._timers.pop(timer.id, None)
            if timer.task is not None:
                timer.task.cancel()
            self._publish(timer, "deleted")
        return chosen

    async def _ring_after(self, timer: Timer) -> None:
        await asyncio.sleep(timer.seconds)
        self._timers.pop(timer.id, None)
        self._publish(timer, "updated")  # "updated" with remaining 0: ringing
        for hook in self.ring_hooks:
            hook(timer)

    def _publish(self, timer: Timer, action: Action) -> None:
        data = {"label": timer.label, "seconds": timer.seconds, "remaining": timer.remaining, "room": timer.room}
        self._bus.publish(Event(topic="timers", action=action, id=str(timer.id), data=data), [timer.user_id])
