"""The fan-out's steps written to the claims as they happen, in a few large writes.

A row is marked ``sending`` before its platform call and its outcome is written
after, so a clock killed part-way leaves rows ``claimed`` (never started: sent by the
next run) or ``sending`` (maybe posted: looked for by the next run, never blindly
resent). A mark holds its row for the send timeout and a quarter more (``AHEAD``): a
post may start without another write while its mark is less than that quarter old,
and a post's answer comes within the send timeout, so the hold always covers it.

Where the platform can say whether a post exists (``Messenger.find``: Slack), the
journal marks up to ``batch`` of the next rows at once, ahead of their posts, and
writes their outcomes in groups of ``batch`` (or after ``FLUSH_SECONDS``): a handful
of writes for ten thousand posts. A crash then leaves up to ``batch`` rows to be
looked for instead of only the posts in flight; none is lost or posted twice. Where
it cannot (Teams: an uncertain post is given up), each row is marked just before its
post and its outcome written at once, as posts start and finish (group commits).
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import to_thread
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.clock.fanout import Delivery
from bot.storage.clock import Claims, Outcome, mark_sending, record_outcomes
from bot.storage.db import transaction

log = logging.getLogger("huddle.clock")

AHEAD = 0.25  # of the send timeout: how long a mark may wait for its post to start
FLUSH_SECONDS = 1.0  # outcomes waiting for a group are written after at most this


class Journal:
    """``await starting(delivery)`` before a post, ``await finished(outcome)`` after it.

    ``ahead``: the deliveries that may be marked ahead of their post (their platform can
    find a post whose answer was lost), in the order they are expected to start.
    """

    def __init__(
        self,
        engine: sa.Engine,
        claims: Claims,
        *,
        job: str,
        now: datetime,
        send_timeout: float,
        elapsed: Callable[[], float],
        ahead: Iterable[Delivery] = (),
        batch: int = 500,
    ):
        self.engine = engine
        self.claims = claims
        self.job = job
        self.now = now  # the run's time: its claims' ``claimed_at``
        self.send_timeout = send_timeout
        self.window = AHEAD * send_timeout
        self.elapsed = elapsed  # seconds since the run began (attempt times)
        self.batch = max(1, batch)
        self._ahead = deque(ahead)
        self._grouped = {d.row_id for d in self._ahead}  # outcomes written in groups
        self._marks: list[tuple[Delivery, asyncio.Future[bool]]] = []
        self._outcomes: list[Outcome] = []
        self._unwritten: list[Outcome] = []  # failed to write: tried again with the next
        self._writer: asyncio.Task | None = None
        self._due = False  # outcomes are to be written with the next write
        self._flush: asyncio.TimerHandle | None = None
        # Each row this run holds ``sending``: the ``next_attempt_at`` it set (to start it
        # again, the row must still hold it, else another clock took it) and when it was
        # marked (run seconds; None: held from before, renewed before each start).
        self._held: dict[int, tuple[datetime, float | None]] = {}
        self._started: set[int] = set()
        self._early: set[int] = set()  # marked ahead, not started yet (at most a batch)
        self._lost: set[int] = set()  # marked ahead by another clock first: not this run's
        self._idle = asyncio.Event()
        self._idle.set()

    async def starting(self, delivery: Delivery) -> bool:
        """Mark the delivery's row ``sending`` (again, after a 429: its hold is renewed),
        unless a mark young enough already holds it; False when it is no longer this run's."""
        row_id = delivery.row_id
        self._started.add(row_id)
        self._early.discard(row_id)
        if delivery.lease is not None:
            self._held.setdefault(row_id, (delivery.lease, None))
        if row_id in self._lost:
            return False
        for _ in range(2):  # a write slower than the window: renewed once more
            if self._young(row_id):
                return True  # the hold covers this post's send timeout
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._marks.append((delivery, future))
            self._kick(outcomes=False)
            if not await future:
                return False
        return True

    async def finished(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        if outcome.row_id in self._grouped and len(self._outcomes) < self.batch:
            if self._flush is None:  # not left long: a crash leaves them to look for
                self._flush = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._kick)
            return
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
                break
            self._kick()
            await self.drained()
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if self._unwritten:
            raise RuntimeError(
                f"{self.job}: {len(self._unwritten)} result(s) could not be recorded"
            )

    def _kick(self, outcomes: bool = True) -> None:
        """Write the marks waiting now, and (``outcomes``) the outcomes waiting too; else
        those go with the next write that is for them (or ride along with these marks)."""
        if outcomes:
            if self._flush is not None:
                self._flush.cancel()
                self._flush = None
            self._due = True
        if self._writer is None:
            self._idle.clear()
            self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def _write_all(self) -> None:
        try:
            while self._marks or (self._outcomes and self._due):
                marks, self._marks = self._covered(self._marks), []
                outcomes = []
                if self._due or marks:  # else they wait for their group
                    outcomes = self._unwritten + self._outcomes
                    self._unwritten, self._outcomes, self._due = [], [], False
                if not (marks or outcomes):
                    continue
                extra = self._next_ahead(marks) if marks else []
                held = {
                    d.row_id: self._held[d.row_id][0] for d, _ in marks if d.row_id in self._held
                }
                claimed = [d.row_id for d, _ in marks if d.row_id not in held]
                claimed += [d.row_id for d in extra]
                at = self.elapsed()
                try:
                    mine, until = await to_thread(self._write, claimed, held, outcomes, at)
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
                    self._ahead.extendleft(reversed(extra))
                    if not marks:
                        break  # only results: tried again by the next finished() or close()
                else:
                    self._held.update(dict.fromkeys(mine, (until, at)))
                    self._early.update(
                        d.row_id
                        for d in extra
                        if d.row_id in mine and d.row_id not in self._started
                    )
                    self._lost.update(d.row_id for d in extra if d.row_id not in mine)
                for delivery, future in marks:
                    if not future.done():
                        future.set_result(delivery.row_id in mine)
        finally:
            self._writer = None
            self._idle.set()

    def _young(self, row_id: int) -> bool:
        """This run holds the row by a mark young enough to start its post on."""
        _, marked = self._held.get(row_id, (None, None))
        return marked is not None and self.elapsed() - marked <= self.window

    def _covered(self, marks: list[tuple[Delivery, asyncio.Future[bool]]]) -> list:
        """Answer the marks a write just made (marked ahead meanwhile); the rest need one."""
        left = []
        for delivery, future in marks:
            if self._young(delivery.row_id):
                if not future.done():
                    future.set_result(True)
            else:
                left.append((delivery, future))
        return left

    def _next_ahead(self, marks: list[tuple[Delivery, asyncio.Future[bool]]]) -> list[Delivery]:
        """The rows to mark with ``marks``: the next not yet started or held, so that at
        most a batch is marked and not started (a crash leaves no more to look for)."""
        extra: list[Delivery] = []
        room = self.batch - len(marks) - len(self._early)
        while self._ahead and len(extra) < room:
            delivery = self._ahead.popleft()
            if delivery.row_id not in self._started and delivery.row_id not in self._held:
                extra.append(delivery)
        return extra

    def _write(
        self, claimed: list[int], held: dict[int, datetime], outcomes: list[Outcome], at: float
    ) -> tuple[set[int], datetime]:
        """Outcomes first, then the marks: ``claimed`` rows (this run's, never started) and
        ``held`` ones (renewed), held until ``at`` plus the send timeout and the window."""
        until = self.now + timedelta(seconds=at + self.send_timeout + self.window)
        mine: set[int] = set()
        with transaction(self.engine) as session:
            if outcomes:
                record_outcomes(
                    session=session, claims=self.claims, outcomes=outcomes, now=self.now
                )
            if claimed or held:
                mine = mark_sending(
                    session=session,
                    claims=self.claims,
                    claimed=claimed,
                    held=held,
                    claimed_at=self.now,
                    until=until,
                )
        return mine, until
