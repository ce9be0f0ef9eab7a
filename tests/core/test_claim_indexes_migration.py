"""0030_claim_indexes: the claim tables keep every row and their unique keys, and lose only
the workspace index those keys already cover."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC).replace(tzinfo=None)


def indexes(engine, table: str) -> set[str]:
    with engine.connect() as connection:
        return {i["name"] for i in sa.inspect(connection).get_indexes(table)}


def unique_keys(engine, table: str) -> dict[str, list[str]]:
    with engine.connect() as connection:
        found = sa.inspect(connection).get_unique_constraints(table)
    return {u["name"]: u["column_names"] for u in found}


def test_upgrading_keeps_every_claim_and_drops_only_the_covered_indexes(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0029_channel_names")
    assert "ix_meeting_post_workspace_id" in indexes(engine, "meeting_post")
    assert "ix_clock_notice_workspace_id" in indexes(engine, "clock_notice")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO meeting_post (workspace_id, channel_id, period, rule_id, status, "
                "message_id, attempts, claimed_at, posted_at) VALUES "
                "(1, 'C1', '2026-W49', 'r1', 'posted', 'm1', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO clock_notice (workspace_id, channel_id, period, kind, status, "
                "attempts, claimed_at, sent_at) VALUES "
                "(1, 'C1', '2026-W49', 'wow', 'sent', 1, :now, :now)"
            ),
            {"now": NOW},
        )
    keys_before = {t: unique_keys(engine, t) for t in ("meeting_post", "clock_notice")}

    db.upgrade(engine)

    with engine.connect() as connection:
        meetings = connection.execute(
            sa.text(
                "SELECT workspace_id, channel_id, period, rule_id, message_id FROM meeting_post"
            )
        ).all()
        notices = connection.execute(
            sa.text("SELECT workspace_id, channel_id, period, kind, status FROM clock_notice")
        ).all()
    assert [tuple(r) for r in meetings] == [(1, "C1", "2026-W49", "r1", "m1")]
    assert [tuple(r) for r in notices] == [(1, "C1", "2026-W49", "wow", "sent")]
    assert "ix_meeting_post_workspace_id" not in indexes(engine, "meeting_post")
    assert "ix_clock_notice_workspace_id" not in indexes(engine, "clock_notice")
    assert "ix_meeting_post_period" in indexes(engine, "meeting_post")
    assert "ix_clock_notice_period" in indexes(engine, "clock_notice")
    # The unique keys that cover a workspace's rows are unchanged, workspace_id first.
    keys_after = {t: unique_keys(engine, t) for t in ("meeting_post", "clock_notice")}
    assert keys_after == keys_before
    assert all(cols[0] == "workspace_id" for k in keys_after.values() for cols in k.values())
    engine.dispose()


def test_downgrading_puts_the_indexes_back(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "0029_channel_names")
    assert "ix_meeting_post_workspace_id" in indexes(engine, "meeting_post")
    assert "ix_clock_notice_workspace_id" in indexes(engine, "clock_notice")
    engine.dispose()
