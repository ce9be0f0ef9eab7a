"""The front-desk migration adds four tables and changes nothing that was there."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row

NEW = {"front_desk", "practice_protocol", "front_desk_notice", "popup_push"}


def test_upgrading_to_front_desk_keeps_every_row_and_downgrades(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0019_fail_to_attend")
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
                "INSERT INTO defect (workspace_id, channel_id, stage, description, "
                "reporter_id, reporter_name, created_at, fta_cause) "
                "VALUES (1, 'C1', 'fail-to-attend', 'Forgot', 'U1', 'Priya', :now, 'forgot')"
            ),
            {"now": now},
        )
    db.upgrade(engine, "0020_front_desk")
    assert set(sa.inspect(engine).get_table_names()) >= NEW
    with engine.begin() as connection:
        row = connection.execute(sa.text("SELECT stage, fta_cause FROM defect")).one()
        assert tuple(row) == ("fail-to-attend", "forgot")
        insert_row(
            connection,
            "front_desk",
            workspace_id=1,
            user_id="U7",
            name="Sam",
            added_by="U1",
            created_at=now,
        )
    command.downgrade(db.alembic_config(engine), "0019_fail_to_attend")
    assert not NEW & set(sa.inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM defect")).scalar_one() == 1
    engine.dispose()
