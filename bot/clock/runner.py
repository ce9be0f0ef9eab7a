"""What every clock job shares: its report, back-off, and posting then recording the results.

A job plans in one transaction (claims its rows, composes its messages), then
posts them through ``deliver_all`` and records the results in batches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bot.clock import queries
from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery, Sent, Sleep, deliver_all
from bot.clock.plan import Target
from bot.clock.queries import Outcome, WeekRow
from bot.huddle import Huddle
from bot.ports import Messenger
from bot.storage.db import transaction
from bot.storage.meetings import FAILED

log = logging.getLogger("huddle.clock")


@dataclass
class FanoutReport:
    """What one run of a job did. ``db_round_trips`` counts every statement it sent."""

    job: str
    due: int = 0  # channels owed a message on this run
    posted: int = 0
    failed: int = 0  # will be retried later this week
    undeliverable: int = 0  # the platform said never (recorded, not retried)
    skipped: int = 0  # no messenger for the channel's platform
    nothing_to_say: int = 0  # no nominations, no defects, a story already shared
    rate_limited: int = 0  # 429s received
    db_round_trips: int = 0
    skipped_platforms: dict[str, int] = field(default_factory=dict)

    @property
    def round_trips_per_post(self) -> float:
        return self.db_round_trips / self.posted if self.posted else float(self.db_round_trips)

    def summary(self) -> str:
        text = (
            f"{self.job}: {self.posted} posted, {self.failed} failed (will retry), "
            f"{self.undeliverable} undeliverable, {self.skipped} skipped (no messenger), "
            f"{self.nothing_to_say} with nothing to say, {self.rate_limited} rate-limited (429), "
            f"{self.db_round_trips} database round trips"
        )
        if self.posted:
            text += f" ({self.round_trips_per_post:.3f} per post)"
        return text


def backoff(attempts: int, *, max_minutes: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most ``max_minutes``."""
    return timedelta(minutes=min(2 ** min(attempts, 20), max_minutes))


def without_messenger(
    targets: list[Target], messengers: Mapping[str, Messenger], report: FanoutReport
) -> list[Target]:
    kept = []
    for target in targets:
        if target.platform in messengers:
            kept.append(target)
        else:
            report.skipped_platforms[target.platform] = (
                report.skipped_platforms.get(target.platform, 0) + 1
            )
    report.skipped += len(targets) - len(kept)
    return kept


# Warn about an unconfigured platform at most this often per job (the clock runs every minute).
_WARN_EVERY = 15 * 60
_last_warned: dict[tuple[str, str], float] = {}


def _warn_skipped(report: FanoutReport) -> None:
    for platform, count in report.skipped_platforms.items():
        key = (report.job, platform)
        moment = time.monotonic()
        level = logging.WARNING
        if moment - _last_warned.get(key, -_WARN_EVERY) < _WARN_EVERY:
            level = logging.DEBUG
        else:
            _last_warned[key] = moment
        log.log(
            level,
            "%s: skipping %d channel(s) on platform %r: no messenger is configured for it "
            "(check that platform's settings and the huddle.messengers entry points)",
            report.job,
            count,
            platform,
        )


def skip_window(targets: list[Target], now: datetime) -> tuple[date, date]:
    days = [t.local_date(now) for t in targets]
    return min(days) - timedelta(days=7), max(days) + timedelta(days=7)


def retry_ready(row: WeekRow, now: datetime) -> bool:
    return row.status == FAILED and (row.next_attempt_at is None or row.next_attempt_at <= now)


