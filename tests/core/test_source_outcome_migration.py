"""0025_brief_home: a schedule source set before it keeps everything and has no outcome yet."""

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.storage import db


def test_upgrading_keeps_each_source_and_its_secret_with_no_outcome_yet(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0019_fail_to_attend")
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO schedule_source (workspace_id, kind, settings_json, secret_enc, "
                "updated_by, updated_at) VALUES (1, 'ical', '{}', 'sealed', 'Dana', :now)"
            ),
            {"now": now},
        )

    db.upgrade(engine)

    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT kind, secret_enc, updated_by, last_synced_at, last_problem "
                "FROM schedule_source"
            )
        ).one()
    engine.dispose()
    assert tuple(row) == ("ical", "sealed", "Dana", None, None)
