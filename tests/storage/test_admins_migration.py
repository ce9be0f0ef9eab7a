"""The admins migration adds its table and keeps every existing row."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_admins_keeps_workspaces_and_schedules_and_starts_with_no_admin(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0010_board_indexes")
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
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
                "VALUES (1, 'C1', 0, 7, 45, 'Australia/Sydney', :yes, 'U1', :now, :now)"
            ),
            {"now": now, "yes": True},
        )
    db.upgrade(engine, "0013_admins")
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT hour, minute FROM subscription")).one()
        assert tuple(kept) == (7, 45)
        assert connection.execute(sa.text("SELECT timezone FROM workspace")).scalar_one() == (
            "Australia/Sydney"
        )
        assert connection.execute(sa.text("SELECT count(*) FROM practice_admin")).scalar_one() == 0
    command.downgrade(db.alembic_config(engine), "0010_board_indexes")
    assert "practice_admin" not in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM subscription")).scalar_one() == 1
    engine.dispose()
