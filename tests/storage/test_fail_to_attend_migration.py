"""The fail-to-attend migration adds a defect's cause and booker and keeps every defect."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_fail_to_attend_keeps_defects_without_a_cause_and_downgrades(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0018_brief")
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
                "reporter_id, reporter_name, created_at) "
                "VALUES (1, 'C1', 'arrival', 'waited 25 minutes', 'U1', 'Priya', :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine, "0019_fail_to_attend")
    with engine.begin() as connection:
        row = connection.execute(
            sa.text(
                "SELECT stage, description, fta_cause, booked_by_id, booked_by_name FROM defect"
            )
        ).one()
        assert tuple(row) == ("arrival", "waited 25 minutes", None, None, None)
        connection.execute(sa.text("UPDATE defect SET fta_cause = 'transport'"))
    command.downgrade(db.alembic_config(engine), "0018_brief")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("defect")}
    assert "fta_cause" not in columns and "booked_by_name" not in columns
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM defect")).scalar_one() == 1
    engine.dispose()
