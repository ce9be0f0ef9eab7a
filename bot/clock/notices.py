"""The notices that follow the meeting: the story nudge, the WOW of the week, the defect digest.

Each is one message per channel and local ISO week, recorded in ``clock_notice``
(``sent``, ``failed``, ``undeliverable``, or ``none`` when there was nothing to say),
and only once that week's meeting is posted in the channel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import partial

import sqlalchemy as sa

from bot.clock import queries
from bot.clock.compose import compose_defect_digest, compose_story_nudge, compose_wow_of_the_week
from bot.clock.config import ClockSettings
from bot.clock.fanout import Delivery
from bot.clock.plan import Target, nudge_due, nudge_time
from bot.clock.queries import NOTICES, WeekRow
from bot.clock.runner import (
    FanoutReport,
    clock_job,
    retry_ready,
    skip_window,
    without_messenger,
)
from bot.huddle import Huddle
from bot.model import Reply
from bot.ports import Messenger
from bot.storage.db import transaction
from bot.storage.meetings import CLAIMED, FAILED, POSTED, claim_weeks

NUDGE, WOW, DIGEST = "nudge", "wow", "digest"

# decide(session, huddle, now, fresh, targets, options) -> {target.key: (reply or None, thread)}
Decide = Callable[..., dict[tuple[int, str], tuple[Reply | None, str | None]]]
# eligible(target, now, skipped, options): this channel may get the notice now
Eligible = Callable[[Target, datetime, set[date], ClockSettings], bool]


def plan_notices(
    kind: str,
    decide: Decide,
    eligible: Eligible,
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
        start, end = skip_window(targets, now)
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
            if not eligible(target, now, skips.get(target.subscription_id, set()), options):
                continue
            notice = notices.get(key)
            if notice is None:
                fresh.append((target, meeting))
            elif retry_ready(notice, now):
                fresh.append((target, meeting))
                retry[target.key] = notice
        kept = set(without_messenger([t for t, _ in fresh], messengers, report))
        fresh = [(t, m) for t, m in fresh if t in kept]
        retry = {t.key: retry[t.key] for t in kept if t.key in retry}
        if not fresh:
            return []
        decided = decide(session, huddle, now, fresh, targets, options)

        claims, nothing_ids = [], []
        for target, _ in fresh:
            reply, _thread = decided[target.key]
            if target.key in retry:
                if reply is None:
                    nothing_ids.append(retry[target.key].id)
                continue
            status = CLAIMED if reply is not None else queries.NOTHING
            claims.append(target.claim(now, kind=kind, status=status))
        won = claim_weeks(session=session, table=NOTICES, rows=claims, batch=options.batch_size)
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


def _decide_nudge(session, huddle: Huddle, now, fresh, targets, options: ClockSettings):
    nudge_weekday = options.nudge_weekday_index
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


def _decide_wow(session, huddle: Huddle, now, fresh, targets, options: ClockSettings):
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


def _decide_digest(session, huddle: Huddle, now, fresh, targets, options: ClockSettings):
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


def _nudge_day(target: Target, now: datetime, skipped: set[date], options: ClockSettings) -> bool:
    return nudge_due(target, now, skipped, options.nudge_weekday_index)


def _with_the_meeting(target, now, skipped, options) -> bool:
    return True  # the meeting is posted this week, so it was not skipped


run_story_nudge = clock_job(
    "story-nudge",
    NOTICES,
    partial(plan_notices, NUDGE, _decide_nudge, _nudge_day),
    """Mid-week, in the thread of the week's post, when no story has been shared since it.""",
)
run_wow_of_the_week = clock_job(
    "wow-of-the-week",
    NOTICES,
    partial(plan_notices, WOW, _decide_wow, _with_the_meeting),
    """With the meeting: last week's most-nominated story (ties: earliest), thanking its author.""",
)
run_defect_digest = clock_job(
    "defect-digest",
    NOTICES,
    partial(plan_notices, DIGEST, _decide_digest, _with_the_meeting),
    """With the meeting: last week's defects by stage, and those open > 7 days with no action.""",
)
