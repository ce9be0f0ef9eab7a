"""The appointments migration adds its tables and keeps every existing row."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_appointments_keeps_existing_rows_and_downgrades_cleanly(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0016_recovery_owners")
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
                "INSERT INTO tidbit (workspace_id, patient_ref_hash, patient_ref_enc, note_enc, "
                "author_id, author_name, created_at, expires_at) "
                "VALUES (1, 'h', 'r', 'n', 'U1', 'Sam', :now, :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine, "0017_appointments")
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT timezone FROM workspace")).scalar_one() == (
            "Australia/Sydney"
        )
        assert connection.execute(sa.text("SELECT author_name FROM tidbit")).scalar_one() == "Sam"
        connection.execute(
            sa.text(
                "INSERT INTO appointment (workspace_id, day, starts, provider, patient_ref_hash, "
                "patient_ref_enc, confirmed, new_patient, birthday_this_week, synced_at) "
                "VALUES (1, '2026-12-01', '09:00:00', 'DOC1', 'h', 'r', true, false, false, :now)"
            ),
            {"now": now},
        )
    tables = set(sa.inspect(engine).get_table_names())
    assert {"appointment", "schedule_source"} <= tables
    command.downgrade(db.alembic_config(engine), "0016_recovery_owners")
    after = set(sa.inspect(engine).get_table_names())
    assert not {"appointment", "schedule_source"} & after
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM tidbit")).scalar_one() == 1
    engine.dispose()
