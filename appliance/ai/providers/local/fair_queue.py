"""Fair turns at the one local model: a queue per member, a bound on waiting, no member starved.

When the model frees up, the next turn goes to the waiting member served longest ago (a member
never served counts as the longest ago), so a member who floods the queue takes one turn in every
round, not every turn in a row, and members who ask one at a time cannot crowd it out either.
Within a member, requests keep their arrival order. A member may hold at most `per_member`
requests (waiting or running), and at most `max_waiting` requests wait in all; past either limit
a request is refused at once with RateLimited, whose `retry_after` estimates when there will be
room from the turns measured so far.

A running turn ends when its generation thread lets go of the model, not when its reader
leaves: a member's slot is taken until then, so hanging up and asking again gains nothing.
Everything here runs on the event loop; there are no locks.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from enum import Enum

from appliance.errors import ProviderUnavailable, RateLimited

__all__ = ["FairQueue", "Ticket"]

FIRST_GUESS_SECONDS = 10.0  # a turn's length before any has been measured
SMOOTHING = 0.3  # weight of the latest turn in the running average


class _State(Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"


class Ticket:
    """One admitted request's place: waiting, then running, then done."""

    def __init__(self, member: str, number: int, granted: asyncio.Future[None]) -> None:
        self.member, self.number, self.granted = member, number, granted
        self.state = _State.WAITING

    def __repr__(self) -> str:
        return f"Ticket(#{self.number}, {self.state.value})"


class FairQueue:
    def __init__(
        self,
        per_member: int,
        max_waiting: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        first_guess: float = FIRST_GUESS_SECONDS,
    ) -> None:
        self.per_member, self.max_waiting = per_member, max_waiting
        self._clock, self._turn_seconds, self._measured = clock, first_guess, False
        self._numbers = itertools.count()
        self._waiting: dict[str, deque[Ticket]] = {}  # only members with a waiting request
        self._held: Counter[str] = Counter()  # requests each member has waiting or running
        self._last_turn: dict[str, int] = {}  # member -> number of their latest turn (one entry per member)
        self._turns = 0
        self._running: Ticket | None = None
        self._started = 0.0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @property
    def busy(self) -> bool:
        """A request holds the model."""
        return self._running is not None

    @property
    def waiting(self) -> int:
        return sum(len(queue) for queue in self._waiting.values())

    def enter(self, member: str) -> Ticket:
        """Admit a request now, or refuse it with RateLimited (or ProviderUnavailable once closed)."""
        if self._closed:
            raise ProviderUnavailable("the local provider has been closed", provider="local")
        self._refuse_if_full(member)
        ticket = Ticket(member, next(self._numbers), asyncio.get_running_loop().create_future())
        self._held[member] += 1
        self._waiting.setdefault(member, deque()).append(ticket)
        self._next()
        return ticket

    async def turn(self, ticket: Ticket) -> None:
        """Wait until `ticket` holds the model. A caller cancelled here must still `leave`."""
        await ticket.granted

    def leave(self, ticket: Ticket) -> None:
        """`ticket` is done with: its turn ended, or it gave up waiting. Safe to call twice."""
        if ticket.state is _State.RUNNING:
            self._end_turn()
        elif ticket.state is _State.WAITING:
            self._drop_waiting(ticket)
        else:
            return
        ticket.state = _State.DONE
        self._release(ticket.member)
        self._next()

    def close(self) -> None:
        """Refuse new requests and send the waiting ones away; the running turn finishes."""
        self._closed = True
        for queue in list(self._waiting.values()):
            for ticket in list(queue):
                if not ticket.granted.done():
                    ticket.granted.set_exception(ProviderUnavailable("the local provider was closed", provider="local"))
                self.leave(ticket)

    async def idle(self) -> None:
        """Return once no request holds the model."""
        await self._idle.wait()

    def _refuse_if_full(self, member: str) -> None:
        if self._held[member] >= self.per_member:
            raise RateLimited(
                f"you already have {self._held[member]} request(s) for the local model; "
                "wait for a reply before asking again",
                provider="local",
                retry_after=self._seconds_for(self._turns_until_free(member)),
            )
        if self.busy and self.waiting >= self.max_waiting:
            raise RateLimited(
                f"the local model is busy and {self.waiting} request(s) are waiting for it; try again shortly",
                provider="local",
                retry_after=self._seconds_for(1),  # when this turn ends, a waiting request starts
            )

    def _next(self) -> None:
        """Give a free model to the waiting member served longest ago."""
        if self._running is not None or not self._waiting:
            return
        member = min(self._waiting, key=self._priority)
        queue = self._waiting[member]
        ticket = queue.popleft()
        if not queue:
            del self._waiting[member]
        self._turns += 1
        self._last_turn[member] = self._turns
        ticket.state, self._running, self._started = _State.RUNNING, ticket, self._clock()
        self._idle.clear()
        if not ticket.granted.done():  # a reader cancelled in the same instant still gets the turn, and must leave
            ticket.granted.set_result(None)

    def _priority(self, member: str) -> tuple[int, int]:
        return self._last_turn.get(member, 0), self._waiting[member][0].number

    def _end_turn(self) -> None:
        took = self._clock() - self._started
        weight = SMOOTHING if self._measured else 1.0  # the first real turn replaces the guess
        self._turn_seconds += weight * (took - self._turn_seconds)
        self._measured = True
        self._running = None
        self._idle.set()

    def _drop_waiting(self, ticket: Ticket) -> None:
        queue = self._waiting[ticket.member]
        queue.remove(ticket)
        if not queue:
            del self._waiting[ticket.member]

    def _release(self, member: str) -> None:
        self._held[member] -= 1
        if self._held[member] <= 0:
            del self._held[member]

    def _turns_until_free(self, member: str) -> int:
        """Turns until one of `member`'s requests is done: theirs if running, else after those served first."""
        if self._running is not None and self._running.member == member:
            return 1
        ahead = sorted(self._waiting, key=self._priority).index(member) if member in self._waiting else 0
        return 1 + ahead + 1

    def _seconds_for(self, turns: int) -> int:
        return max(1, math.ceil(turns * self._turn_seconds))