async def deliver_and_record(
    huddle: Huddle,
    table: sa.Table,
    deliveries: list[Delivery],
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
    sleep: Sleep | None,
    monotonic: Callable[[], float] | None,
) -> None:
    pending: list[Outcome] = []
    started: set[int] = set()
    answered: set[int] = set()

    def write(batch: list[Outcome]) -> None:
        with transaction(huddle.engine) as session:
            queries.record_outcomes(session=session, table=table, outcomes=batch, now=now)

    async def flush(*, final: bool = False) -> None:
        nonlocal pending
        for attempt in range(3 if final else 1):
            batch, pending = pending, []
            if not batch:
                return
            try:
                await asyncio.to_thread(write, batch)
                return
            except Exception:
                # Keep posting: a database hiccup must not stop the fan-out. The rows stay
                # claimed (never posted twice); the results are written with the next batch.
                log.exception(
                    "%s: could not record %d result(s) (attempt %d); trying again",
                    report.job,
                    len(batch),
                    attempt + 1,
                )
                pending = batch + pending
        if final and pending:
            raise RuntimeError(f"{report.job}: {len(pending)} result(s) could not be recorded")

    def on_start(delivery: Delivery) -> None:
        started.add(delivery.row_id)

    async def on_sent(sent: Sent) -> None:
        answered.add(sent.delivery.row_id)
        report.rate_limited += sent.rate_limited
        ref = sent.delivery.ref
        if sent.error is None:
            report.posted += 1
            message_id = None if sent.message_id is None else str(sent.message_id)
            pending.append(Outcome(sent.delivery.row_id, message_id=message_id))
        else:
            retry_at = now + backoff(
                sent.delivery.attempts, max_minutes=options.max_backoff_minutes
            )
            if sent.retry_after is not None:
                retry_at = max(retry_at, now + timedelta(seconds=sent.retry_after))
            if sent.permanent:
                report.undeliverable += 1
            else:
                report.failed += 1
            log.warning(
                "%s: post failed: platform=%s workspace=%s channel=%s permanent=%s error=%s",
                report.job,
                ref.platform,
                ref.workspace_id,
                ref.channel_id,
                sent.permanent,
                sent.error,
            )
            pending.append(
                Outcome(
                    sent.delivery.row_id,
                    error=sent.error,
                    permanent=sent.permanent,
                    next_attempt_at=retry_at,
                )
            )
        if len(pending) >= options.batch_size:
            await flush()

    try:
        await deliver_all(
            deliveries,
            messengers,
            concurrency=options.concurrency,
            workspace_concurrency=options.workspace_concurrency,
            send_timeout=options.send_timeout_seconds,
            rate_limit_retries=options.rate_limit_retries,
            on_sent=on_sent,
            on_start=on_start,
            monotonic=monotonic,
            sleep=sleep,
        )
    finally:
        # Stopped part-way (SIGTERM, a bug): posts never started go back to "failed" so the
        # next run sends them; one started without an answer may have been posted, so it
        # stays "claimed" (the clock prefers missing a week to posting twice).
        unsent = [d for d in deliveries if d.row_id not in started and d.row_id not in answered]
        pending.extend(
            Outcome(d.row_id, error="not sent: the clock stopped first", next_attempt_at=now)
            for d in unsent
        )
        if unsent:
            log.warning(
                "%s: stopped before sending %d post(s); they go out next run",
                report.job,
                len(unsent),
            )
        await flush(final=True)


# plan(huddle, messengers, now, options, report) -> the deliveries it claimed (one transaction)
Plan = Callable[
    [Huddle, Mapping[str, Messenger], datetime, ClockSettings, FanoutReport], list[Delivery]
]
Job = Callable[..., Awaitable[FanoutReport]]


def clock_job(name: str, table: sa.Table, plan: Plan, doc: str) -> Job:
    """A job body: ``await job(huddle, messengers, now, *, options, sleep, monotonic)``.

    It plans (claims its rows and composes its messages) off the event loop, posts
    through ``deliver_all`` and records the results; ``table`` holds its rows.
    """

    async def run(
        huddle: Huddle,
        messengers: Mapping[str, Messenger],
        now: datetime,
        *,
        options: ClockSettings | None = None,
        sleep: Sleep | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> FanoutReport:
        settings = options or ClockSettings.defaults()
        report = FanoutReport(job=name)
        with queries.count_round_trips(huddle.engine) as trips:
            deliveries = await asyncio.to_thread(plan, huddle, messengers, now, settings, report)
            report.due += len(deliveries)
            await deliver_and_record(
                huddle, table, deliveries, messengers, now, settings, report, sleep, monotonic
            )
        report.db_round_trips = trips.count
        _warn_skipped(report)
        if report.due or report.failed or report.skipped:
            log.info("%s", report.summary())
        return report

    run.__name__ = run.__qualname__ = "run_" + name.replace("-", "_")
    run.__doc__ = doc
    return run
