"""Posted Monday Morning Meetings: one per channel per ISO week, by constraint."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
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


def claim_weeks(
    *, session: Session, table: sa.Table, rows: list[dict], batch: int = 500
) -> dict[tuple[int, str], int]:
    """Insert rows for (channel, ISO week), skipping any that exist: returns those we inserted.

    ``table`` is ``meeting_post`` or ``clock_notice``. The unique constraint decides:
    whoever inserts a (channel, week) first owns it, whether the rival is another
    request, another run of the clock's job or another clock. One multi-row
    ``INSERT .. ON CONFLICT DO NOTHING RETURNING`` per ``batch`` rows.
    """
    [unique] = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert, conflict = postgresql.insert(table), {"constraint": unique.name}
    elif dialect == "sqlite":
        insert, conflict = (
            sqlite.insert(table),
            {"index_elements": [c.name for c in unique.columns]},
        )
    else:  # pragma: no cover - make_engine only builds SQLite and PostgreSQL engines
        raise ValueError(f"Huddle runs on SQLite or PostgreSQL, not {dialect}")
    won: dict[tuple[int, str], int] = {}
    for start in range(0, len(rows), batch):
        statement = (
            insert.values(rows[start : start + batch])
            .on_conflict_do_nothing(**conflict)
            .returning(table.c.id, table.c.workspace_id, table.c.channel_id)
        )
        for row_id, workspace_id, channel_id in session.execute(statement):
            won[(workspace_id, channel_id)] = row_id
    return won


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
    won = claim_weeks(
        session=session,
        table=MeetingPost.__table__,
        rows=[
            {
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "iso_year": iso_year,
                "iso_week": iso_week,
                "rule_id": rule_id,
                "status": CLAIMED,
                "attempts": 0,
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


def latest_meeting(*, session: Session, workspace_id: int) -> MeetingPost | None:
    """The workspace's newest meeting post (any channel): what the home screen shows."""
    statement = (
        select(MeetingPost)
        .where(MeetingPost.workspace_id == workspace_id)
        .order_by(MeetingPost.iso_year.desc(), MeetingPost.iso_week.desc(), MeetingPost.id.desc())
    )
    return session.exec(statement).first()


def is_this_week(post: MeetingPost, week: tuple[int, int]) -> bool:
    """Whether a meeting post is of the ISO (year, week) given."""
    return (post.iso_year, post.iso_week) == week
