"""A form opens before queued work: its trigger_id expires 3 s after the command.

Slack opens a modal (views.open) only with the trigger_id of the command or button that
asked for it, within 3 seconds. A bare ``/defect`` waiting behind a backlog of other
core calls would miss it; it passes that backlog instead (``adapters/slack/lanes.py``).
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from adapters.slack.lanes import CoreLanes
from adapters.slack.listeners import Delivery
from tests.slack.helpers import defects

BACKLOG = 6


async def _until(condition, what: str) -> None:
    """Let the app's tasks run until ``condition()`` holds (they need no time, only turns)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def test_the_defect_form_opens_while_a_backlog_of_commands_waits(slack, api, engine):
    lanes = slack.adapter.lanes
    async with contextlib.AsyncExitStack() as busy:
        # Every shared core slot is taken, as by slow calls of a busy practice...
        for _ in range(slack.adapter.settings.core_concurrency):
            await busy.enter_async_context(lanes.slot(first=False))
        # ...and commands queue behind them.
        for n in range(BACKLOG):
            response = await slack.command(f"/defect arrival: waited {n} minutes", drain=False)
            assert response.status == 200
        await _until(lambda: lanes.waiting() == (0, BACKLOG), "the backlog queued")

        response = await slack.command("/defect", user="U7", drain=False)

        assert response.status == 200
        [opened] = await api.wait_for("views.open")
        assert opened["trigger_id"] == f"{BACKLOG + 1}.1.trigger"
        assert api.calls_to("response_url") == []  # none of the backlog was answered yet
        assert lanes.waiting() == (0, BACKLOG)
    await slack.adapter.drained()
    # The backlog is done after, every command of it.
    assert sorted(d.description for d in defects(engine)) == [
        f"waited {n} minutes" for n in range(BACKLOG)
    ]


async def test_a_command_with_text_waits_its_turn(slack, api, engine):
    lanes = slack.adapter.lanes
    async with contextlib.AsyncExitStack() as busy:
        for _ in range(slack.adapter.settings.core_concurrency):
            await busy.enter_async_context(lanes.slot(first=False))
        await slack.command("/defect arrival: waited", drain=False)
        await _until(lambda: lanes.waiting() == (0, 1), "the command queued")
        assert defects(engine) == []
    await slack.adapter.drained()
    assert len(defects(engine)) == 1


@pytest.mark.parametrize(
    ("body", "first"),
    [
        ({"command": "/defect", "text": "", "trigger_id": "1.t"}, True),
        ({"command": "/defect", "text": "  ", "trigger_id": "1.t"}, True),
        ({"command": "/defect", "text": "list", "trigger_id": "1.t"}, False),
        ({"type": "block_actions", "trigger_id": "1.t"}, True),
        ({"type": "view_submission", "trigger_id": "1.t"}, False),
        ({"type": "event_callback", "event": {"type": "reaction_added"}}, False),
        ({"command": "/defect", "text": ""}, False),  # no trigger_id: nothing to open
    ],
)
def test_what_passes_the_queue(body, first):
    assert Delivery(body, {}, None, None).needs_its_trigger is first


async def test_a_first_lane_call_takes_the_next_free_slot_before_earlier_ones():
    lanes = CoreLanes(1)
    order: list[str] = []

    async def call(name: str, first: bool, hold: asyncio.Event | None = None):
        async with lanes.slot(first=first):
            order.append(name)
            if hold is not None:
                await hold.wait()

    release_shared, release_own = asyncio.Event(), asyncio.Event()
    shared = asyncio.create_task(call("slow", False, release_shared))
    await _until(lambda: order == ["slow"], "slow started")
    own = asyncio.create_task(call("form 1", True, release_own))  # the first lane's own slot
    await _until(lambda: order == ["slow", "form 1"], "form 1 started at once")
    later = [asyncio.create_task(call(f"queued {n}", False)) for n in range(2)]
    await _until(lambda: lanes.waiting() == (0, 2), "two queued")
    form_2 = asyncio.create_task(call("form 2", True))
    await _until(lambda: lanes.waiting() == (1, 2), "form 2 queued")

    release_shared.set()
    await asyncio.gather(shared, form_2, *later)
    release_own.set()
    await own

    assert order == ["slow", "form 1", "form 2", "queued 0", "queued 1"]


async def test_a_cancelled_wait_gives_its_slot_back():
    lanes = CoreLanes(1)
    hold = asyncio.Event()

    async def holder():
        async with lanes.slot(first=False):
            await hold.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(holder())
    await _until(lambda: lanes.waiting() == (0, 1), "queued")
    waiting.cancel()
    hold.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await waiting
    async with lanes.slot(first=False):  # the slot is free again
        assert lanes.waiting() == (0, 0)


async def test_a_call_after_cancelled_waiters_takes_the_free_slot_at_once():
    lanes = CoreLanes(1)
    hold = asyncio.Event()

    async def holder():
        async with lanes.slot(first=False):
            await hold.wait()

    busy = asyncio.create_task(holder())
    await asyncio.sleep(0)
    gone = [asyncio.create_task(holder()) for _ in range(3)]
    await _until(lambda: lanes.waiting() == (0, 3), "queued")
    for task in gone:
        task.cancel()
    await asyncio.gather(*gone, return_exceptions=True)
    hold.set()
    await busy
    async with lanes.slot(first=False):  # nobody real is ahead: no wait
        assert lanes.waiting() == (0, 0)


async def _held_by_waiters(count: int) -> int:
    """Bytes still allocated by the lanes while ``count`` calls wait for one slot."""
    import tracemalloc

    lanes = CoreLanes(1)
    hold = asyncio.Event()

    async def holder():
        async with lanes.slot(first=False):
            await hold.wait()

    tracemalloc.start()
    try:
        tasks = [asyncio.create_task(holder()) for _ in range(count + 1)]
        await _until(lambda: lanes.waiting() == (0, count), "queued")
        where = tracemalloc.Filter(True, "*adapters/slack/lanes.py")
        held = tracemalloc.take_snapshot().filter_traces([where])
        size = sum(stat.size for stat in held.statistics("filename"))
    finally:
        tracemalloc.stop()
        hold.set()
        await asyncio.gather(*tasks)
    return size


async def test_a_burst_of_waiting_calls_holds_memory_in_proportion_not_its_square():
    """Each waiting call keeps only its own turn (a copy of the queue per waiter grew with
    the square of a burst: 65 MiB after 10,000 commands)."""
    small, large = await _held_by_waiters(400), await _held_by_waiters(1600)
    assert large < 6 * small  # four times the calls: about four times the memory, not 16
