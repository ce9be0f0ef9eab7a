"""0022_blueprints adds the practice's own blueprint tables and loses nothing on the way."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_blueprints_keeps_every_row_and_starts_with_no_layer(fresh_url):
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
            stage="arrival",
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        defect = connection.execute(sa.text("SELECT description, stage FROM defect")).one()
        assert tuple(defect) == ("kept waiting", "arrival")
        for table in (
            "blueprint_settings",
            "blueprint_stage",
            "blueprint_rule",
            "blueprint_suggestion",
        ):
            assert connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
    engine.dispose()


def test_blueprints_downgrade_cleanly(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "0019_fail_to_attend")
    with engine.connect() as connection:
        assert "blueprint_stage" not in sa.inspect(connection).get_table_names()
    engine.dispose()
