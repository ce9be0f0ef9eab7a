"""0030_claims_covering: the idle tick's question of the claim tables, from their indexes.

Every minute with nothing due the clock asks each claim table for the current periods'
count, last id, attempts and done stamps (``clock_mark``). On PostgreSQL the period
indexes carry those columns, so that is an index-only scan; every claim is kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bot.storage import db
from bot.storage.clock import MEETINGS, notices
from bot.storage.clock_snapshot import clock_mark
from tests import database

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None)


def _claims(connection, rows: int) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO workspace (platform, external_id, timezone, nominate_emoji, created_at) "
            "VALUES ('slack', 'T1', 'UTC', 'tada', :now)"
        ),
        {"now": NOW},
    )
    for n in range(rows):
        connection.execute(
            sa.text(
                "INSERT INTO meeting_post (workspace_id, channel_id, period, rule_id, status, "
                "attempts, claimed_at, posted_at) VALUES (1, :ch, :period, 'r1', 'posted', 1, "
                ":now, :now)"
            ),
            {"ch": f"C{n}", "period": f"2026-W{40 + n % 10}", "now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO clock_notice (workspace_id, channel_id, period, kind, status, "
                "attempts, claimed_at) VALUES (1, :ch, :period, 'wow', 'none', 0, :now)"
            ),
            {"ch": f"C{n}", "period": f"2026-W{40 + n % 10}", "now": NOW},
        )


def _index(connection, name: str) -> str:
    if connection.dialect.name != "postgresql":
        return ""
    return connection.execute(
        sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": name}
    ).scalar_one()


def test_upgrading_keeps_every_claim_and_downgrading_gives_the_plain_indexes_back(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0029_channel_names")
    with engine.begin() as connection:
        _claims(connection, 20)

    db.upgrade(engine)
    with engine.connect() as connection:
        posts = connection.execute(sa.text("SELECT count(*) FROM meeting_post")).scalar_one()
        kept = connection.execute(sa.text("SELECT count(*) FROM clock_notice")).scalar_one()
        meeting_index = _index(connection, "ix_meeting_post_period")
        notice_index = _index(connection, "ix_clock_notice_period")
    assert (posts, kept) == (20, 20)
    if engine.dialect.name == "postgresql":
        assert "INCLUDE (id, attempts, posted_at)" in meeting_index
        assert "(period, kind) INCLUDE (id, attempts, sent_at)" in notice_index

    from alembic import command

    command.downgrade(db.alembic_config(engine), "0029_channel_names")
    with engine.connect() as connection:
        posts = connection.execute(sa.text("SELECT count(*) FROM meeting_post")).scalar_one()
        meeting_index = _index(connection, "ix_meeting_post_period")
    engine.dispose()
    assert posts == 20
    assert "INCLUDE" not in meeting_index


def test_the_idle_ticks_question_of_the_claims_is_read_from_the_indexes_alone(postgres_url):
    url, drop = database.create_postgres_database()
    engine = database.migrated_engine(url)
    try:
        with engine.begin() as connection:
            _claims(connection, 2000)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE meeting_post, clock_notice")
        asked: list[tuple[str, dict]] = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            asked.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", keep)
        with Session(engine) as session:
            clock_mark(session=session, claims=[MEETINGS, notices("wow")], periods=["2026-W49"])
        sa.event.remove(engine, "before_cursor_execute", keep)
        [(statement, parameters)] = asked
        with engine.connect() as connection:
            # A small table may be read whole whatever the indexes; ask for the indexes.
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_bitmapscan = off")
            plan = "\n".join(
                row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            )
    finally:
        engine.dispose()
        drop()
    assert "Index Only Scan using ix_meeting_post_period" in plan
    assert "Index Only Scan using ix_clock_notice_period" in plan
