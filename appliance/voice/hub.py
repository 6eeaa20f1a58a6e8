"""The satellites connected now, and what reaches them unasked: ringing timers and reminders.

A timer rings on the satellites of the identity that set it, in the room it was set from when
one of them stands there (else on all of them). A reminder is a member's own: it is spoken only
on satellites paired to that member, never on a household one, where anyone could hear it.
"""

from __future__ import annotations

import logging

from appliance.assistant.timers import Timer
from appliance.events import Event, EventBus
from appliance.organizer.reminders.shapes import FiredReminder
from appliance.voice.pipeline import SatelliteSession
from appliance.voice.satellites import audience

__all__ = ["SatelliteHub", "TIMER_RINGS"]

log = logging.getLogger("appliance.voice")
TIMER_RINGS = 3  # a timer repeats this often unless someone says "stop"


class SatelliteHub:
    def __init__(self, bus: EventBus | None = None) -> None:
        self._sessions: dict[str, SatelliteSession] = {}
        self._bus = bus

    def _publish(self, session: SatelliteSession, connected: bool) -> None:
        """A paired satellite came or went (a browser talking to Atom is no satellite: not told)."""
        if self._bus is None or session.identity.principal.via != "satellite":
            return
        satellite = session.identity.satellite
        event = Event(topic="satellites", action="updated", id=satellite.id, data={"connected": connected})
        self._bus.publish(event, audience(satellite))

    def join(self, session: SatelliteSession) -> SatelliteSession | None:
        """Register a connected satellite; returns the session it replaces (a reconnect), if any."""
        key = session.identity.satellite.id
        previous = self._sessions.get(key)
        self._sessions[key] = session
        self._publish(session, True)
        return previous

    def leave(self, session: SatelliteSession) -> None:
        key = session.identity.satellite.id
        if self._sessions.get(key) is session:
            del self._sessions[key]
            self._publish(session, False)

    def connected(self) -> set[str]:
        return set(self._sessions)

    def session(self, satellite_id: str) -> SatelliteSession | None:
        return self._sessions.get(satellite_id)

    def of(self, user_id: str) -> list[SatelliteSession]:
        return [s for s in self._sessions.values() if s.identity.principal.user_id == user_id]

    def ring(self, timer: Timer) -> None:
        """A timer's ring hook (called on the event loop)."""
        sessions = self.of(timer.user_id)
        in_room = [s for s in sessions if timer.room is not None and s.identity.satellite.room == timer.room]
        text = f"Your {timer.label} timer is done." if timer.label else f"Your {_spoken(timer.seconds)} timer is done."
        for session in in_room or sessions:
            session.announce(text, "timer", rings=TIMER_RINGS)

    async def remind(self, reminder: FiredReminder) -> None:
        """A reminder announcer: the member's own satellites say it once."""
        for session in self.of(reminder.user_id):
            if session.identity.satellite.user_id == reminder.user_id:
                session.announce(f"Reminder: {reminder.title}", "reminder")


def _spoken(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    if minutes and not secs:
        return f"{minutes} minute"
    return f"{seconds} second"
