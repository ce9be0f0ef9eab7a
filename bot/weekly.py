"""This week's meeting of one channel, claimed the way the clock claims it.

For the console's ``/monday`` (``MeetingShown``) and for scripts: the week is the
channel's local ISO week in its schedule's timezone and the rule the next one of
the curriculum, so a week shown here is never posted again by the clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.content import Content, Rule
from bot.meeting import next_rule, weekly_meeting
from bot.model import ConversationRef, Reply
from bot.scheduling import Period, iso_week_of
from bot.storage import meetings
from bot.storage.models import MeetingPost, Workspace
from bot.storage.subscriptions import get_subscription


def this_weeks_post(
    *,
    session: Session,
    content: Content,
    workspace: Workspace,
    ref: ConversationRef,
    now: datetime,
    tz: str | None = None,
) -> tuple[MeetingPost, Rule, bool]:
    """This week's meeting row of a channel, claimed now if it has none: (row, rule, won).

    The week is local to the channel's schedule (else ``tz``, else the workspace's
    timezone), as the clock reckons it. ``won`` says whether this call claimed it.
    """
    assert workspace.id is not None
    subscription = get_subscription(
        session=session, workspace_id=workspace.id, channel_id=ref.channel_id
    )
    if tz is None and subscription is not None and subscription.active:
        tz = subscription.timezone
    week = Period.WEEK.of(now, tz or workspace.timezone)
    history = meetings.posted_rule_ids(
        session=session, workspace_id=workspace.id, channel_id=ref.channel_id
    )
    rule = next_rule(content, history)
    post = meetings.claim_meeting(
        session=session,
        workspace_id=workspace.id,
        channel_id=ref.channel_id,
        period=week,
        rule_id=rule.id,
        now=now,
    )
    if post is not None:
        return post, rule, True
    post = meetings.get_meeting_post(
        session=session,
        workspace_id=workspace.id,
        channel_id=ref.channel_id,
        period=week,
    )
    assert post is not None  # the constraint that refused our claim holds it
    return post, content.rules.get(post.rule_id) or next_rule(content, []), False


def this_weeks_meeting(
    *, session: Session, content: Content, post: MeetingPost, rule: Rule
) -> Reply:
    """The post for ``post``'s week, opened by the channel's previous challenge."""
    year, week = iso_week_of(post.period)
    last = meetings.previous_meetings(
        session=session, workspace_ids={post.workspace_id}, before={post.period}
    ).get((post.workspace_id, post.channel_id))
    before = content.rules.get(last[1] or "") if last else None
    previous = (before, *iso_week_of(last[0])) if before is not None and last else None
    return weekly_meeting(rule, year, week, previous=previous)
