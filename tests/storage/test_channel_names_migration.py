"""The channel-names migration adds the channel_name table and nothing else; every row stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from bot.storage import db
from tests.database import insert_row


def test_upgrading_to_channel_names_keeps_every_row_and_downgrades(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0028_period_tally")
    now = datetime(2026, 12, 1, 21, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for team in ("T1", "T2"):
            insert_row(
                connection,
                "workspace",
                platform="slack",
                external_id=team,
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
    db.upgrade(engine, "0029_channel_names")
    with engine.begin() as connection:
        assert (
            connection.execute(sa.text("SELECT channel_id FROM subscription")).scalar_one() == "C1"
        )
        row = dict(workspace_id=1, channel_id="C1", name="#front-desk")
        insert_row(connection, "channel_name", **row, updated_at=now)
        # The same channel id in another workspace is another channel's row.
        insert_row(connection, "channel_name", **{**row, "workspace_id": 2}, updated_at=now)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        insert_row(connection, "channel_name", **row, updated_at=now)  # one per workspace
    command.downgrade(db.alembic_config(engine), "0028_period_tally")
    assert "channel_name" not in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM workspace")).scalar_one() == 2
        assert connection.execute(sa.text("SELECT count(*) FROM subscription")).scalar_one() == 1
    engine.dispose()
