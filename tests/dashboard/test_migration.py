"""0023_dashboard adds the sign-in links' table and loses nothing on the way up or down."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_the_dashboard_keeps_every_row_and_adds_the_links(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0019_fail_to_attend")
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        insert_row(
            connection,
            "workspace",
            platform="slack",
            external_id="T1",
            timezone="UTC",
            created_at=now,
        )
        insert_row(
            connection,
            "defect",
            workspace_id=1,
            channel_id="C1",
            description="kept waiting",
            reporter_id="U1",
            reporter_name="Sam",
            created_at=now,
        )
    db.upgrade(engine, "0023_dashboard")
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT description FROM defect")).scalar_one() == (
            "kept waiting"
        )
        insert_row(
            connection,
            "dashboard_sign_in_link",
            workspace_id=1,
            user_id="U1",
            user_name="Sam",
            token_hash="a" * 64,
            expires_at=now,
            created_at=now,
        )
    from alembic import command

    command.downgrade(db.alembic_config(engine), "0019_fail_to_attend")
    with engine.connect() as connection:
        assert "dashboard_sign_in_link" not in sa.inspect(connection).get_table_names()
        assert connection.execute(sa.text("SELECT count(*) FROM defect")).scalar_one() == 1
    engine.dispose()
