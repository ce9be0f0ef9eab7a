"""The downloads migration adds the download table and nothing else; every row stays."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_downloads_keeps_every_row_and_downgrades(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0019_fail_to_attend")
    now = datetime(2026, 12, 1, 9, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        insert_row(
            connection,
            "workspace",
            platform="teams",
            external_id="tenant-1",
            timezone="Australia/Sydney",
            created_at=now,
        )
        connection.execute(
            sa.text(
                "INSERT INTO audit_log (workspace_id, actor_id, actor_name, action, "
                "record_count, created_at) VALUES (1, 'U1', 'Priya', 'tidbit.read', 2, :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine, "0024_downloads")
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 1
        insert_row(
            connection,
            "download",
            workspace_id=1,
            user_id="29:alex",
            token_hash="0" * 64,
            name="huddle-defects-all.csv",
            mime="text/csv",
            data_enc="encrypted",
            created_at=now,
            expires_at=now,
        )
    command.downgrade(db.alembic_config(engine), "0019_fail_to_attend")
    assert "download" not in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM workspace")).scalar_one() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 1
    engine.dispose()
