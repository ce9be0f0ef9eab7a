"""The clock's jobs. Each is a plain ``async`` function of (huddle, messengers, now).

``monday-meeting`` posts each channel's weekly meeting when it is due; ``wow-of-the-week``
and ``defect-digest`` follow it in the same channel once it is posted; ``story-nudge``
reminds a quiet channel mid-week, in the thread of the meeting post. Each message is
at most once per channel and local ISO week: a unique constraint decides, so running
a job twice at once, or two clocks by mistake, still sends each one once.

Example (a script or a test)::

    report = await run_monday_meeting(huddle, {"slack": messenger}, now)
    print(report.summary())
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bot.clock import queries
from bot.clock.compose import (
    compose_defect_digest,
    compose_story_nudge,
    compose_wow_of_the_week,
)
from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery, Sent, Sleep, deliver_all
from bot.clock.plan import Target, meeting_due, meeting_may_retry, nudge_due, nudge_time
from bot.clock.queries import MEETINGS, NOTICES, Outcome, WeekRow
from bot.huddle import Huddle
from bot.meeting import compose_meeting, next_rule
from bot.model import Reply, Visibility
from bot.ports import Messenger
from bot.storage.db import transaction
from bot.storage.meetings import FAILED, POSTED

log = logging.getLogger("huddle.clock")

NUDGE, WOW, DIGEST = "nudge", "wow", "digest"


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


# -- shared machinery ------------------------------------------------------------


def _no_messenger(
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


def _skip_window(targets: list[Target], now: datetime) -> tuple[date, date]:
    days = [t.local_date(now) for t in targets]
    return min(days) - timedelta(days=7), max(days) + timedelta(days=7)


def _retry_ready(row: WeekRow, now: datetime) -> bool:
    return row.status == FAILED and (row.next_attempt_at is None or row.next_attempt_at <= now)


async def _deliver_and_record(
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

    async def on_sent(sent: Sent) -> None:
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
            monotonic=monotonic,
            sleep=sleep,
        )
    finally:
        await flush(final=True)


async def _run(
    job: str,
    plan: Callable[[FanoutReport], list[Delivery]],
    table: sa.Table,
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    sleep: Sleep | None,
    monotonic: Callable[[], float] | None,
) -> FanoutReport:
    report = FanoutReport(job=job)
    with queries.count_round_trips(huddle.engine) as trips:
        deliveries = await asyncio.to_thread(plan, report)
        report.due += len(deliveries)
        await _deliver_and_record(
            huddle, table, deliveries, messengers, now, options, report, sleep, monotonic
        )
    report.db_round_trips = trips.count
    _warn_skipped(report)
    if report.due or report.failed or report.skipped:
        log.info("%s", report.summary())
    return report


# -- monday-meeting --------------------------------------------------------------


def plan_meetings(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
) -> list[Delivery]:
    """Claim this week's meeting of every channel that is due (one transaction) and compose it."""
    content = huddle.content
    with transaction(huddle.engine) as session:
        targets = queries.load_targets(session=session)
        if not targets:
            return []
        start, end = _skip_window(targets, now)
        skips = queries.load_skips(session=session, start=start, end=end)
        rows = queries.load_meeting_rows(session=session, weeks={t.week(now) for t in targets})
        fresh: list[Target] = []
        retry: list[tuple[Target, WeekRow]] = []
        for target in targets:
            row = rows.get((*target.key, *target.week(now)))
            skipped = skips.get(target.subscription_id, set())
            if row is None:
                if meeting_due(target, now, skipped):
                    fresh.append(target)
            elif _retry_ready(row, now) and meeting_may_retry(target, now, skipped):
                retry.append((target, row))
        fresh = _no_messenger(fresh, messengers, report)
        retry_targets = set(_no_messenger([t for t, _ in retry], messengers, report))
        retry = [(t, row) for t, row in retry if t in retry_targets]

        history = queries.posted_rule_history(
            session=session, workspace_ids={t.workspace_id for t in fresh}, batch=options.batch_size
        )
        rules = {t.key: next_rule(content, history.get(t.key, [])) for t in fresh}
        claims = []
        for target in fresh:
            year, week = target.week(now)
            claims.append(
                {
                    "workspace_id": target.workspace_id,
                    "channel_id": target.channel_id,
                    "iso_year": year,
                    "iso_week": week,
                    "rule_id": rules[target.key].id,
                    "status": "claimed",
                    "attempts": 0,
                    "claimed_at": now,
                }
            )
        won = queries.insert_claims(
            session=session, table=MEETINGS, rows=claims, batch=options.batch_size
        )
        retaken = queries.reclaim_failed(
            session=session, table=MEETINGS, ids=[row.id for _, row in retry], now=now
        )

    deliveries = []
    for target in fresh:
        row_id = won.get(target.key)
        if row_id is not None:
            deliveries.append(
                Delivery(row_id, target.ref(), _meeting(rules[target.key], target, now))
            )
    for target, row in retry:
        if row.id in retaken:
            rule = content.rules.get(row.rule_id) or next_rule(content, [])
            deliveries.append(
                Delivery(row.id, target.ref(), _meeting(rule, target, now), attempts=row.attempts)
            )
    return deliveries


