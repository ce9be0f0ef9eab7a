"""The period boards from their stored tallies equal reading the period's stories, as before.

The week's, month's, quarter's and year's Top stories and Top people are read from
``story_period`` and ``hero_period_tally`` (kept by triggers, migration 0028); here they
are checked against the old reading (every voted story of [since, until) added up) over
an uneven history in a timezone far from UTC, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.periods import read_period
from bot.storage import db, heroes, stories, workspaces
from bot.storage.models import Nomination, Story, StoryHero, Workspace
from bot.storage.period_tally import HeroPeriodTally, StoryPeriod, periods_of

NOW = datetime(2026, 12, 15, 9, tzinfo=UTC)
SYDNEY = "Australia/Sydney"


def _workspace(session: Session, external_id: str, tz: str) -> int:
    found = workspaces.ensure_workspace(
        session=session, platform="slack", external_id=external_id, default_timezone=tz, now=NOW
    )
    found.timezone = tz
    session.add(found)
    session.flush()
    return found.id


def _story(session: Session, workspace_id: int, n: int, at: datetime, about: list[str]) -> Story:
    story = stories.record_story(
        session=session,
        workspace_id=workspace_id,
        channel_id="C1",
        author_id=f"U-teller{n % 3}",
        author_name="Teller",
        text=f"story {n}",
        now=at,
    )
    heroes.set_heroes(
        session=session, story=story, heroes=[heroes.Hero(u, f"{u} as of {n}") for u in about]
    )
    return story


def boards(session: Session, workspace_id: int, **which) -> tuple[list, list]:
    top = stories.top_stories(session=session, workspace_id=workspace_id, limit=1000, **which)
    people = heroes.top_heroes(session=session, workspace_id=workspace_id, limit=1000, **which)
    return (
        [(s.story.id, s.nominations) for s in top],
        [(p.user_id, p.nominations, p.stories) for p in people],
    )


def periods_seen(now: datetime, tz: str) -> list:
    """Every week, month, quarter and year the history touches, as people ask for them."""
    asked = []
    for days in range(0, 420, 3):
        moment = now - timedelta(days=days)
        for kind in ("week", "month", "quarter", "year"):
            asked.append(read_period(kind, now=moment, tz=tz))
    return list({p.key: p for p in asked}.values())


def test_each_period_board_equals_reading_the_period_s_stories_after_an_uneven_history(engine):
    rng = random.Random(28)
    people = [f"U{i}" for i in range(8)] + ["name:priya"]
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ours, theirs = _workspace(session, "T1", SYDNEY), _workspace(session, "T2", "UTC")
        made = []
        for n in range(90):
            workspace = ours if n % 4 else theirs
            # Bunched unevenly: most in the last weeks, some a year back, some at midnight
            # on a period's edge (Sunday night, the last evening of a month or quarter).
            back = rng.choice([rng.uniform(0, 20), rng.uniform(0, 400), 14.9, 45.6, 75.6])
            at = NOW - timedelta(days=back, minutes=rng.randrange(60 * 24))
            about = rng.sample(people, rng.choice([0, 1, 1, 2, 3]))
            made.append(_story(session, workspace, n, at, about))
        for _ in range(700):
            story, voter = rng.choice(made), f"V{rng.randrange(12)}"
            write = stories.add_nomination if rng.random() < 0.7 else stories.remove_nomination
            write(session=session, story=story, voter_id=voter, now=NOW)
        session.add(StoryHero(workspace_id=theirs, story_id=made[1].id, user_id="U0", name="x"))
        session.flush()
    with Session(engine) as session, session.begin():
        for story in made[5:9]:  # deleted with their votes and heroes
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
    compared = 0
    with Session(engine) as session:
        for workspace, tz in ((ours, SYDNEY), (theirs, "UTC")):
            for period in periods_seen(NOW, tz):
                since, until = period.window()
                old = boards(session, workspace, since=since, until=until)
                assert boards(session, workspace, period=period.key) == old, period.key
                compared += bool(old[0])
        assert compared > 30  # most periods had voted stories to compare
        # The board as the leaderboard shows it: the first five, latest names.
        month = read_period("month", now=NOW, tz=SYDNEY)
        top = heroes.top_heroes(session=session, workspace_id=ours, period=month.key)
        since, until = month.window()
        assert [(p.user_id, p.nominations) for p in top] == [
            (p.user_id, p.nominations)
            for p in heroes.top_heroes(session=session, workspace_id=ours, since=since)
        ]


def test_voters_racing_on_stories_about_the_same_people_leave_the_period_tallies_exact(engine):
    with Session(engine) as session, session.begin():
        workspace = _workspace(session, "T1", SYDNEY)
        made = [
            _story(session, workspace, n, NOW - timedelta(days=n), about).id
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
        for period in periods_seen(NOW, SYDNEY)[:8]:
            since, until = period.window()
            old = boards(session, workspace, since=since, until=until)
            assert boards(session, workspace, period=period.key) == old, period.key


def test_a_story_s_periods_are_the_keys_people_ask_for():
    for kind in ("week", "month", "quarter", "year"):
        for days in range(0, 800, 7):
            moment = NOW - timedelta(days=days, hours=days % 24)
            period = read_period(kind, now=moment, tz=SYDNEY)
            assert period.key in periods_of(moment, SYDNEY)
            assert period.key in periods_of(period.since, SYDNEY)


def test_a_period_board_reads_an_index_not_the_period_s_stories(engine):
    if engine.dialect.name != "postgresql":
        return  # the plan checked is PostgreSQL's, where the boards are measured
    with Session(engine) as session, session.begin():
        ids = [_workspace(session, f"T{w}", "UTC") for w in range(3)]
        months = [f"2026-{m:02d}" for m in range(1, 13)]
        rows = [
            dict(story_id=n, period=months[n % 12], workspace_id=ids[n % 3], votes=n % 37)
            for n in range(1, 6001)
        ]
        session.execute(
            sa.text(
                "INSERT INTO story (id, workspace_id, channel_id, author_id, author_name, text, "
                "source, created_at, votes) VALUES (:story_id, :workspace_id, 'C1', 'U1', 'Jo', "
                "'s', 'command', now(), :votes)"
            ),
            rows,
        )
        session.execute(
            sa.text(
                "INSERT INTO story_period (story_id, period, workspace_id, created_at, votes) "
                "VALUES (:story_id, :period, :workspace_id, now(), :votes)"
            ),
            rows,
        )
        session.execute(
            sa.text(
                "INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories) "
                "VALUES (:workspace_id, :period, 'U' || :story_id, :votes, 1)"
            ),
            rows,
        )
        session.execute(sa.text("ANALYZE story_period"))
        session.execute(sa.text("ANALYZE hero_period_tally"))
        for statement, index in (
            (
                f"SELECT story_id, votes FROM story_period WHERE workspace_id = {ids[0]} "
                "AND period = '2026-12' AND votes > 0 "
                "ORDER BY votes DESC, created_at, story_id LIMIT 5",
                "ix_story_period_board",
            ),
            (
                f"SELECT user_id, votes FROM hero_period_tally WHERE workspace_id = {ids[0]} "
                "AND period = '2026-12' AND votes > 0 ORDER BY votes DESC, user_id LIMIT 5",
                "ix_hero_period_board",
            ),
        ):
            plan = "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN {statement}")))
            assert f"using {index}" in plan and "Seq Scan" not in plan, plan
            # Read in the board's order from the top: the tie-breaks are an incremental
            # sort among equal votes, never a sort of the period's rows.
            assert not re.search(r"(^|->  )Sort ", plan, re.MULTILINE), plan


def test_upgrading_fills_the_period_tallies_in_each_practice_s_timezone(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0027_tidbits_setting")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'Australia/Sydney', '2026-11-02 09:00:00')"
            )
        )
        # 30 November 14:00 UTC is 1 December in Sydney: December's, not November's.
        for n, at in ((1, "2026-11-30 14:00:00"), (2, "2026-11-20 10:00:00")):
            connection.execute(
                sa.text(
                    "INSERT INTO story (workspace_id, channel_id, author_id, author_name, text, "
                    "source, created_at, votes) VALUES (1, 'C1', 'U9', 'Jo', :text, 'command', "
                    ":at, 0)"
                ),
                {"text": f"story {n}", "at": at},
            )
        for story_id, user_id in ((1, "U1"), (2, "U1"), (2, "U2")):
            connection.execute(
                sa.text(
                    "INSERT INTO story_hero (workspace_id, story_id, user_id, name) "
                    "VALUES (1, :story, :user, :user)"
                ),
                {"story": story_id, "user": user_id},
            )
        for story_id, voter in ((1, "V1"), (1, "V2"), (2, "V1")):
            connection.execute(
                sa.text(
                    "INSERT INTO nomination (workspace_id, story_id, voter_id, created_at, "
                    "active, decided_at) VALUES (1, :story, :voter, '2026-12-01 10:00:00', "
                    ":yes, '2026-12-01 10:00:00')"
                ),
                {"story": story_id, "voter": voter, "yes": True},
            )
    db.upgrade(engine)
    with Session(engine) as session:
        assert session.get(Workspace, 1).timezone == SYDNEY
        rows = session.execute(sa.select(StoryPeriod.story_id, StoryPeriod.period)).all()
        assert sorted(rows) == [
            (1, "2026"),
            (1, "2026-12"),
            (1, "2026-Q4"),
            (1, "2026-W49"),
            (2, "2026"),
            (2, "2026-11"),
            (2, "2026-Q4"),
            (2, "2026-W47"),
        ]
        december = boards(session, 1, period="2026-12")
        assert december == ([(1, 2)], [("U1", 2, 1)])
        assert boards(session, 1, period="2026-Q4") == (
            [(1, 2), (2, 1)],
            [("U1", 3, 2), ("U2", 1, 1)],
        )
        # And the triggers keep it from here.
        story = stories.get_story(session=session, workspace_id=1, story_id=2)
        stories.add_nomination(session=session, story=story, voter_id="V3", now=NOW)
        session.flush()
        assert boards(session, 1, period="2026-11") == ([(2, 2)], [("U1", 2, 1), ("U2", 2, 1)])
        tallied = session.execute(sa.select(sa.func.count()).select_from(HeroPeriodTally)).scalar()
        assert tallied == 10  # U1 in the 6 periods of its two stories, U2 in story 2's 4
    engine.dispose()
