"""The all-time Top people from the stored per-hero tally equal adding up every voted story."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage import db, heroes, stories, workspaces
from bot.storage.hero_tally import HeroTally
from bot.storage.models import Nomination, Story, StoryHero

NOW = datetime(2026, 12, 15, 9, tzinfo=UTC)


def _workspace(session: Session, external_id: str) -> int:
    return workspaces.ensure_workspace(
        session=session, platform="slack", external_id=external_id, default_timezone="UTC", now=NOW
    ).id


def _story(session: Session, workspace_id: int, n: int, about: list[str]) -> Story:
    story = stories.record_story(
        session=session,
        workspace_id=workspace_id,
        channel_id="C1",
        author_id=f"U-teller{n % 3}",
        author_name="Teller",
        text=f"story {n}",
        now=NOW - timedelta(days=n),
    )
    session.flush()
    heroes.set_heroes(
        session=session, story=story, heroes=[heroes.Hero(u, f"{u} as of {n}") for u in about]
    )
    return story


def added_up(session: Session, workspace_id: int) -> list[tuple[str, int, int]]:
    """The board as it was read before the tally: every voted story's heroes summed."""
    s, h = Story.__table__.c, StoryHero.__table__.c
    scored = sa.select(s.id, s.votes).where(s.workspace_id == workspace_id, s.votes > 0).subquery()
    total = sa.func.sum(scored.c.votes)
    rows = session.execute(
        sa.select(h.user_id, total, sa.func.count())
        .join_from(scored, StoryHero.__table__, h.story_id == scored.c.id)
        .where(h.workspace_id == workspace_id)
        .group_by(h.user_id)
        .order_by(total.desc(), h.user_id)
    ).all()
    return [(u, int(votes), int(n)) for u, votes, n in rows]


def from_the_tally(session: Session, workspace_id: int) -> list[tuple[str, int, int]]:
    board = heroes.top_heroes(session=session, workspace_id=workspace_id, limit=1000)
    return [(p.user_id, p.nominations, p.stories) for p in board]


def test_the_tally_equals_adding_up_every_voted_story_after_an_uneven_history(engine):
    rng = random.Random(21)
    people = [f"U{i}" for i in range(8)] + ["name:priya"]
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ours, theirs = _workspace(session, "T1"), _workspace(session, "T2")
        made = []
        for n in range(50):
            workspace = ours if n % 4 else theirs
            about = rng.sample(people, rng.choice([0, 1, 1, 2, 3]))
            made.append(_story(session, workspace, n, about))
        for _ in range(400):
            story, voter = rng.choice(made), f"V{rng.randrange(12)}"
            write = stories.add_nomination if rng.random() < 0.7 else stories.remove_nomination
            write(session=session, story=story, voter_id=voter, now=NOW)
        # A hero row scoped to the other workspace never counts (as on the board before).
        session.add(StoryHero(workspace_id=theirs, story_id=made[1].id, user_id="U0", name="x"))
        session.flush()
    with Session(engine) as session, session.begin():
        for story in made[5:9]:  # stories deleted with their votes and heroes
            found = stories.get_story(
                session=session, workspace_id=story.workspace_id, story_id=story.id
            )
            stories.delete_story(session=session, story=found)
        # Writes that bypass the storage functions are kept all the same.
        session.execute(
            sa.update(Nomination).where(Nomination.voter_id == "V3").values(active=False)
        )
        session.execute(sa.delete(Nomination).where(Nomination.voter_id == "V4"))
        session.execute(sa.delete(StoryHero).where(StoryHero.story_id == made[10].id))
        session.execute(
            sa.update(StoryHero).where(StoryHero.story_id == made[11].id).values(user_id="U7")
        )
    with Session(engine) as session:
        for workspace in (ours, theirs):
            expected = added_up(session, workspace)
            assert from_the_tally(session, workspace) == expected
            assert len(expected) >= 3
        # Its first five as the board shows them, with each person's latest name.
        top = heroes.top_heroes(session=session, workspace_id=ours)
        assert [(p.user_id, p.nominations, p.stories) for p in top] == added_up(session, ours)[:5]
        assert all(" as of " in p.name for p in top if p.user_id != "U7")


def test_voters_racing_on_stories_about_the_same_people_leave_the_tally_exact(engine):
    with Session(engine) as session, session.begin():
        workspace = _workspace(session, "T1")
        made = [
            (_story(session, workspace, n, about)).id
            for n, about in enumerate([["U1", "U2"], ["U2", "U1"], ["U1"], ["U2", "U3", "U1"]])
        ]

    def vote(i: int) -> None:
        with Session(engine) as session, session.begin():
            story = stories.get_story(
                session=session, workspace_id=workspace, story_id=made[i % len(made)]
            )
            voter, at = f"V{i % 5}", NOW + timedelta(seconds=i)
            if i % 3:
                stories.add_nomination(session=session, story=story, voter_id=voter, now=at)
            else:
                stories.remove_nomination(session=session, story=story, voter_id=voter, now=at)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(vote, range(60)))
    with Session(engine) as session:
        assert from_the_tally(session, workspace) == added_up(session, workspace)


def test_upgrading_fills_the_tally_from_the_stories_votes(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0019_fail_to_attend")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', '2026-11-02 09:00:00')"
            )
        )
        for n in (1, 2, 3):
            connection.execute(
                sa.text(
                    "INSERT INTO story (workspace_id, channel_id, author_id, author_name, text, "
                    "source, created_at) VALUES (1, 'C1', 'U9', 'Jo', :text, 'command', "
                    "'2026-11-02 10:00:00')"
                ),
                {"text": f"story {n}"},
            )
        for story_id, user_id in ((1, "U1"), (1, "U2"), (2, "U1"), (3, "U3")):
            connection.execute(
                sa.text(
                    "INSERT INTO story_hero (workspace_id, story_id, user_id, name) "
                    "VALUES (1, :story, :user, :user)"
                ),
                {"story": story_id, "user": user_id},
            )
        for story_id, voter in ((1, "V1"), (1, "V2"), (2, "V1")):  # story 3 has no votes
            connection.execute(
                sa.text(
                    "INSERT INTO nomination (workspace_id, story_id, voter_id, created_at, "
                    "active, decided_at) VALUES (1, :story, :voter, '2026-11-02 10:00:00', "
                    ":yes, '2026-11-02 10:00:00')"
                ),
                {"story": story_id, "voter": voter, "yes": True},
            )
    db.upgrade(engine)
    with Session(engine) as session:
        assert from_the_tally(session, 1) == [("U1", 3, 2), ("U2", 2, 1)] == added_up(session, 1)
        rows = session.execute(sa.select(HeroTally.user_id, HeroTally.votes)).all()
        assert sorted(rows) == [("U1", 3), ("U2", 2), ("U3", 0)]
        # And the triggers keep it from here.
        story = stories.get_story(session=session, workspace_id=1, story_id=3)
        stories.add_nomination(session=session, story=story, voter_id="V1", now=NOW)
        session.flush()
        assert from_the_tally(session, 1) == [("U1", 3, 2), ("U2", 2, 1), ("U3", 1, 1)]
    engine.dispose()
