"""The directory-ids migration adds the directory_person table and nothing else; every row stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_directory_ids_keeps_every_row_and_downgrades(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0025_brief_home")
    now = datetime(2026, 12, 1, 9, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for tenant in ("tenant-1", "tenant-2"):
            insert_row(
                connection,
                "workspace",
                platform="teams",
                external_id=tenant,
                timezone="Australia/Sydney",
                created_at=now,
            )
        insert_row(
            connection,
            "practice_admin",
            workspace_id=1,
            user_id="29:mia",
            name="Mia",
            source="installer",
            created_at=now,
        )
    db.upgrade(engine, "0026_directory_ids")
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT user_id FROM practice_admin")).scalar_one() == (
            "29:mia"
        )
        row = dict(workspace_id=1, directory_id="oid-mia", user_id="29:mia", name="Mia")
        insert_row(connection, "directory_person", **row, updated_at=now)
        # The same directory id in another workspace is another person's row.
        insert_row(connection, "directory_person", **{**row, "workspace_id": 2}, updated_at=now)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        insert_row(connection, "directory_person", **row, updated_at=now)  # one per workspace
    command.downgrade(db.alembic_config(engine), "0025_brief_home")
    assert "directory_person" not in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM workspace")).scalar_one() == 2
        assert connection.execute(sa.text("SELECT count(*) FROM practice_admin")).scalar_one() == 1
    engine.dispose()
