"""The brief migration adds a channel's brief time and keeps every subscription as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_brief_keeps_subscriptions_without_a_brief_and_downgrades_cleanly(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0017_appointments")
    now = datetime(2026, 12, 1, 9, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        insert_row(
            connection,
            "workspace",
            platform="slack",
            external_id="T1",
            timezone="Australia/Sydney",
            created_at=now,
        )
        connection.execute(
            sa.text(
                "INSERT INTO subscription (workspace_id, channel_id, weekday, hour, minute, "
                "timezone, active, created_by, created_at, updated_at) "
                "VALUES (1, 'C1', 0, 8, 30, 'Australia/Sydney', true, 'U1', :now, :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine, "0018_brief")
    with engine.begin() as connection:
        row = connection.execute(
            sa.text("SELECT channel_id, weekday, hour, minute, brief_minutes FROM subscription")
        ).one()
        assert tuple(row) == ("C1", 0, 8, 30, None)
        connection.execute(sa.text("UPDATE subscription SET brief_minutes = 465"))
    command.downgrade(db.alembic_config(engine), "0017_appointments")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("subscription")}
    assert "brief_minutes" not in columns and "hour" in columns
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM subscription")).scalar_one() == 1
    engine.dispose()
