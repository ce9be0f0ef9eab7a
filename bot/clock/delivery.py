"""Posting a job's claimed messages and recording what happened, in batches.

``deliver_and_record`` posts through ``fanout.deliver_all`` and writes each result
(posted, failed with its back-off, undeliverable) back to the job's claims, one
executemany per ``batch_size`` results, while the fan-out goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery, Sent, Sleep, deliver_all
from bot.ports import Messenger
from bot.storage.clock import Claims, Outcome, record_outcomes
from bot.storage.db import transaction

log = logging.getLogger("huddle.clock")


@dataclass
class FanoutReport:
    """What one run of a job did. ``db_round_trips`` counts every statement it sent."""

    job: str
    due: int = 0  # channels owed a message on this run
    posted: int = 0
    failed: int = 0  # will be retried later this period
    undeliverable: int = 0  # the platform said never (recorded, not retried)
    skipped: int = 0  # no messenger for the channel's platform
    nothing_to_say: int = 0  # no nominations, no defects, a story already shared
    rate_limited: int = 0  # 429s received
    db_round_trips: int = 0
    skipped_platforms: dict[str, int] = field(default_factory=dict)

    @property
    def round_trips_per_post(self) -> float:
        return self.db_round_trips / self.posted if self.posted else float(self.db_round_trips)

    @property
    def problems(self) -> int:
        """Posts that did not go out (``huddle jobs run`` exits with 1 when there are any)."""
        return self.failed + self.undeliverable

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


async def deliver_and_record(
    engine: sa.Engine,
    claims: Claims,
    deliveries: list[Delivery],
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
    sleep: Sleep | None = None,
    monotonic: Callable[[], float] | None = None,
) -> None:
    """Post every delivery and record each result on its claim; never marks unsent posts done."""
    pending: list[Outcome] = []
    started: set[int] = set()
    answered: set[int] = set()

    def write(batch: list[Outcome]) -> None:
        with transaction(engine) as session:
            record_outcomes(session=session, claims=claims, outcomes=batch, now=now)

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
        # stays "claimed" (the clock prefers missing a message to posting it twice).
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
