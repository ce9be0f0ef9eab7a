"""Migrations build exactly the models' schema, and upgrading never loses data."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.storage import db
from tests.database import insert_row


def test_the_migrated_schema_matches_the_models(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    ours = [d for d in diffs if not _is_foreign_table(d)]
    assert ours == []


def _is_foreign_table(diff) -> bool:
    # Tables owned by libraries (slack-sdk's installation store) are not in our metadata.
    return diff[0] == "remove_table" or (
        diff[0] in {"remove_index", "remove_column"} and "slack_" in str(diff[1])
    )


def test_upgrading_from_the_first_revision_keeps_existing_rows(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0001_foundation")
    now = datetime(2026, 1, 5, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO defect (workspace_id, channel_id, description, reporter_id, "
                "reporter_name, created_at) VALUES (1, 'C1', 'kept waiting', 'U1', 'Sam', :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT description FROM defect")).scalar_one() == (
            "kept waiting"
        )
    engine.dispose()


def test_upgrade_twice_is_harmless_and_there_is_one_line_of_history(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    db.upgrade(engine)
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    assert len(script.get_heads()) == 1
    engine.dispose()


# -- 0005: claims keyed by period -----------------------------------------------------

BEFORE_PERIODS = "0006_vote_order"


def _naive(*args) -> datetime:
    return datetime(*args)  # how a UTC time is stored


def _workspace_with_claims_of_the_old_kind(engine, rule_id: str) -> None:
    """Rows as 0004 stored them: weeks as (iso_year, iso_week)."""
    with engine.begin() as connection:
        insert_row(
            connection,
            "workspace",
            platform="slack",
            external_id="T1",
            timezone="UTC",
            created_at=_naive(2026, 1, 5),
        )
        meeting = dict(workspace_id=1, rule_id=rule_id, claimed_at=_naive(2026, 1, 26, 8))
        insert_row(
            connection,
            "meeting_post",
            **meeting,
            channel_id="C1",
            iso_year=2026,
            iso_week=5,
            status="posted",
            message_id="1800000001.000100",
            attempts=1,
            posted_at=_naive(2026, 1, 26, 8, 0, 3),
        )
        insert_row(
            connection,
            "meeting_post",
            **meeting,
            channel_id="C2",
            iso_year=2026,
            iso_week=53,
            status="failed",
            attempts=2,
            last_error="not_in_channel",
            next_attempt_at=_naive(2026, 12, 28, 8, 4),
        )
        insert_row(
            connection,
            "meeting_post",
            **meeting,
            channel_id="C3",
            iso_year=2027,
            iso_week=1,
            status="claimed",
            attempts=0,
        )
        notice = dict(workspace_id=1, channel_id="C1", iso_year=2026, iso_week=5)
        insert_row(
            connection,
            "clock_notice",
            **notice,
            kind="wow",
            status="sent",
            message_id="1800000002.000100",
            attempts=1,
            claimed_at=_naive(2026, 1, 26, 8, 1),
            sent_at=_naive(2026, 1, 26, 8, 1, 2),
        )
        insert_row(
            connection,
            "clock_notice",
            **notice,
            kind="digest",
            status="none",
            attempts=0,
            claimed_at=_naive(2026, 1, 26, 8, 1),
        )


def test_upgrading_to_periods_keeps_every_claim_as_its_weeks_key(fresh_url):
    from sqlmodel import Session, select

    from bot.storage.models import ClockNotice, MeetingPost

    engine = db.make_engine(fresh_url)
    db.upgrade(engine, BEFORE_PERIODS)
    _workspace_with_claims_of_the_old_kind(engine, rule_id="first-impressions")
    db.upgrade(engine, "0007_clock_periods")  # this revision alone (0009 settles "claimed")
    with Session(engine) as session:
        meetings = {m.channel_id: m for m in session.exec(select(MeetingPost))}
        notices = {n.kind: n for n in session.exec(select(ClockNotice))}
    engine.dispose()

    assert {c: m.period for c, m in meetings.items()} == {
        "C1": "2026-W05",
        "C2": "2026-W53",
        "C3": "2027-W01",
    }
    posted, failed, claimed = meetings["C1"], meetings["C2"], meetings["C3"]
    assert (posted.status, posted.message_id, posted.attempts) == ("posted", "1800000001.000100", 1)
    assert posted.rule_id == "first-impressions"
    assert posted.claimed_at == datetime(2026, 1, 26, 8, tzinfo=UTC)
    assert posted.posted_at == datetime(2026, 1, 26, 8, 0, 3, tzinfo=UTC)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "not_in_channel")
    assert failed.next_attempt_at == datetime(2026, 12, 28, 8, 4, tzinfo=UTC)
    assert (claimed.status, claimed.posted_at) == ("claimed", None)
    assert {k: (n.period, n.status, n.message_id) for k, n in notices.items()} == {
        "wow": ("2026-W05", "sent", "1800000002.000100"),
        "digest": ("2026-W05", "none", None),
    }
    assert notices["wow"].sent_at == datetime(2026, 1, 26, 8, 1, 2, tzinfo=UTC)


async def test_a_week_claimed_before_the_upgrade_is_not_posted_again_after_it(
    fresh_url, settings, content, vault
):
    from bot.clock.config import ClockSettings
    from bot.clock.scheduler import Clock
    from bot.huddle import Huddle
    from tests.clock.conftest import RecordingMessenger
    from tests.conftest import FakeClock

    first, second = content.rules_in_order()[:2]
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, BEFORE_PERIODS)
    with engine.begin() as connection:
        insert_row(
            connection,
            "workspace",
            platform="slack",
            external_id="T1",
            timezone="UTC",
            created_at=_naive(2026, 11, 2),
        )
        for channel in ("C1", "C2", "C3"):  # Mondays at 08:00 UTC, set weeks ago
            insert_row(
                connection,
                "subscription",
                workspace_id=1,
                channel_id=channel,
                weekday=0,
                hour=8,
                minute=0,
                timezone="UTC",
                active=True,
                created_by="U1",
                created_at=_naive(2026, 11, 2),
                updated_at=_naive(2026, 11, 2),
            )
        week_48 = dict(workspace_id=1, iso_year=2026, iso_week=48, rule_id=first.id)
        # C1's meeting of this week went out at 08:00, its WOW and digest with it.
        insert_row(
            connection,
            "meeting_post",
            **week_48,
            channel_id="C1",
            status="posted",
            message_id="1800000001.000100",
            attempts=1,
            claimed_at=_naive(2026, 11, 23, 8),
            posted_at=_naive(2026, 11, 23, 8),
        )
        for kind, status in (("wow", "sent"), ("digest", "none")):
            insert_row(
                connection,
                "clock_notice",
                workspace_id=1,
                channel_id="C1",
                iso_year=2026,
                iso_week=48,
                kind=kind,
                status=status,
                attempts=1,
                claimed_at=_naive(2026, 11, 23, 8),
            )
        # C2's was claimed, then the clock stopped before hearing back: maybe posted.
        insert_row(
            connection,
            "meeting_post",
            **week_48,
            channel_id="C2",
            status="claimed",
            attempts=0,
            claimed_at=_naive(2026, 11, 23, 8),
        )
        # C3 had last week's; this week's is still owed.
        insert_row(
            connection,
            "meeting_post",
            **{**week_48, "iso_week": 47},
            channel_id="C3",
            status="posted",
            message_id="1799999999.000100",
            attempts=1,
            claimed_at=_naive(2026, 11, 16, 8),
            posted_at=_naive(2026, 11, 16, 8),
        )
    db.upgrade(engine)  # the release, at 08:30 that Monday

    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    huddle = Huddle(engine=engine, settings=settings, content=content, vault=vault, clock=clock)
    messenger = RecordingMessenger("slack")
    ticking = Clock(huddle, {"slack": messenger}, ClockSettings.defaults())
    try:
        await ticking.tick()
        clock.advance(minutes=1)
        await ticking.tick()
        assert [(p.ref.channel_id, p.reply.title) for p in messenger.posts] == [
            ("C3", f"Monday Morning Meeting · {second.title}")
        ]
        # Wednesday: C1's nudge goes in the thread of the meeting it posted before the upgrade.
        clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
        await ticking.tick()
    finally:
        engine.dispose()
    nudges = messenger.titled("Midweek WOW check-in")
    assert {p.ref.channel_id: p.ref.thread_id for p in nudges} == {
        "C1": "1800000001.000100",
        "C3": messenger.posts[0].message_id,
    }


def test_downgrading_from_periods_gives_the_weeks_back(fresh_url):
    from alembic import command

    engine = db.make_engine(fresh_url)
    db.upgrade(engine, BEFORE_PERIODS)
    _workspace_with_claims_of_the_old_kind(engine, rule_id="first-impressions")
    db.upgrade(engine)
    with engine.begin() as connection:  # a daily job's claim: no week to go back to
        insert_row(
            connection,
            "clock_notice",
            workspace_id=1,
            channel_id="C1",
            period="2026-01-27",
            kind="brief",
            status="sent",
            attempts=1,
            claimed_at=_naive(2026, 1, 27, 7),
        )
    command.downgrade(db.alembic_config(engine), BEFORE_PERIODS)
    with engine.connect() as connection:
        meetings = connection.execute(
            sa.text("SELECT channel_id, iso_year, iso_week, status FROM meeting_post ORDER BY id")
        ).all()
        notices = connection.execute(
            sa.text("SELECT kind, iso_year, iso_week FROM clock_notice ORDER BY id")
        ).all()
    db.upgrade(engine)
    engine.dispose()
    assert [tuple(row) for row in meetings] == [
        ("C1", 2026, 5, "posted"),
        ("C2", 2026, 53, "failed"),
        ("C3", 2027, 1, "claimed"),
    ]
    assert [tuple(row) for row in notices] == [("wow", 2026, 5), ("digest", 2026, 5)]


def test_stories_from_before_heroes_keep_no_hero_and_credit_nobody(fresh_url):
    """Upgrading: an old story is shown as told by its teller, and no hero is invented."""
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0010_board_indexes")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', '2026-11-02 09:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO story (workspace_id, channel_id, author_id, author_name, text, "
                "source, created_at) VALUES (1, 'C1', 'U-jordan', 'Jordan', "
                "'Priya stayed late', 'command', '2026-11-02 10:00:00')"
            )
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        story = connection.execute(sa.text("SELECT author_name, text FROM story")).one()
        assert tuple(story) == ("Jordan", "Priya stayed late")
        assert connection.execute(sa.text("SELECT count(*) FROM story_hero")).scalar() == 0
    engine.dispose()
