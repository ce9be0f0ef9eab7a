"""Monday Morning Meetings: one per channel per local ISO week, by constraint.

A meeting's ``period`` is its week's key, ``"2026-W49"``; claims go through
``bot.storage.clock.claim_periods``, as every clock message's do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.clock import CLAIMED, MEETINGS, POSTED, claim_periods
from bot.storage.db import id_batches, in_ids
from bot.storage.models import MeetingPost, Subscription


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


def rule_was_used(*, session: Session, workspace_id: int, rule_id: str) -> bool:
    """Whether any of the workspace's meetings (posted, or claimed and still to post) had
    this rule: then its text must stay readable."""
    statement = select(MeetingPost.id).where(
        MeetingPost.workspace_id == workspace_id, MeetingPost.rule_id == rule_id
    )
    return session.exec(statement.limit(1)).first() is not None


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


def next_rule_ids(
    *, session: Session, workspace_ids: Iterable[int], order: Sequence[str], batch: int = 500
) -> dict[tuple[int, str], str]:
    """Each active channel's next rule of ``order`` (the curriculum), computed in SQL.

    The same choice as ``bot.meeting.next_rule`` over the channel's whole history: the
    first rule in ``order`` among those it has been posted fewest times. The database
    counts; one row per channel comes back, one query per ``batch`` of workspaces.
    """
    if not order:
        return {}
    m = MeetingPost.__table__.c
    s = Subscription.__table__.c
    curriculum = sa.union_all(
        *(
            sa.select(sa.literal(rule_id).label("rule_id"), sa.literal(pos).label("pos"))
            for pos, rule_id in enumerate(order)
        )
    ).cte("curriculum")
    chosen: dict[tuple[int, str], str] = {}
    for ids in id_batches(session, workspace_ids, batch):
        seen = (
            sa.select(m.workspace_id, m.channel_id, m.rule_id, sa.func.count().label("n"))
            .where(
                in_ids(session, m.workspace_id, ids), m.status == POSTED, m.rule_id.in_(list(order))
            )
            .group_by(m.workspace_id, m.channel_id, m.rule_id)
            .cte("seen")
        )
        n = sa.func.coalesce(seen.c.n, 0)
        rank = sa.func.row_number().over(
            partition_by=(s.workspace_id, s.channel_id), order_by=(n, curriculum.c.pos)
        )
        grid = (
            sa.select(s.workspace_id, s.channel_id, curriculum.c.rule_id, rank.label("rank"))
            .select_from(Subscription.__table__.join(curriculum, sa.true()))
            .outerjoin(
                seen,
                sa.and_(
                    seen.c.workspace_id == s.workspace_id,
                    seen.c.channel_id == s.channel_id,
                    seen.c.rule_id == curriculum.c.rule_id,
                ),
            )
            .where(in_ids(session, s.workspace_id, ids), s.active.is_(True))
            .subquery("grid")
        )
        statement = sa.select(grid.c.workspace_id, grid.c.channel_id, grid.c.rule_id).where(
            grid.c.rank == 1
        )
        for workspace_id, channel_id, rule_id in session.execute(statement):
            chosen[(workspace_id, channel_id)] = rule_id
    return chosen


def previous_meetings(
    *, session: Session, workspace_ids: Iterable[int], before: Iterable[str], batch: int = 500
) -> dict[tuple[int, str], tuple[str, str]]:
    """Each channel's latest posted meeting before its period: {(workspace, channel):
    (period, rule id)}, so a new meeting can follow up the last one's challenge.

    ``before`` holds the periods being posted (``"2026-W49"``); week keys sort as text.
    One row per channel comes back, one query per ``batch`` of workspaces.
    """
    m = MeetingPost.__table__.c
    latest: dict[tuple[int, str], tuple[str, str]] = {}
    until = max(before, default=None)
    if until is None:
        return latest
    for ids in id_batches(session, workspace_ids, batch):
        rank = sa.func.row_number().over(
            partition_by=(m.workspace_id, m.channel_id), order_by=m.period.desc()
        )
        ranked = (
            sa.select(m.workspace_id, m.channel_id, m.period, m.rule_id, rank.label("rank"))
            .where(in_ids(session, m.workspace_id, ids), m.status == POSTED, m.period < until)
            .subquery("ranked")
        )
        rows = session.execute(
            sa.select(
                ranked.c.workspace_id, ranked.c.channel_id, ranked.c.period, ranked.c.rule_id
            ).where(ranked.c.rank == 1)
        )
        for workspace_id, channel_id, period, rule_id in rows:
            latest[(workspace_id, channel_id)] = (period, rule_id)
    return latest
