"""Core calls a few at a time, with a first lane for requests that must answer within 3 s.

A modal opens (``views.open``) only with the ``trigger_id`` of the command or button
press that asked for it, and Slack lets that id expire 3 seconds after. A bare command
(``/defect`` opens the defect form) or a button press waiting its turn behind a backlog
of other core calls would miss it, so those go in the first lane: a call there takes the
next free slot before any call waiting in the second lane, and the first lane has one
slot of its own, so it never waits for a slow call of the second lane to end. Within a
lane, calls are served in the order they came.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

_OWN, _SHARED = "own", "shared"


class CoreLanes:
    """``slots`` shared slots, plus one that only first-lane calls use."""

    def __init__(self, slots: int):
        self._free = {_SHARED: slots, _OWN: 1}
        self._waiting: tuple[deque[asyncio.Future], deque[asyncio.Future]] = (deque(), deque())

    @contextlib.asynccontextmanager
    async def slot(self, *, first: bool) -> AsyncIterator[None]:
        kind = await self._take(first)
        try:
            yield
        finally:
            self._give(kind)

    def waiting(self) -> tuple[int, int]:
        """How many calls wait in each lane (first, second)."""
        return tuple(sum(not f.done() for f in queue) for queue in self._waiting)

    async def _take(self, first: bool) -> str:
        if first and self._free[_OWN]:
            self._free[_OWN] -= 1
            return _OWN
        if self._free[_SHARED] and not self._anyone_ahead(first):
            self._free[_SHARED] -= 1
            return _SHARED
        turn = asyncio.get_running_loop().create_future()
        self._waiting[0 if first else 1].append(turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give(turn.result())  # handed a slot just as it was cancelled
            raise

    def _anyone_ahead(self, first: bool) -> bool:
        """Whether a call waits that this one must not pass: O(1) amortised.

        A queue is trimmed of the calls at its head that are done (cancelled while
        waiting); after that, its head waits iff anything in it does. (Copying the queues
        here kept one copy alive per waiting call: memory and time grew with the square
        of a burst.)"""
        for queue in self._waiting[:1] if first else self._waiting:
            while queue and queue[0].done():
                queue.popleft()
            if queue:
                return True
        return False

    def _give(self, kind: str) -> None:
        """Hand the slot to the longest-waiting call that may use it, else free it."""
        lanes = self._waiting[:1] if kind == _OWN else self._waiting
        for queue in lanes:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(kind)
                    return
        self._free[kind] += 1
