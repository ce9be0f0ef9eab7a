"""WOW stories and the nominations they collect."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from bot.storage.db import id_batches, in_ids, upsert
from bot.storage.heroes import Hero
from bot.storage.models import Nomination, Story, StoryHero, Workspace
from bot.storage.period_tally import StoryPeriod, periods_of


@dataclass(frozen=True)
class BoardStory:
    """What a board shows of a story."""

    id: int
    author_name: str
    text: str


@dataclass(frozen=True)
class StoryScore:
    story: BoardStory
    nominations: int


def record_story(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    author_id: str,
    author_name: str,
    text: str,
    now: datetime,
    source: str = "command",
    message_id: str | None = None,
) -> Story | None:
    """Store a story. None if a story from this same message was already stored."""
    story = Story(
        workspace_id=workspace_id,
        channel_id=channel_id,
        author_id=author_id,
        author_name=author_name[:120],
        text=text,
        source=source,
        message_id=message_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(story)
            session.flush()
    except sa.exc.IntegrityError:
        return None
    # The periods it was told in, for the period boards (their tallies: migration 0028).
    workspace = session.get(Workspace, workspace_id)
    tz = workspace.timezone if workspace is not None else "UTC"
    for period in periods_of(now, tz):
        session.add(
            StoryPeriod(story_id=story.id, period=period, workspace_id=workspace_id, created_at=now)
        )
    session.flush()
    return story


def get_story(*, session: Session, workspace_id: int, story_id: int) -> Story | None:
    statement = select(Story).where(Story.id == story_id, Story.workspace_id == workspace_id)
    return session.exec(statement).first()


def story_for_message(
    *, session: Session, workspace_id: int, channel_id: str, message_id: str
) -> Story | None:
    statement = select(Story).where(
        Story.workspace_id == workspace_id,
        Story.channel_id == channel_id,
        Story.message_id == message_id,
    )
    return session.exec(statement).first()


def set_story_message(*, session: Session, story: Story, message_id: str) -> Story:
    story.message_id = message_id
    session.add(story)
    return story


def edit_story(*, session: Session, story: Story, text: str) -> Story:
    story.text = text
    session.add(story)
    return story


def delete_story(*, session: Session, story: Story) -> int:
    """Delete a story with its nominations and its heroes; the number of votes gone."""
    where = (Nomination.workspace_id == story.workspace_id, Nomination.story_id == story.id)
    votes = session.exec(select(sa.func.count(Nomination.id)).where(*where)).one()
    session.exec(delete(Nomination).where(*where))
    session.exec(
        delete(StoryHero).where(
            StoryHero.workspace_id == story.workspace_id, StoryHero.story_id == story.id
        )
    )
    session.exec(delete(StoryPeriod).where(StoryPeriod.story_id == story.id))
    session.delete(story)
    session.flush()
    return int(votes)


def _upsert(session: Session):
    return upsert(session, Nomination.__table__)


def add_nomination(
    *, session: Session, story: Story, voter_id: str, now: datetime, at: datetime | None = None
) -> bool:
    """One vote per person per story: False when it was counted already (or taken back later).

    ``at`` is when the person decided (the platform's event time); a removal decided
    later than ``at`` wins even if it was handled first. Of two decided at the same
    moment, the one handled last wins.
    """
    at = at or now
    c = Nomination.__table__.c
    inserted = session.execute(
        _upsert(session)
        .values(
            workspace_id=story.workspace_id,
            story_id=story.id,
            voter_id=voter_id,
            created_at=now,
            active=True,
            decided_at=at,
        )
        .on_conflict_do_nothing(index_elements=["story_id", "voter_id"])
        .returning(c.id)
    ).first()
    if inserted is not None:
        return True
    mine = sa.and_(c.story_id == story.id, c.voter_id == voter_id, c.decided_at <= at)
    revived = session.execute(
        sa.update(Nomination.__table__)
        .where(mine, c.active.is_(False))
        .values(active=True, decided_at=at, created_at=now)
        .returning(c.id)
    ).first()
    if revived is None:  # already counted: remember the later decision all the same
        session.execute(sa.update(Nomination.__table__).where(mine).values(decided_at=at))
    return revived is not None


def remove_nomination(
    *, session: Session, story: Story, voter_id: str, now: datetime, at: datetime | None = None
) -> bool:
    """Take a vote back. A vote added later than ``at`` stays. True when one stopped counting."""
    at = at or now
    c = Nomination.__table__.c
    statement = _upsert(session).values(
        workspace_id=story.workspace_id,
        story_id=story.id,
        voter_id=voter_id,
        created_at=now,
        active=False,
        decided_at=at,
    )
    was_active = session.execute(
        sa.select(c.active).where(c.story_id == story.id, c.voter_id == voter_id)
    ).scalar()
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["story_id", "voter_id"],
            set_={"active": False, "decided_at": at},
            where=c.decided_at <= at,
        )
    )
    return bool(was_active)


def nomination_count(*, session: Session, story: Story) -> int:
    statement = select(sa.func.count(Nomination.id)).where(
        Nomination.workspace_id == story.workspace_id,
        Nomination.story_id == story.id,
        Nomination.active,
    )
    return session.exec(statement).one()


def top_stories(
    *,
    session: Session,
    workspace_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    period: str | None = None,
    limit: int = 5,
) -> list[StoryScore]:
    """The top stories shared in [since, until), or in ``period`` (a key like "2026-11"):
    most votes first, ties to the earliest.

    One statement on the stored counts (``Story.votes``), never the votes themselves:
    all time reads ``ix_story_top`` from the top; a period only that period's stories
    (``ix_story_board``). Who is credited (the heroes) is ``bot.storage.heroes``'s.
    """
    if period is not None:
        return _period_stories(session, workspace_id, period, limit)
    s = Story.__table__.c
    scope = [s.workspace_id == workspace_id, s.votes > 0]
    if since is not None:
        scope.append(s.created_at >= since)
    if until is not None:
        scope.append(s.created_at < until)
    top = session.execute(
        sa.select(s.id, s.author_name, s.text, s.votes)
        .where(*scope)
        .order_by(s.votes.desc(), s.created_at, s.id)
        .limit(limit)
    ).all()
    return [StoryScore(BoardStory(i, author, text), int(votes)) for i, author, text, votes in top]


def _period_stories(session: Session, workspace_id: int, period: str, limit: int):
    """A period's top stories: the first rows of ``ix_story_period_board``, then those
    stories by id (their teller and text): as many rows as the board shows."""
    p, s = StoryPeriod.__table__.c, Story.__table__.c
    top = (
        sa.select(p.story_id, p.votes, p.created_at)
        .where(p.workspace_id == workspace_id, p.period == period, p.votes > 0)
        .order_by(p.votes.desc(), p.created_at, p.story_id)
        .limit(limit)
        .subquery("top")
    )
    rows = session.execute(
        sa.select(s.id, s.author_name, s.text, top.c.votes)
        .join_from(top, Story.__table__, s.id == top.c.story_id)
        .where(s.workspace_id == workspace_id)
        .order_by(top.c.votes.desc(), top.c.created_at, top.c.story_id)
    ).all()
    return [StoryScore(BoardStory(i, author, text), int(votes)) for i, author, text, votes in rows]


# -- for the clock: many workspaces at once, one query per batch of them ------------


@dataclass(frozen=True)
class NominatedStory:
    """A story with at least one nomination: what the WOW of the week chooses from."""

    story_id: int
    workspace_id: int
    channel_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    nominations: int
    heroes: tuple[Hero, ...] = ()  # who it is about, in the order they were named


def latest_story_times(
    *, session: Session, workspace_ids: Iterable[int], since: datetime, batch: int = 500
) -> dict[tuple[int, str], datetime]:
    """The newest story shared since ``since`` in each channel of these workspaces."""
    s = Story.__table__.c
    latest: dict[tuple[int, str], datetime] = {}
    for ids in id_batches(session, workspace_ids, batch):
        statement = (
            sa.select(s.workspace_id, s.channel_id, sa.func.max(s.created_at))
            .where(in_ids(session, s.workspace_id, ids), s.created_at >= since)
            .group_by(s.workspace_id, s.channel_id)
        )
        for workspace_id, channel_id, newest in session.execute(statement):
            latest[(workspace_id, channel_id)] = newest
    return latest


def best_story_per_channel(
    *,
    session: Session,
    workspace_ids: Iterable[int],
    since: datetime,
    until: datetime,
    batch: int = 500,
) -> dict[tuple[int, str], NominatedStory]:
    """Each channel's most-nominated story shared in [since, until), with its heroes,
    chosen in SQL.

    Ties go to the story shared first (then the lower id). One query per ``batch`` of
    workspaces: the stored counts (``Story.votes``, kept by the nomination trigger) are
    ranked in the database, not read row by row, and each winner's heroes come joined
    to it (a row per hero, in its own workspace), not asked for by id afterwards.
    """
    s = Story.__table__.c
    h = StoryHero.__table__.c
    columns = (s.id, s.workspace_id, s.channel_id, s.author_id, s.author_name, s.text, s.created_at)
    best: dict[tuple[int, str], NominatedStory] = {}
    heroes: dict[tuple[int, str], list[Hero]] = defaultdict(list)
    for ids in id_batches(session, workspace_ids, batch):
        rank = sa.func.row_number().over(
            partition_by=(s.workspace_id, s.channel_id),
            order_by=(s.votes.desc(), s.created_at, s.id),
        )
        ranked = (
            sa.select(*columns, s.votes, rank.label("rank"))
            .where(
                in_ids(session, s.workspace_id, ids),
                s.created_at >= since,
                s.created_at < until,
                s.votes > 0,
            )
            .subquery("ranked")
        )
        winner = (ranked.c.workspace_id, ranked.c.channel_id)
        rows = session.execute(
            sa.select(*(ranked.c[c.name] for c in (*columns, s.votes)), h.user_id, h.name)
            .outerjoin(
                StoryHero.__table__,
                sa.and_(h.workspace_id == ranked.c.workspace_id, h.story_id == ranked.c.id),
            )
            .where(ranked.c.rank == 1)
            .order_by(*winner, h.id)
        ).all()
        for *row, votes, user_id, name in rows:
            key = (row[1], row[2])
            if key not in best:
                best[key] = NominatedStory(*row, nominations=int(votes))
            if user_id is not None:
                heroes[key].append(Hero(user_id, name))
    for key, found in heroes.items():
        best[key] = replace(best[key], heroes=tuple(found))
    return best
