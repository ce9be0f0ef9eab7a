"""Who each WOW story is about (its heroes), and stories still waiting to be told who."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.hero_tally import HeroTally
from bot.storage.models import NAME_MAX, Story, StoryDraft, StoryHero
from bot.storage.period_tally import HeroPeriodTally


@dataclass(frozen=True)
class Hero:
    user_id: str  # the platform's id, or ``name:<name>`` for a typed name only
    name: str


@dataclass(frozen=True)
class HeroScore:
    user_id: str
    name: str
    nominations: int
    stories: int


def name_key(name: str) -> str:
    """The id kept for a hero known only by a typed name."""
    return f"name:{' '.join(name.split()).casefold()}"


def set_heroes(*, session: Session, story: Story, heroes: Sequence[Hero]) -> list[Hero]:
    """Record who ``story`` is about (each person once, in the order given)."""
    seen: dict[str, Hero] = {}
    for hero in heroes:
        seen.setdefault(hero.user_id, hero)
    for hero in seen.values():
        session.add(
            StoryHero(
                workspace_id=story.workspace_id,
                story_id=story.id,
                user_id=hero.user_id,
                name=hero.name[:NAME_MAX],
            )
        )
    session.flush()
    return list(seen.values())


def heroes_of(
    *, session: Session, workspace_id: int, story_ids: Iterable[int]
) -> dict[int, list[Hero]]:
    """Each story's heroes, in the order they were named."""
    ids = sorted(set(story_ids))
    found: dict[int, list[Hero]] = defaultdict(list)
    if not ids:
        return found
    h = StoryHero.__table__.c
    rows = session.execute(
        sa.select(h.story_id, h.user_id, h.name)
        .where(h.workspace_id == workspace_id, h.story_id.in_(ids))
        .order_by(h.story_id, h.id)
    )
    for story_id, user_id, name in rows:
        found[story_id].append(Hero(user_id, name))
    return found


def is_hero(*, session: Session, story: Story, user_id: str) -> bool:
    h = StoryHero.__table__.c
    statement = sa.select(h.id).where(
        h.workspace_id == story.workspace_id, h.story_id == story.id, h.user_id == user_id
    )
    return session.execute(statement.limit(1)).first() is not None


def top_heroes(
    *,
    session: Session,
    workspace_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    period: str | None = None,
    limit: int = 5,
) -> list[HeroScore]:
    """The people whose stories drew the most counted votes in [since, until) (None: open).

    A story about two people counts its votes for each of them. Stories with no
    hero (told before heroes were recorded) count for nobody.
    """
    if period is not None:
        return _period_heroes(session, workspace_id, period, limit)
    if since is None and until is None:
        return _all_time_heroes(session, workspace_id, limit)
    s, h = Story.__table__.c, StoryHero.__table__.c
    # Only stories with votes can put anyone on the board: read those first (the month's
    # through ``ix_story_board``, all time through ``ix_story_top``), then their heroes.
    voted = [s.workspace_id == workspace_id, s.votes > 0]
    if since is not None:
        voted.append(s.created_at >= since)
    if until is not None:
        voted.append(s.created_at < until)
    scored = sa.select(s.id, s.votes).where(*voted).subquery("scored")
    total = sa.func.sum(scored.c.votes)  # each story's stored count of the votes that count
    rows = session.execute(
        sa.select(h.user_id, total, sa.func.count(), _latest_name(workspace_id, h.user_id))
        .join_from(scored, StoryHero.__table__, h.story_id == scored.c.id)
        .where(h.workspace_id == workspace_id)
        .group_by(h.user_id)
        .order_by(total.desc(), h.user_id)
        .limit(limit)
    ).all()
    return [
        HeroScore(user_id, name or user_id, int(count), int(stories))
        for user_id, count, stories, name in rows
    ]