def _meeting(rule, target: Target, now: datetime) -> Reply:
    year, week = target.week(now)
    return compose_meeting(rule, week_label=f"Week {week}, {year}", visibility=Visibility.CHANNEL)


async def run_monday_meeting(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    *,
    options: ClockSettings | None = None,
    sleep: Sleep | None = None,
    monotonic: Callable[[], float] | None = None,
) -> FanoutReport:
    """Post this week's meeting to every subscribed channel that is due and has not had it.

    A failure is recorded (never marked posted) and retried with back-off on later
    runs the same local week; a clock that was down catches up once, later that
    week; a week that has ended is never posted.
    """
    options = options or ClockSettings.defaults()
    return await _run(
        "monday-meeting",
        lambda report: plan_meetings(huddle, messengers, now, options, report),
        MEETINGS,
        huddle,
        messengers,
        now,
        options,
        sleep,
        monotonic,
    )


# -- notices: story-nudge, wow-of-the-week, defect-digest ---------------------------

# decide(session, huddle, now, candidates) -> {target.key: (reply or None, thread_id)}
Decide = Callable[..., dict[tuple[int, str], tuple[Reply | None, str | None]]]


def plan_notices(
    kind: str,
    decide: Decide,
    eligible: Callable[[Target, set[date]], bool],
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
) -> list[Delivery]:
    """Claim and compose this week's ``kind`` notice for every channel whose meeting is posted."""
    with transaction(huddle.engine) as session:
        targets = queries.load_targets(session=session)
        if not targets:
            return []
        weeks = {t.week(now) for t in targets}
        start, end = _skip_window(targets, now)
        skips = queries.load_skips(session=session, start=start, end=end)
        meetings = queries.load_meeting_rows(session=session, weeks=weeks)
        notices = queries.load_notice_rows(session=session, kind=kind, weeks=weeks)
        fresh: list[tuple[Target, WeekRow]] = []
        retry: dict[tuple[int, str], WeekRow] = {}
        for target in targets:
            key = (*target.key, *target.week(now))
            meeting = meetings.get(key)
            if meeting is None or meeting.status != POSTED:
                continue
            if not eligible(target, skips.get(target.subscription_id, set())):
                continue
            notice = notices.get(key)
            if notice is None:
                fresh.append((target, meeting))
            elif _retry_ready(notice, now):
                fresh.append((target, meeting))
                retry[target.key] = notice
        kept = set(_no_messenger([t for t, _ in fresh], messengers, report))
        fresh = [(t, m) for t, m in fresh if t in kept]
        if not fresh:
            return []
        decided = decide(session, huddle, now, fresh, targets)

        claims, nothing_ids = [], []
        for target, _ in fresh:
            reply, _thread = decided[target.key]
            if target.key in retry:
                if reply is None:
                    nothing_ids.append(retry[target.key].id)
                continue
            year, week = target.week(now)
            claims.append(
                {
                    "workspace_id": target.workspace_id,
                    "channel_id": target.channel_id,
                    "iso_year": year,
                    "iso_week": week,
                    "kind": kind,
                    "status": "claimed" if reply is not None else queries.NOTHING,
                    "attempts": 0,
                    "claimed_at": now,
                }
            )
        won = queries.insert_claims(
            session=session, table=NOTICES, rows=claims, batch=options.batch_size
        )
        retaken = queries.reclaim_failed(
            session=session,
            table=NOTICES,
            ids=[row.id for key, row in retry.items() if decided[key][0] is not None],
            now=now,
        )
        if nothing_ids:
            session.execute(
                sa.update(NOTICES)
                .where(NOTICES.c.id.in_(nothing_ids), NOTICES.c.status == FAILED)
                .values(status=queries.NOTHING)
            )

    deliveries = []
    for target, _ in fresh:
        reply, thread_id = decided[target.key]
        if reply is None:
            if target.key in won or target.key in retry:
                report.nothing_to_say += 1
            continue
        if target.key in retry:
            row = retry[target.key]
            if row.id in retaken:
                deliveries.append(
                    Delivery(row.id, target.ref(thread_id), reply, attempts=row.attempts)
                )
        elif target.key in won:
            deliveries.append(Delivery(won[target.key], target.ref(thread_id), reply))
    return deliveries


