"""Posting a job's claimed messages and recording what happened, step by step.

``deliver_and_record`` posts through ``fanout.deliver_all``; each row is marked
``sending`` before its platform call and its result (posted, failed with its
back-off, undeliverable, unconfirmed) is written after, in a few large writes
(``bot.clock.journal``), so a crash leaves nothing lost and nothing sent twice.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery, Sent, Sleep, deliver_all
from bot.clock.journal import Journal
from bot.ports import Messenger, can_find
from bot.storage.clock import Claims, Outcome

log = logging.getLogger("huddle.clock")

S = TypeVar("S")  # a job's slot: it has a ``target``


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
    unconfirmed: int = 0  # sent, no answer: looked for (Slack) on the next run, never resent
    found: int = 0  # uncertain posts found on the platform: recorded posted, not resent
    uncertain: int = 0  # uncertain posts the platform cannot be asked about (Teams): given up
    db_round_trips: int = 0
    quiet_until: datetime | None = None  # nothing was due: nothing can be before then
    skipped_platforms: dict[str, int] = field(default_factory=dict)

    @property
    def round_trips_per_post(self) -> float:
        return self.db_round_trips / self.posted if self.posted else float(self.db_round_trips)

    @property
    def problems(self) -> int:
        """Posts that did not (surely) go out (``huddle jobs run`` exits with 1 if any)."""
        return self.failed + self.undeliverable + self.unconfirmed + self.uncertain

    def summary(self) -> str:
        text = (
            f"{self.job}: {self.posted} posted, {self.failed} failed (will retry), "
            f"{self.undeliverable} undeliverable, {self.skipped} skipped (no messenger), "
            f"{self.nothing_to_say} with nothing to say, {self.rate_limited} rate-limited (429), "
            f"{self.unconfirmed} unconfirmed, {self.found} found already posted, "
            f"{self.uncertain} uncertain (not resent), {self.db_round_trips} database round trips"
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
    clock = monotonic or time.monotonic
    deliveries = in_turn(deliveries)
    started_at = clock()
    journal = Journal(
        engine,
        claims,
        job=report.job,
        now=now,
        send_timeout=options.send_timeout_seconds,
        elapsed=lambda: clock() - started_at,
        # Marked ahead where a post whose answer is lost can be looked for (Slack).
        ahead=[d for d in deliveries if d.lease is None and can_find(messengers[d.ref.platform])],
        batch=options.batch_size,
    )
    attempted: set[int] = set()

    async def before_send(delivery: Delivery) -> bool:
        attempted.add(delivery.row_id)
        return await journal.starting(delivery)

    async def on_sent(sent: Sent) -> None:
        attempted.add(sent.delivery.row_id)
        report.rate_limited += sent.rate_limited
        outcome = _outcome(sent, now, options, report)
        if outcome is not None:
            await journal.finished(outcome)

    try:
        await deliver_all(
            deliveries,
            messengers,
            concurrency=options.concurrency,
            workspace_concurrency=options.workspace_concurrency,
            send_timeout=options.send_timeout_seconds,
            rate_limit_retries=options.rate_limit_retries,
            on_sent=on_sent,
            before_send=before_send,
            monotonic=monotonic,
            sleep=sleep,
        )
    finally:
        # Stopped part-way (SIGTERM, a bug): posts never started go back to "failed" so the
        # next run sends them; one started without an answer may have been posted, so it
        # stays "sending" until the next run settles it (finds it, or gives it up).
        unsent = [d for d in deliveries if d.row_id not in attempted]
        if unsent:
            log.warning(
                "%s: stopped before sending %d post(s); they go out next run",
                report.job,
                len(unsent),
            )
        await journal.close(
            [
                Outcome(d.row_id, error="not sent: the clock stopped first", next_attempt_at=now)
                for d in unsent
                if d.since is None
            ]
        )


def in_turn(deliveries: list[Delivery]) -> list[Delivery]:
    """Uncertain posts first, then each workspace's first post, each one's second, ...

    The order the fan-out starts them in (each workspace has its few slots), and so the
    order the journal marks them ahead in.
    """
    rank: dict[tuple[str, str], int] = defaultdict(int)
    keys = []
    for index, delivery in enumerate(deliveries):
        workspace = (delivery.ref.platform, delivery.ref.workspace_id)
        keys.append((delivery.since is None, rank[workspace], index))
        rank[workspace] += 1
    return [deliveries[k[2]] for k in sorted(keys)]


def _outcome(
    sent: Sent, now: datetime, options: ClockSettings, report: FanoutReport
) -> Outcome | None:
    """What to write for one platform answer, counted in ``report``."""
    delivery, ref = sent.delivery, sent.delivery.ref
    if sent.not_mine:
        return None  # another clock took the row over before it started
    if sent.found:
        report.found += 1
        return Outcome(delivery.row_id, message_id=sent.message_id)
    if sent.error is None and delivery.reply is None:
        report.nothing_to_say += 1  # not there, and nothing to say any more
        return Outcome(delivery.row_id, nothing=True)
    if sent.error is None:
        report.posted += 1
        message_id = None if sent.message_id is None else str(sent.message_id)
        return Outcome(delivery.row_id, message_id=message_id)
    if sent.unconfirmed:
        report.unconfirmed += 1
        log.warning(
            "%s: post unconfirmed (settled next run): platform=%s workspace=%s channel=%s error=%s",
            report.job,
            ref.platform,
            ref.workspace_id,
            ref.channel_id,
            sent.error,
        )
        return Outcome(delivery.row_id, error=sent.error, unconfirmed=True)
    retry_at = now + backoff(delivery.attempts, max_minutes=options.max_backoff_minutes)
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
    return Outcome(
        delivery.row_id,
        error=sent.error,
        permanent=sent.permanent,
        next_attempt_at=retry_at,
    )


def with_messenger(
    slots: list[S], messengers: Mapping[str, Messenger], report: FanoutReport
) -> list[S]:
    """The slots whose platform has a messenger; the others are counted as skipped."""
    kept = []
    for slot in slots:
        platform = slot.target.platform
        if platform in messengers:
            kept.append(slot)
        else:
            report.skipped_platforms[platform] = report.skipped_platforms.get(platform, 0) + 1
    report.skipped += len(slots) - len(kept)
    return kept


# Warn about an unconfigured platform at most this often per job (the clock runs every minute).
_WARN_EVERY = 15 * 60
_last_warned: dict[tuple[str, str], float] = {}


def warn_skipped(report: FanoutReport) -> None:
    """Warn of channels skipped for want of a messenger, at most every 15 minutes."""
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
