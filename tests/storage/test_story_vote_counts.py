"""A story's stored vote count always equals its active nominations, and the boards read it."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage import db, stories, workspaces
from bot.storage.models import Nomination, Story

NOW = datetime(2026, 12, 15, 9, tzinfo=UTC)


def _workspace(session: Session, external_id: str = "T1") -> int:
    found = workspaces.ensure_workspace(
        session=session, platform="slack", external_id=external_id, default_timezone="UTC", now=NOW
    )
    return found.id


def _story(session: Session, workspace_id: int, author: str, days_ago: float = 0) -> Story:
    return stories.record_story(
        session=session,
        workspace_id=workspace_id,
        channel_id="C1",
        author_id=author,
        author_name=f"Name {author}",
        text=f"a story by {author}",
        now=NOW - timedelta(days=days_ago),
    )


def _stored_and_counted(engine) -> tuple[dict[int, int], dict[int, int]]:
    s, n = Story.__table__.c, Nomination.__table__.c
    with engine.connect() as connection:
        stored = dict(connection.execute(sa.select(s.id, s.votes)).all())
        counted = dict(
            connection.execute(
                sa.select(s.id, sa.func.count(n.id))
                .outerjoin(
                    Nomination.__table__,
                    sa.and_(n.story_id == s.id, n.workspace_id == s.workspace_id, n.active),
                )
                .group_by(s.id)
            ).all()
        )
    return stored, counted


def test_every_kind_of_vote_write_keeps_the_stored_count(engine):
    with Session(engine) as session, session.begin():
        w = _workspace(session)
        story = _story(session, w, "U-alex")
        session.flush()
        for voter in ("U-sam", "U-jo", "U-kim"):
            stories.add_nomination(session=session, story=story, voter_id=voter, now=NOW)
        stories.add_nomination(session=session, story=story, voter_id="U-sam", now=NOW)  # again
        stories.remove_nomination(session=session, story=story, voter_id="U-jo", now=NOW)
        stories.remove_nomination(session=session, story=story, voter_id="U-nobody", now=NOW)
        later = NOW + timedelta(minutes=1)
        stories.add_nomination(session=session, story=story, voter_id="U-jo", now=later)  # back
        # A removal decided before the vote it would take back loses: still counted.
        stories.remove_nomination(
            session=session, story=story, voter_id="U-kim", now=later, at=NOW - timedelta(hours=1)
        )
    assert _stored_and_counted(engine) == ({1: 3}, {1: 3})

    with Session(engine) as session, session.begin():
        # Statements that bypass the storage functions are counted all the same.
        session.execute(
            sa.update(Nomination).where(Nomination.voter_id == "U-sam").values(active=False)
        )
        session.execute(sa.delete(Nomination).where(Nomination.voter_id == "U-kim"))
    assert _stored_and_counted(engine) == ({1: 1}, {1: 1})


def test_a_vote_row_scoped_to_another_workspace_never_counts_on_the_story(engine):
    with Session(engine) as session, session.begin():
        ours, theirs = _workspace(session, "T1"), _workspace(session, "T2")
        story = _story(session, ours, "U-alex")
        session.flush()
        session.execute(
            sa.insert(Nomination),
            [
                dict(workspace_id=theirs, story_id=story.id, voter_id="U-x", created_at=NOW)
                | dict(decided_at=NOW, active=True)
            ],
        )
    assert _stored_and_counted(engine) == ({1: 0}, {1: 0})


def test_voters_racing_on_one_story_leave_the_count_exact(engine):
    with Session(engine) as session, session.begin():
        story = _story(session, _workspace(session), "U-alex")
        session.flush()
        story_id, workspace_id = story.id, story.workspace_id

    def vote(i: int) -> None:
        with Session(engine) as session, session.begin():
            story = stories.get_story(session=session, workspace_id=workspace_id, story_id=story_id)
            at = NOW + timedelta(seconds=i)
            voter = f"U{i % 7}"
            if i % 3:
                stories.add_nomination(session=session, story=story, voter_id=voter, now=at)
            else:
                stories.remove_nomination(session=session, story=story, voter_id=voter, now=at)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(vote, range(60)))

    stored, counted = _stored_and_counted(engine)
    assert stored == counted


def test_the_board_from_stored_counts_is_the_board_from_counting_the_votes(engine):
    rng = random.Random(7)
    with Session(engine) as session, session.begin():
        w = _workspace(session)
        made = [
            _story(session, w, f"U{rng.randrange(6)}", days_ago=rng.uniform(0, 60))
            for _ in range(40)
        ]
        session.flush()
        for _ in range(300):
            story, voter = rng.choice(made), f"V{rng.randrange(15)}"
            write = stories.add_nomination if rng.random() < 0.7 else stories.remove_nomination
            write(session=session, story=story, voter_id=voter, now=NOW)

    since = NOW - timedelta(days=20)
    with Session(engine) as session:
        all_time = stories.top_stories(session=session, workspace_id=w)
        period = stories.top_stories(session=session, workspace_id=w, since=since)
        rows = session.execute(
            sa.select(Story.id, Story.author_id, Story.author_name, Story.created_at)
        ).all()
        active = (
            session.execute(sa.select(Nomination.story_id).where(Nomination.active)).scalars().all()
        )

    def expected(start):
        chosen = [r for r in rows if start is None or r.created_at >= start]
        votes = {r.id: active.count(r.id) for r in chosen}
        top = sorted(
            (r for r in chosen if votes[r.id]), key=lambda r: (-votes[r.id], r.created_at, r.id)
        )
        return [(r.id, votes[r.id]) for r in top[:5]]

    for board, start in ((all_time, None), (period, since)):
        assert [(s.story.id, s.nominations) for s in board] == expected(start)


def test_upgrading_back_fills_each_storys_count_from_its_active_votes(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0014_story_heroes")
    naive = NOW.replace(tzinfo=None)
    with engine.begin() as connection:
        for w in (1, 2):
            connection.execute(
                sa.text(
                    "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                    "VALUES ('slack', :ext, 'UTC', :now)"
                ),
                {"ext": f"T{w}", "now": naive},
            )
        for story_id, w in ((1, 1), (2, 1), (3, 2)):
            connection.execute(
                sa.text(
                    "INSERT INTO story (id, workspace_id, channel_id, author_id, author_name, text, "
                    "source, created_at) VALUES (:id, :w, 'C1', 'U1', 'Alex', 'kept', 'command', :now)"
                ),
                {"id": story_id, "w": w, "now": naive},
            )
        votes = [(1, 1, "V1", True), (1, 1, "V2", True), (1, 1, "V3", False), (2, 1, "V1", False)]
        votes += [(3, 2, "V1", True), (1, 2, "V9", True)]  # the last one scoped to another tenant
        for story_id, w, voter, active in votes:
            connection.execute(
                sa.text(
                    "INSERT INTO nomination (workspace_id, story_id, voter_id, created_at, active, "
                    "decided_at) VALUES (:w, :s, :v, :now, :active, :now)"
                ),
                {"w": w, "s": story_id, "v": voter, "now": naive, "active": active},
            )
    db.upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT id, text, votes FROM story ORDER BY id")).all()
        nominations = connection.execute(sa.text("SELECT count(*) FROM nomination")).scalar_one()
    with Session(engine) as session, session.begin():  # and the count goes on from there
        story = stories.get_story(session=session, workspace_id=1, story_id=2)
        stories.add_nomination(session=session, story=story, voter_id="V1", now=NOW)
    with engine.connect() as connection:
        after = connection.execute(sa.text("SELECT votes FROM story WHERE id = 2")).scalar_one()
    engine.dispose()

    assert [tuple(row) for row in kept] == [(1, "kept", 2), (2, "kept", 0), (3, "kept", 1)]
    assert nominations == 6
    assert after == 1