def _coverage(targets: list[Target]) -> Callable[[Target, str], bool]:
    """Which channels' stories and defects a channel's WOW and digest cover.

    Its own; and the workspace's first subscribed channel (its "home") also covers
    channels that have no meeting of their own (direct messages, other channels), so
    nothing is left out and nothing is announced twice.
    """
    subscribed: dict[int, set[str]] = defaultdict(set)
    home: dict[int, str] = {}
    for target in targets:  # ordered by subscription id
        subscribed[target.workspace_id].add(target.channel_id)
        home.setdefault(target.workspace_id, target.channel_id)

    def covers(target: Target, channel_id: str) -> bool:
        if channel_id == target.channel_id:
            return True
        return (
            home.get(target.workspace_id) == target.channel_id
            and channel_id not in subscribed[target.workspace_id]
        )

    return covers


def _decide_nudge(nudge_weekday: int) -> Decide:
    def decide(session, huddle: Huddle, now, fresh, targets):
        since = min(m.done_at or now for _, m in fresh)
        latest = queries.latest_story_times(
            session=session, workspace_ids={t.workspace_id for t, _ in fresh}, since=since
        )
        decided = {}
        for target, meeting in fresh:
            newest = latest.get(target.key)
            posted_at = meeting.done_at or now
            nudge_at = nudge_time(target, now, nudge_weekday)
            if nudge_at is not None and posted_at > nudge_at:
                # The meeting itself went out late (a catch-up): it has just asked for stories.
                decided[target.key] = (None, None)
            elif newest is not None and newest >= posted_at:
                decided[target.key] = (None, None)
            else:
                rule = huddle.content.rules.get(meeting.rule_id or "")
                decided[target.key] = (compose_story_nudge(rule), meeting.message_id)
        return decided

    return decide


def _decide_wow(session, huddle: Huddle, now, fresh, targets):
    covers = _coverage(targets)
    windows = {t.key: t.last_week(now) for t, _ in fresh}
    stories = queries.nominated_stories(
        session=session,
        workspace_ids={t.workspace_id for t, _ in fresh},
        since=min(start for start, _ in windows.values()),
        until=max(end for _, end in windows.values()),
    )
    by_workspace = defaultdict(list)
    for story in stories:
        by_workspace[story.workspace_id].append(story)
    decided = {}
    for target, _ in fresh:
        start, end = windows[target.key]
        candidates = [
            s.winner
            for s in by_workspace.get(target.workspace_id, [])
            if covers(target, s.channel_id) and start <= s.winner.created_at < end
        ]
        if not candidates:
            decided[target.key] = (None, None)
            continue
        # Most nominations; ties go to the story shared first.
        best = min(candidates, key=lambda w: (-w.nominations, w.created_at, w.story_id))
        decided[target.key] = (compose_wow_of_the_week(best), None)
    return decided


