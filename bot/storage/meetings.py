"""Posted Monday Morning Meetings: one per channel per ISO week, by constraint."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.models import MeetingPost

POSTED = "posted"
CLAIMED = "claimed"
FAILED = "failed"


def get_meeting_post(
    *, session: Session, workspace_id: int, channel_id: str, iso_year: int, iso_week: int
) -> MeetingPost | None:
    statement = select(MeetingPost).where(
        MeetingPost.workspace_id == workspace_id,
        MeetingPost.channel_id == channel_id,
        MeetingPost.iso_year == iso_year,
        MeetingPost.iso_week == iso_week,
    )
    return session.exec(statement).first()


def claim_meeting(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    iso_year: int,
    iso_week: int,
    rule_id: str,
    now: datetime,
) -> MeetingPost | None:
    """Claim this channel's post for this week. None if someone already claimed it."""
    post = MeetingPost(
        workspace_id=workspace_id,
        channel_id=channel_id,
        iso_year=iso_year,
        iso_week=iso_week,
        rule_id=rule_id,
        status=CLAIMED,
        claimed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(post)
    except sa.exc.IntegrityError:
        return None
    return post


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


def mark_failed(*, session: Session, post: MeetingPost, error: str) -> MeetingPost:
    post.status = FAILED
    post.attempts += 1
    post.last_error = error[:500]
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
        .order_by(MeetingPost.iso_year, MeetingPost.iso_week)
    )
    return list(session.exec(statement))


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
