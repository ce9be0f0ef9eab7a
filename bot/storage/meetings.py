"""Monday Morning Meetings: one per channel per local ISO week, by constraint.

A meeting's ``period`` is its week's key, ``"2026-W49"``; claims go through
``bot.storage.clock.claim_periods``, as every clock message's do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from bot.storage.clock import CLAIMED, MEETINGS, POSTED, claim_periods
from bot.storage.db import chunked
from bot.storage.models import MeetingPost


def get_meeting_post(
    *, session: Session, workspace_id: int, channel_id: str, period: str
) -> MeetingPost | None:
    statement = select(MeetingPost).where(
        MeetingPost.workspace_id == workspace_id,
        MeetingPost.channel_id == channel_id,
        MeetingPost.period == period,
    )
    return session.exec(statement).first()


def claim_meeting(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    period: str,
    rule_id: str,
    now: datetime,
) -> MeetingPost | None:
    """Claim this channel's post for this week (``period``). None if someone already claimed it."""
    won = claim_periods(
        session=session,
        claims=MEETINGS,
        rows=[
            {
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "period": period,
                "rule_id": rule_id,
                "status": CLAIMED,
                "claimed_at": now,
            }
        ],
    )
    post_id = won.get((workspace_id, channel_id))
    return None if post_id is None else session.get(MeetingPost, post_id)


def mark_posted(
    *, session: Session, post: MeetingPost, message_id: str | None, now: datetime
) -> MeetingPost:
    post.status = POSTED
    post.message_id = message_id
    post.posted_at = now
    post.attempts += 1
    post.last_error = None
    session.add(post)
    return post


def posted_rule_ids(*, session: Session, workspace_id: int, channel_id: str) -> list[str]:
    """Rules this channel has had, oldest first: where it is in the curriculum."""
    statement = (
        select(MeetingPost.rule_id)
        .where(
            MeetingPost.workspace_id == workspace_id,
            MeetingPost.channel_id == channel_id,
            MeetingPost.status == POSTED,
        )
        .order_by(MeetingPost.period, MeetingPost.id)
    )
    return list(session.exec(statement))


def posted_rule_history(
    *, session: Session, workspace_ids: Iterable[int], batch: int = 500
) -> dict[tuple[int, str], list[str]]:
    """The rules each channel of these workspaces has had, oldest first (for the clock).

    One query per ``batch`` of workspaces.
    """
    history: dict[tuple[int, str], list[str]] = defaultdict(list)
    for ids in chunked(sorted(set(workspace_ids)), batch):
        statement = (
            select(MeetingPost.workspace_id, MeetingPost.channel_id, MeetingPost.rule_id)
            .where(MeetingPost.workspace_id.in_(ids), MeetingPost.status == POSTED)
            .order_by(MeetingPost.period, MeetingPost.id)
        )
        for workspace_id, channel_id, rule_id in session.exec(statement):
            history[(workspace_id, channel_id)].append(rule_id)
    return history


def meeting_for_message(
    *, session: Session, workspace_id: int, channel_id: str, message_id: str
) -> MeetingPost | None:
    """The meeting post with this platform message id (to catch thread replies)."""
    statement = select(MeetingPost).where(
        MeetingPost.workspace_id == workspace_id,
        MeetingPost.channel_id == channel_id,
        MeetingPost.message_id == message_id,
    )
    return session.exec(statement).first()


def latest_meeting(*, session: Session, workspace_id: int) -> MeetingPost | None:
    """The workspace's newest meeting post (any channel): what the home screen shows."""
    statement = (
        select(MeetingPost)
        .where(MeetingPost.workspace_id == workspace_id)
        .order_by(MeetingPost.period.desc(), MeetingPost.id.desc())
    )
    return session.exec(statement).first()


def is_this_week(post: MeetingPost, week: str) -> bool:
    """Whether a meeting post is of the week given (its key, ``"2026-W49"``)."""
    return post.period == week