def _decide_digest(session, huddle: Huddle, now, fresh, targets):
    covers = _coverage(targets)
    windows = {t.key: t.last_week(now) for t, _ in fresh}
    workspace_ids = {t.workspace_id for t, _ in fresh}
    logged = queries.defects_logged(
        session=session,
        workspace_ids=workspace_ids,
        since=min(start for start, _ in windows.values()),
        until=max(end for _, end in windows.values()),
    )
    stale = queries.stale_defects(session=session, workspace_ids=workspace_ids, now=now)
    logged_by, stale_by = defaultdict(list), defaultdict(list)
    for row in logged:
        logged_by[row.workspace_id].append(row)
    for row in stale:
        stale_by[row.workspace_id].append(row)
    decided = {}
    for target, _ in fresh:
        start, end = windows[target.key]
        reply = compose_defect_digest(
            huddle.content,
            last_week=[
                r.defect
                for r in logged_by.get(target.workspace_id, [])
                if covers(target, r.channel_id) and start <= r.defect.created_at < end
            ],
            stale=[
                r.defect
                for r in stale_by.get(target.workspace_id, [])
                if covers(target, r.channel_id)
            ],
            tz=target.timezone,
            week_start=start,
        )
        decided[target.key] = (reply, None)
    return decided


def _always(target: Target, skipped: set[date]) -> bool:
    return True


async def _run_notice(
    job: str,
    kind: str,
    decide: Decide,
    eligible: Callable[[Target, set[date]], bool],
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings | None,
    sleep: Sleep | None,
    monotonic: Callable[[], float] | None,
) -> FanoutReport:
    options = options or ClockSettings.defaults()
    return await _run(
        job,
        lambda report: plan_notices(
            kind, decide, eligible, huddle, messengers, now, options, report
        ),
        NOTICES,
        huddle,
        messengers,
        now,
        options,
        sleep,
        monotonic,
    )


async def run_story_nudge(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    *,
    options: ClockSettings | None = None,
    sleep: Sleep | None = None,
    monotonic: Callable[[], float] | None = None,
) -> FanoutReport:
    """Mid-week, in the thread of the week's post, when no story has been shared since it."""
    settings = options or ClockSettings.defaults()

    def eligible(target: Target, skipped: set[date]) -> bool:
        return nudge_due(target, now, skipped, settings.nudge_weekday_index)

    return await _run_notice(
        "story-nudge",
        NUDGE,
        _decide_nudge(settings.nudge_weekday_index),
        eligible,
        huddle,
        messengers,
        now,
        settings,
        sleep,
        monotonic,
    )


async def run_wow_of_the_week(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    *,
    options: ClockSettings | None = None,
    sleep: Sleep | None = None,
    monotonic: Callable[[], float] | None = None,
) -> FanoutReport:
    """With the meeting: last week's most-nominated story (ties: earliest), thanking its author."""
    return await _run_notice(
        "wow-of-the-week",
        WOW,
        _decide_wow,
        _always,
        huddle,
        messengers,
        now,
        options,
        sleep,
        monotonic,
    )


async def run_defect_digest(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    *,
    options: ClockSettings | None = None,
    sleep: Sleep | None = None,
    monotonic: Callable[[], float] | None = None,
) -> FanoutReport:
    """With the meeting: last week's defects by stage, and those open > 7 days with no action."""
    return await _run_notice(
        "defect-digest",
        DIGEST,
        _decide_digest,
        _always,
        huddle,
        messengers,
        now,
        options,
        sleep,
        monotonic,
    )


Job = Callable[..., Awaitable[FanoutReport]]

# In the order the clock runs them each tick: the WOW and the digest follow the meeting.
JOBS: dict[str, Job] = {
    "monday-meeting": run_monday_meeting,
    "wow-of-the-week": run_wow_of_the_week,
    "defect-digest": run_defect_digest,
    "story-nudge": run_story_nudge,
}
