"""The local model's fair queue on its own (no model): turns rotate between members, limits refuse
with a Retry-After estimated from measured turns, and a request that gives up leaves its place."""

from __future__ import annotations

import asyncio

import pytest

from appliance.ai.providers.local.fair_queue import FairQueue, Ticket
from appliance.errors import ProviderUnavailable, RateLimited

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def served_order(queue: FairQueue, tickets: list[Ticket], names: dict[Ticket, str]) -> list[str]:
    """Run every admitted ticket to the end, one turn at a time; the names in the order served."""
    order = []
    while queue.busy:
        running = next(t for t in tickets if t.granted.done() and t.state.value == "running")
        order.append(names[running])
        queue.leave(running)
    return order


async def test_a_member_who_floods_takes_one_turn_in_each_round() -> None:
    queue = FairQueue(per_member=10, max_waiting=20)
    names: dict[Ticket, str] = {}
    for i in range(6):
        names[queue.enter("ann")] = f"ann{i}"
    names[queue.enter("bob")] = "bob0"
    names[queue.enter("bob")] = "bob1"
    names[queue.enter("cy")] = "cy0"
    order = served_order(queue, list(names), names)
    # ann0 was running when the others arrived; then whoever was served longest ago goes next.
    assert order == ["ann0", "bob0", "cy0", "ann1", "bob1", "ann2", "ann3", "ann4", "ann5"]


async def test_a_newcomer_goes_before_a_member_who_has_just_been_served() -> None:
    queue = FairQueue(per_member=10, max_waiting=20)
    names = {queue.enter("ann"): "ann0", queue.enter("ann"): "ann1", queue.enter("ann"): "ann2"}
    first = next(iter(names))
    queue.leave(first)  # ann1 runs now; ann2 waits
    names[queue.enter("bob")] = "bob0"
    assert served_order(queue, list(names), names) == ["ann1", "bob0", "ann2"]


async def test_members_who_ask_one_at_a_time_cannot_crowd_out_one_who_queued() -> None:
    queue = FairQueue(per_member=10, max_waiting=20)
    names: dict[Ticket, str] = {}
    for i in range(3):
        names[queue.enter("bob")] = f"bob{i}"
    asked = {"ann": 0, "cy": 0}

    def ask_again(member: str) -> None:  # ann and cy ask anew the moment their reply ends
        names[queue.enter(member)] = f"{member}{asked[member]}"
        asked[member] += 1

    ask_again("ann")
    ask_again("cy")
    order = []
    while queue.busy and len(order) < 9:
        running = next(t for t in names if t.state.value == "running")
        order.append(names[running])
        queue.leave(running)
        if running.member != "bob":
            ask_again(running.member)
    assert order == ["bob0", "ann0", "cy0", "bob1", "ann1", "cy1", "bob2", "ann2", "cy2"]


async def test_one_member_keeps_arrival_order() -> None:
    queue = FairQueue(per_member=5, max_waiting=5)
    tickets = [queue.enter("ann") for _ in range(5)]
    names = {t: str(i) for i, t in enumerate(tickets)}
    assert served_order(queue, tickets, names) == ["0", "1", "2", "3", "4"]


async def test_a_member_over_their_limit_is_refused_with_a_wait_from_measured_turns() -> None:
    clock = Clock()
    queue = FairQueue(per_member=2, max_waiting=10, clock=clock, first_guess=10)
    first = queue.enter("ann")
    clock.now = 4.0
    queue.leave(first)  # one turn measured: 4 s, which replaces the guess
    running, waiting = queue.enter("ann"), queue.enter("ann")
    with pytest.raises(RateLimited, match="already have 2 request") as refused:
        queue.enter("ann")
    assert refused.value.retry_after == 4  # ann's running request ends within a turn
    assert refused.value.provider == "local"
    other = queue.enter("bob")  # the limit is per member
    assert queue.waiting == 2 and {running.state.value, waiting.state.value, other.state.value} == {
        "running",
        "waiting",
    }


async def test_a_member_whose_requests_all_wait_is_told_the_turns_ahead_of_them() -> None:
    queue = FairQueue(per_member=1, max_waiting=10, first_guess=3)
    queue.enter("ann")  # running
    queue.enter("bob")
    queue.enter("cy")
    with pytest.raises(RateLimited) as refused:
        queue.enter("cy")
    assert refused.value.retry_after == 3 * 3  # ann's turn, bob's, then cy's own


async def test_the_household_bound_on_waiting_refuses_everyone_alike() -> None:
    queue = FairQueue(per_member=3, max_waiting=2, first_guess=7.2)
    queue.enter("ann")  # running: not waiting
    queue.enter("ann")
    queue.enter("bob")
    with pytest.raises(RateLimited, match="2 request\\(s\\) are waiting") as refused:
        queue.enter("cy")
    assert refused.value.retry_after == 8  # one turn, rounded up
    assert queue.waiting == 2


async def test_no_waiting_room_still_runs_a_request_on_an_idle_model() -> None:
    queue = FairQueue(per_member=1, max_waiting=0)
    ticket = queue.enter("ann")
    await asyncio.wait_for(queue.turn(ticket), 1)
    with pytest.raises(RateLimited):
        queue.enter("bob")
    queue.leave(ticket)
    assert not queue.busy and queue.enter("bob").granted.done()


async def test_a_request_that_stops_waiting_leaves_its_place_and_its_slot() -> None:
    queue = FairQueue(per_member=1, max_waiting=1)
    running = queue.enter("ann")
    waiting = queue.enter("bob")
    waiter = asyncio.create_task(queue.turn(waiting))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    queue.leave(waiting)  # what the provider does when its consumer is cancelled
    assert queue.waiting == 0
    again = queue.enter("bob")  # bob's slot and the waiting room are free again
    queue.leave(running)
    await asyncio.wait_for(queue.turn(again), 1)
    assert queue.busy


async def test_a_turn_granted_as_its_reader_left_is_passed_on() -> None:
    queue = FairQueue(per_member=1, max_waiting=2)
    ann = queue.enter("ann")
    bob = queue.enter("bob")
    cy = queue.enter("cy")
    waiter = asyncio.create_task(queue.turn(bob))
    await asyncio.sleep(0)
    queue.leave(ann)  # bob is granted ...
    waiter.cancel()  # ... but his reader leaves before he resumes
    with pytest.raises(asyncio.CancelledError):
        await waiter
    queue.leave(bob)
    await asyncio.wait_for(queue.turn(cy), 1)
    queue.leave(bob)  # leaving twice changes nothing
    assert queue.busy and queue.waiting == 0


async def test_closing_sends_the_waiting_away_and_waits_for_the_running_turn() -> None:
    queue = FairQueue(per_member=2, max_waiting=4)
    running = queue.enter("ann")
    waiting = queue.enter("bob")
    queue.close()
    with pytest.raises(ProviderUnavailable, match="closed"):
        await queue.turn(waiting)
    with pytest.raises(ProviderUnavailable, match="closed"):
        queue.enter("cy")
    idle = asyncio.create_task(queue.idle())
    await asyncio.sleep(0)
    assert not idle.done()
    queue.leave(running)
    await asyncio.wait_for(idle, 1)
