"""The clock's jobs. Each is a plain ``async`` function of (huddle, messengers, now).

``monday-meeting`` (here) posts each channel's weekly meeting when it is due;
``wow-of-the-week`` and ``defect-digest`` follow it in the same channel once it is
posted, and ``story-nudge`` reminds a quiet channel mid-week in the thread of the
meeting post (all three in :mod:`bot.clock.notices`). Each message goes out at most
once per channel and local ISO week: a unique constraint decides, so running a job
twice at once, or two clocks by mistake, still sends each one once.

Example (a script or a test)::

    report = await run_monday_meeting(huddle, {"slack": messenger}, now)
    print(report.summary())  # posted, failed, rate_limited, db_round_trips, ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.clock import queries
from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery
from bot.clock.notices import run_defect_digest, run_story_nudge, run_wow_of_the_week
from bot.clock.plan import Target, meeting_due, meeting_may_retry
from bot.clock.queries import MEETINGS, WeekRow
from bot.clock.runner import (
    FanoutReport,
    Job,
    backoff,
    clock_job,
    retry_ready,
    skip_window,
    without_messenger,
)
from bot.content import Rule
from bot.huddle import Huddle
from bot.meeting import next_rule, weekly_meeting
from bot.model import Reply
from bot.ports import Messenger
from bot.storage.db import transaction
from bot.storage.meetings import CLAIMED, claim_weeks

__all__ = [
    "JOBS",
    "FanoutReport",
    "Job",
    "backoff",
    "run_defect_digest",
    "run_monday_meeting",
    "run_story_nudge",
    "run_wow_of_the_week",
]


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
        start, end = skip_window(targets, now)
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
            elif retry_ready(row, now) and meeting_may_retry(target, now, skipped):
                retry.append((target, row))
        fresh = without_messenger(fresh, messengers, report)
        retry_targets = set(without_messenger([t for t, _ in retry], messengers, report))
        retry = [(t, row) for t, row in retry if t in retry_targets]

        history = queries.posted_rule_history(
            session=session, workspace_ids={t.workspace_id for t in fresh}, batch=options.batch_size
        )
        rules = {t.key: next_rule(content, history.get(t.key, [])) for t in fresh}
        claims = [
            target.claim(now, rule_id=rules[target.key].id, status=CLAIMED) for target in fresh
        ]
        won = claim_weeks(session=session, table=MEETINGS, rows=claims, batch=options.batch_size)
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


def _meeting(rule: Rule, target: Target, now: datetime) -> Reply:
    return weekly_meeting(rule, *target.week(now))


run_monday_meeting = clock_job(
    "monday-meeting",
    MEETINGS,
    plan_meetings,
    """Post this week's meeting to every subscribed channel that is due and has not had it.

    A failure is recorded (never marked posted) and retried with back-off on later
    runs the same local week; a clock that was down catches up once, later that
    week; a week that has ended is never posted.
    """,
)

# In the order the clock runs them each tick: the WOW and the digest follow the meeting.
JOBS: dict[str, Job] = {
    "monday-meeting": run_monday_meeting,
    "wow-of-the-week": run_wow_of_the_week,
    "defect-digest": run_defect_digest,
    "story-nudge": run_story_nudge,
}
