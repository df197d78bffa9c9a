"""The request slots' decisions, as pure asyncio (no network): which waiting host a freed slot goes
to, that neither limit is passed, and that a cancelled waiter neither keeps nor loses a slot.

``_Slots`` is private to net/fetch.py; it is tested here directly because the loopback tests can
show its effects only through timing, and mutation testing found decisions they do not pin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from citecheck.net.fetch import _Host, _Slots


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), timeout=5))  # bounded: a lost slot fails, not hangs


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_freed_slot_goes_to_the_waiting_host_with_most_fetches_left() -> None:
    async def scenario() -> None:
        slots = _Slots(per_host=2, overall=1)
        holder, small, big = _Host(pending=1), _Host(pending=2), _Host(pending=9)
        await slots.acquire(holder)
        # The small host asked first; the big one has more fetches left.
        small_turn = asyncio.create_task(slots.acquire(small))
        await settle()
        big_turn = asyncio.create_task(slots.acquire(big))
        await settle()
        slots.release(holder)
        await settle()
        assert big_turn.done() and not small_turn.done()
        slots.release(big)
        await settle()
        assert small_turn.done()

    run(scenario)


def test_a_host_never_gets_more_than_its_per_host_slots_from_stale_turns() -> None:
    async def scenario() -> None:
        slots = _Slots(per_host=1, overall=2)
        first, second, busy = _Host(pending=1), _Host(pending=1), _Host(pending=5)
        await slots.acquire(first)
        await slots.acquire(second)
        # Two waiters of one host queue it twice for the next free slot.
        turns = [asyncio.create_task(slots.acquire(busy)) for _ in range(2)]
        await settle()
        slots.release(first)
        await settle()
        assert [turn.done() for turn in turns] == [True, False]
        slots.release(second)  # a free slot, but the busy host is at its one slot
        await settle()
        assert [turn.done() for turn in turns] == [True, False]
        assert (busy.active, slots._free) == (1, 1)
        slots.release(busy)
        await settle()
        assert turns[1].done()

    run(scenario)


@pytest.mark.parametrize("cleanup_ran", [True, False], ids=["left-the-queue", "still-queued"])
def test_a_waiter_cancelled_in_the_queue_keeps_no_slot(cleanup_ran: bool) -> None:
    # Its task's cleanup takes it out of the queue; before that runs, release() skips it.
    async def scenario() -> None:
        slots = _Slots(per_host=1, overall=1)
        holder, host = _Host(pending=1), _Host(pending=3)
        await slots.acquire(holder)
        gone = asyncio.create_task(slots.acquire(host))
        staying = asyncio.create_task(slots.acquire(host))
        await settle()
        gone.cancel()
        if cleanup_ran:
            await settle()
            assert len(host.waiters) == 1  # only the one still waiting
        slots.release(holder)
        await settle()
        assert gone.cancelled()
        assert staying.done() and host.active == 1 and not host.waiters

    run(scenario)


def test_a_waiter_cancelled_as_it_is_handed_a_slot_passes_the_slot_on() -> None:
    async def scenario() -> None:
        slots = _Slots(per_host=1, overall=1)
        holder, host, other = _Host(pending=1), _Host(pending=3), _Host(pending=2)
        await slots.acquire(holder)
        handed = asyncio.create_task(slots.acquire(host))
        await settle()
        next_in_line = asyncio.create_task(slots.acquire(other))
        await settle()
        slots.release(holder)  # the slot goes to ``handed``, whose task has not run yet
        handed.cancel()
        await settle()
        assert handed.cancelled()
        assert next_in_line.done() and (host.active, other.active) == (0, 1)

    run(scenario)


def test_slots_freed_together_are_all_free_again() -> None:
    async def scenario() -> None:
        slots = _Slots(per_host=2, overall=2)
        one, two = _Host(pending=1), _Host(pending=1)
        await slots.acquire(one)
        await slots.acquire(two)
        slots.release(one)
        slots.release(two)
        later = [_Host(pending=1), _Host(pending=1)]
        for host in later:
            await asyncio.wait_for(slots.acquire(host), timeout=1)  # both at once, no wait
        assert [host.active for host in later] == [1, 1]

    run(scenario)
