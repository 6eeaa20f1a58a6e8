"""Domain events for the live channel: what changed, and who may see it.

Edges publish after a change commits; each signed-in browser holds a
subscription and receives only events whose audience includes its user.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, get_args

import msgspec

__all__ = ["Action", "Event", "EventBus", "EVERYONE", "Topic", "TOPICS"]

EVERYONE = "*"
Action = Literal["created", "updated", "deleted"]
# Every topic Atom publishes, and no other: a test checks that some page listens for each one
# (a region's data-topics, a dashboard panel, or a page module) and listens for none besides.
Topic = Literal[
    "members",
    "sessions",
    "tokens",
    "jobs",
    "prices",
    "ai-keys",
    "ai-preferences",
    "ai-models",
    "ai-usage",
    "conversations",
    "notes",
    "documents",
    "lists",
    "tasks",
    "calendar",
    "reminders",
    "timers",
    "satellites",
    "connections",
]
TOPICS: tuple[Topic, ...] = get_args(Topic)


class Event(msgspec.Struct, frozen=True, kw_only=True):
    topic: Topic
    action: Action
    id: str
    data: Any = None


class EventBus:
    def __init__(self, buffer: int = 256) -> None:
        self._buffer = buffer
        self._subscribers: dict[asyncio.Queue[Event | None], tuple[str, str | None]] = {}
        self._published: Counter[str] = Counter()  # events published so far, per audience member

    def publish(self, event: Event, audience: Iterable[str]) -> None:
        """Deliver to the user ids in `audience` (or everyone for `EVERYONE`)."""
        allowed = set(audience)
        self._published.update(allowed)
        for queue, (user_id, _) in list(self._subscribers.items()):
            if EVERYONE in allowed or user_id in allowed:
                self._offer(queue, event)

    def seen_by(self, user_id: str) -> int:
        """How many events `user_id` could have received so far: a page rendered when this was n,
        whose channel opens when it is more, missed some and must resync. Counts nobody else's."""
        return self._published[user_id] + self._published[EVERYONE]

    def disconnect(self, user_id: str) -> None:
        """End every subscription of a user (disabled, removed, password reset)."""
        for queue, (owner, _) in list(self._subscribers.items()):
            if owner == user_id:
                self._end(queue)

    def disconnect_credential(self, credential_id: str) -> None:
        """End the subscriptions opened with one sign-in or API token (signed out, ended elsewhere, revoked)."""
        for queue, (_, credential) in list(self._subscribers.items()):
            if credential == credential_id:
                self._end(queue)

    async def subscribe(self, user_id: str, credential_id: str | None = None) -> AsyncIterator[Event]:
        """Events for `user_id`, until the subscription is ended (or its credential revoked).

        In place only once iteration starts; a reader that must miss nothing after a given moment
        enters `subscription` at that moment instead."""
        with self.subscription(user_id, credential_id) as events:
            async for event in events:
                yield event

    @contextmanager
    def subscription(self, user_id: str, credential_id: str | None = None) -> Iterator[AsyncIterator[Event]]:
        """`subscribe`'s events, in place as soon as this is entered and until it is left."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(self._buffer)
        self._subscribers[queue] = (user_id, credential_id)
        try:
            yield _until_ended(queue)
        finally:
            self._subscribers.pop(queue, None)

    def _offer(self, queue: asyncio.Queue[Event | None], event: Event) -> None:
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:  # a stalled client: end it; it reconnects and reloads
            self._end(queue)

    def _end(self, queue: asyncio.Queue[Event | None]) -> None:
        """Stop delivering to this subscription; its reader sees the end next."""
        self._subscribers.pop(queue, None)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)


async def _until_ended(queue: asyncio.Queue[Event | None]) -> AsyncIterator[Event]:
    while (event := await queue.get()) is not None:
        yield event
