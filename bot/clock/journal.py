"""The fan-out's steps written to the claims as they happen, in small group commits.

Each post is marked ``sending`` just before its platform call and its outcome is
written just after, so a clock killed part-way leaves only the posts in flight
uncertain; rows it never started stay ``claimed`` and go out on the next run. Posts
that start (or finish) while a write is under way share the next write: a handful
of round trips per hundred posts, never one per post, and never more than the
posts in flight at risk.
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import to_thread
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.clock.fanout import Delivery
from bot.storage.clock import Claims, Outcome, mark_sending, record_outcomes
from bot.storage.db import transaction

log = logging.getLogger("huddle.clock")


class Journal:
    """``await starting(delivery)`` before a post, ``await finished(outcome)`` after it."""

    def __init__(
        self,
        engine: sa.Engine,
        claims: Claims,
        *,
        job: str,
        now: datetime,
        send_timeout: float,
        elapsed: Callable[[], float],
    ):
        self.engine = engine
        self.claims = claims
        self.job = job
        self.now = now  # the run's time: its claims' ``claimed_at``
        self.send_timeout = send_timeout
        self.elapsed = elapsed  # seconds since the run began (attempt times)
        self._marks: list[tuple[Delivery, asyncio.Future[bool]]] = []
        self._outcomes: list[Outcome] = []
        self._unwritten: list[Outcome] = []  # failed to write: tried again with the next
        self._writer: asyncio.Task | None = None
        # The ``next_attempt_at`` of each row this run holds ``sending``: to start it
        # again (after a 429), the row must still hold it, else another clock took it.
        self._leases: dict[int, datetime] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def starting(self, delivery: Delivery) -> bool:
        """Mark the delivery's row ``sending`` (again, after a 429: its hold is renewed);
        False when it is no longer this run's."""
        if delivery.lease is not None:
            self._leases.setdefault(delivery.row_id, delivery.lease)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._marks.append((delivery, future))
        self._kick()
        return await future

    async def finished(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        self._kick()
        await self.drained()

    async def drained(self) -> None:
        while not self._idle.is_set():
            await self._idle.wait()

    async def close(self, last: list[Outcome]) -> None:
        """Write ``last`` and everything pending; raises if results stay unwritten."""
        await self.drained()
        self._outcomes.extend(last)
        for _ in range(3):
            if not (self._outcomes or self._unwritten):
                return
            self._kick()
            await self.drained()
        if self._unwritten:
            raise RuntimeError(
                f"{self.job}: {len(self._unwritten)} result(s) could not be recorded"
            )

    def _kick(self) -> None:
        if self._writer is None:
            self._idle.clear()
            self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def _write_all(self) -> None:
        try:
            while self._marks or self._outcomes:
                marks, self._marks = self._marks, []
                outcomes = self._unwritten + self._outcomes
                self._unwritten, self._outcomes = [], []
                try:
                    mine, until = await to_thread(self._write, marks, outcomes)
                    self._leases.update(dict.fromkeys(mine, until))
                except Exception:
                    # Keep posting: a database hiccup must not stop the fan-out. Posts
                    # not marked are not sent (their rows stay claimed for a later run);
                    # results are written with the next group.
                    log.exception(
                        "%s: could not record %d start(s) and %d result(s); trying again",
                        self.job,
                        len(marks),
                        len(outcomes),
                    )
                    mine = set()
                    self._unwritten = outcomes + self._unwritten
                    if not marks:
                        break  # only results: tried again by the next finished() or close()
                for delivery, future in marks:
                    if not future.done():
                        future.set_result(delivery.row_id in mine)
        finally:
            self._writer = None
            self._idle.set()

    def _write(
        self, marks: list[tuple[Delivery, asyncio.Future[bool]]], outcomes
    ) -> tuple[set[int], datetime]:
        at = self.now + timedelta(seconds=self.elapsed())
        until = at + timedelta(seconds=self.send_timeout)
        mine: set[int] = set()
        with transaction(self.engine) as session:
            if outcomes:
                record_outcomes(
                    session=session, claims=self.claims, outcomes=outcomes, now=self.now
                )
            if marks:
                leases = self._leases
                held = {d.row_id: leases[d.row_id] for d, _ in marks if d.row_id in leases}
                mine = mark_sending(
                    session=session,
                    claims=self.claims,
                    claimed=[d.row_id for d, _ in marks if d.row_id not in held],
                    held=held,
                    claimed_at=self.now,
                    until=until,
                )
        return mine, until