def _all_time_heroes(session: Session, workspace_id: int, limit: int) -> list[HeroScore]:
    """All time: the stored per-hero totals (``hero_tally``, kept by triggers), read from
    the top of ``ix_hero_tally_board``; the same answer as adding up every voted story."""
    t = HeroTally.__table__.c
    rows = session.execute(
        sa.select(t.user_id, t.votes, t.stories, _latest_name(workspace_id, t.user_id))
        .where(t.workspace_id == workspace_id, t.votes > 0)
        .order_by(t.votes.desc(), t.user_id)
        .limit(limit)
    ).all()
    return [
        HeroScore(user_id, name or user_id, votes, count) for user_id, votes, count, name in rows
    ]


def _period_heroes(session: Session, workspace_id: int, period: str, limit: int):
    """A period's (a key like "2026-11"): the top rows of ``ix_hero_period_board``, kept by
    triggers (migration 0028); the same answer as adding up the period's voted stories."""
    t = HeroPeriodTally.__table__.c
    rows = session.execute(
        sa.select(t.user_id, t.votes, t.stories, _latest_name(workspace_id, t.user_id))
        .where(t.workspace_id == workspace_id, t.period == period, t.votes > 0)
        .order_by(t.votes.desc(), t.user_id)
        .limit(limit)
    ).all()
    return [
        HeroScore(user_id, name or user_id, votes, count) for user_id, votes, count, name in rows
    ]


def _latest_name(workspace_id: int, user_id: sa.ColumnElement[str]) -> sa.ScalarSelect:
    """The name a hero was last recorded under, for each row of the board's own query: one
    row of ``ix_story_hero_person`` per person shown (PostgreSQL evaluates it after the
    LIMIT), where a query per person cost a round trip each."""
    latest = StoryHero.__table__.alias("latest")
    return (
        sa.select(latest.c.name)
        .where(latest.c.workspace_id == workspace_id, latest.c.user_id == user_id)
        .order_by(latest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def known_people(*, session: Session, workspace_id: int, name: str) -> list[Hero]:
    """People of this workspace Huddle has seen by this name (tellers and heroes)."""
    wanted = " ".join(name.split()).casefold()
    s, h = Story.__table__.c, StoryHero.__table__.c
    tellers = sa.select(s.author_id, s.author_name).where(s.workspace_id == workspace_id)
    heroes = sa.select(h.user_id, h.name).where(
        h.workspace_id == workspace_id, ~h.user_id.startswith("name:")
    )
    found: dict[str, Hero] = {}
    for user_id, shown in session.execute(sa.union(tellers, heroes)):
        if " ".join(shown.split()).casefold() == wanted:
            found.setdefault(user_id, Hero(user_id, shown))
    return list(found.values())


# -- drafts: a story told without naming who it is about --------------------------------


def save_draft(
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
    thread_id: str | None = None,
) -> StoryDraft:
    draft = StoryDraft(
        workspace_id=workspace_id,
        channel_id=channel_id,
        author_id=author_id,
        author_name=author_name[:NAME_MAX],
        text=text,
        source=source,
        message_id=message_id,
        thread_id=thread_id,
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def get_draft(*, session: Session, workspace_id: int, draft_id: int) -> StoryDraft | None:
    statement = select(StoryDraft).where(
        StoryDraft.id == draft_id, StoryDraft.workspace_id == workspace_id
    )
    return session.exec(statement).first()


def drop_draft(*, session: Session, draft: StoryDraft) -> None:
    session.delete(draft)
    session.flush()


# A story whose teller never said who it was about is forgotten after this long.
KEEP_DRAFTS_FOR = timedelta(days=7)


def purge_drafts(*, session: Session, now: datetime) -> int:
    """Forget drafts nobody finished within ``KEEP_DRAFTS_FOR``; how many went."""
    old = StoryDraft.created_at < now - KEEP_DRAFTS_FOR
    result = session.execute(sa.delete(StoryDraft).where(old))
    return result.rowcount or 0
