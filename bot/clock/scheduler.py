"""``huddle clock``: APScheduler 3 runs the jobs every minute; the schedule lives in the database.

Each tick reads the subscriptions afresh (once, for every job: ``bot.clock.snapshot``),
so `/huddle schedule` in chat takes effect without a restart, and nothing depends on
memory surviving one: a clock that restarts runs a tick at once and catches up what
is still due this week. A tick that finds nothing due remembers when something may
next be; until then, each tick asks the database one question and loads nothing
unless the answer has changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import engine
from bot.clock.config import ClockSettings
from bot.clock.delivery import FanoutReport
from bot.clock.engine import ClockJob, Job, Report
from bot.clock.jobs import JOBS
from bot.clock.messengers import close_messengers
from bot.clock.snapshot import Quiet, Snapshot, load_snapshot, periods_around
from bot.huddle import Huddle
from bot.ports import Messenger
from bot.scheduling import Period
from bot.storage.clock import Claims
from bot.storage.clock_snapshot import clock_mark
from bot.storage.db import transaction

log = logging.getLogger("huddle.clock")

TICK = "tick"
HOUSEKEEPING = "housekeeping"


class Clock:
    """Runs the jobs in table order: the posting ones every tick, the housekeeping hourly.

    One job's failure never stops the others.
    """

    def __init__(
        self,
        huddle: Huddle,
        messengers: Mapping[str, Messenger],
        options: ClockSettings,
        jobs: Mapping[str, Job] | None = None,
    ):
        self.huddle = huddle
        self.messengers = messengers
        self.options = options
        self.jobs = JOBS if jobs is None else jobs
        self._running: set[asyncio.Task] = set()
        self._quiet: Quiet | None = None  # the last tick found nothing due: its answer
        self._mark: tuple[Any, ...] | None = None
        self._marked: tuple[tuple[Claims, ...], tuple[str, ...]] = ((), ())

    async def tick(self) -> dict[str, Report]:
        """Every job that runs each tick, once, in order."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            return await self._run(engine.TICK, "tick")
        finally:
            if task is not None:
                self._running.discard(task)

    async def housekeeping(self) -> dict[str, Report]:
        """Every hourly job (the purges), once, in order."""
        return await self._run(engine.HOURLY, "hour")

    async def _run(self, cadence: str, period: str) -> dict[str, Report]:
        now = self.huddle.clock()
        jobs = {name: job for name, job in self.jobs.items() if job.cadence == cadence}
        snapshot = None
        if cadence == engine.TICK:
            snapshot = await asyncio.to_thread(self._look, now, jobs)
            if snapshot is None:  # nothing has changed and nothing has come due
                return {name: FanoutReport(job=name, db_round_trips=1) for name in jobs}
        reports: dict[str, Report] = {}
        for name, job in jobs.items():
            try:
                reports[name] = await job(
                    self.huddle, self.messengers, now, options=self.options, snapshot=snapshot
                )
            except Exception:
                log.exception("job %s failed this %s; it runs again next %s", name, period, period)
        if cadence == engine.TICK:
            self._rest(reports, jobs)
        return reports

    def _look(self, now: datetime, jobs: Mapping[str, Job]) -> Snapshot | None:
        """The tick's snapshot, or None when the last quiet tick's answer still holds."""
        claims = tuple(dict.fromkeys(c for job in jobs.values() for c in _claimed(job)))
        everies = {e for job in jobs.values() for e in _everies(job)}
        with transaction(self.huddle.engine) as session:
            if self._quiet is not None and self._quiet.holds(session, now):
                return None
            self._quiet = None
            # The mark first: a change committed while the snapshot loads shows next tick.
            periods = tuple(periods_around(everies, now))
            self._mark = clock_mark(session=session, claims=claims, periods=periods)
            self._marked = (claims, periods)
            return load_snapshot(session=session, now=now, claims=claims, everies=everies)

    def _rest(self, reports: Mapping[str, Report], jobs: Mapping[str, Job]) -> None:
        """After a tick where no job had anything due: rest until the first one may."""
        until = [getattr(reports.get(name), "quiet_until", None) for name in jobs]
        if not until or any(u is None for u in until) or self._mark is None:
            return
        claims, periods = self._marked
        self._quiet = Quiet(self._mark, min(u for u in until if u is not None), claims, periods)

    async def drain(self, timeout: float) -> None:
        """Let a tick in progress finish its posts (and record them) before exiting."""
        if self._running:
            _done, pending = await asyncio.wait(set(self._running), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                # Give the cancelled tick a moment to record what it sent and hand back the rest.
                await asyncio.wait(pending, timeout=5)

    async def aclose(self) -> None:
        """Close what the jobs keep open between ticks (late-patients' practice sources)."""
        await close_jobs(self.jobs)


async def close_jobs(jobs: Mapping[str, Job]) -> None:
    """Await each job's ``aclose`` (those that have one); one failing never stops the rest."""
    for name, job in jobs.items():
        aclose = getattr(job, "aclose", None)
        if aclose is None:
            continue
        try:
            await aclose()
        except Exception:
            log.exception("job %s: closing what it kept open failed", name)


def _claimed(job: Job) -> list[Claims]:
    return job.claimed() if isinstance(job, ClockJob) else []


def _everies(job: Job) -> list[Period]:
    return job.everies() if isinstance(job, ClockJob) else []


def build_scheduler(
    clock: Clock, options: ClockSettings, *, start_now: bool = True
) -> AsyncIOScheduler:
    """The scheduler: a tick every ``interval_seconds`` (on the minute by default), housekeeping hourly.

    ``max_instances=1`` and ``coalesce`` mean a slow tick is never run twice at once
    or replayed after a pause; the database makes any overlap harmless anyway.
    """
    scheduler = AsyncIOScheduler(timezone=UTC)
    if options.interval_seconds == 60:
        trigger = CronTrigger(second=0, timezone=UTC)
    else:
        trigger = IntervalTrigger(seconds=options.interval_seconds, timezone=UTC)
    scheduler.add_job(
        clock.tick,
        trigger,
        id=TICK,
        name="the clock's jobs",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=options.interval_seconds,
        # Catch up at once after a restart instead of waiting for the next minute.
        next_run_time=datetime.now(UTC) if start_now else None,
    )
    scheduler.add_job(
        clock.housekeeping,
        CronTrigger(minute=17, timezone=UTC),
        id=HOUSEKEEPING,
        name="the clock's hourly housekeeping (purges)",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    return scheduler


async def run_clock(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    options: ClockSettings,
    *,
    stop: asyncio.Event | None = None,
    drain_seconds: float = 25.0,
    jobs: Mapping[str, Job] | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or ``stop`` is set), then finish the posts in flight and exit."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not possible off the main thread or on platforms without signals.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    clock = Clock(huddle, messengers, options, jobs)
    scheduler = build_scheduler(clock, options)
    scheduler.start()
    platforms = ", ".join(sorted(messengers)) or "none"
    log.info("clock started: every %ss, posting through: %s", options.interval_seconds, platforms)
    try:
        await stop.wait()
        log.info("clock stopping: finishing posts in progress")
    finally:
        # No new ticks; the one in progress finishes (shutting down first would cancel it).
        scheduler.pause()
        await clock.drain(drain_seconds)
        scheduler.shutdown(wait=False)
        await clock.aclose()
        await close_messengers(messengers)
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
        log.info("clock stopped")
