"""Telling the open pages that an organizer row changed: the one rule for the routes, the
assistant's tools and connectors alike."""

from __future__ import annotations

from appliance.events import Action, Event, EventBus, Topic
from appliance.organizer.scope import audience

__all__ = ["announce"]


def announce(bus: EventBus, topic: Topic, action: Action, item_id: str, owner: str | None) -> None:
    """No data in the event: the pages that hear it fetch again, as whoever they are signed in as."""
    bus.publish(Event(topic=topic, action=action, id=item_id), audience(owner))
