"""Migrations build exactly the models' schema, and upgrading never loses data."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.storage import db
from tests import database


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips or fails exactly like the rest of the suite
    url, drop = database.create_postgres_database()
    yield url
    drop()


def test_the_migrated_schema_matches_the_models(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    ours = [d for d in diffs if not _is_foreign_table(d)]
    assert ours == []


def _is_foreign_table(diff) -> bool:
    # Tables owned by libraries (slack-sdk's installation store) are not in our metadata.
    return diff[0] == "remove_table" or (
        diff[0] in {"remove_index", "remove_column"} and "slack_" in str(diff[1])
    )


def test_upgrading_from_the_first_revision_keeps_existing_rows(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0001_foundation")
    now = datetime(2026, 1, 5, tzinfo=UTC).replace(tzinfo=None)
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
                "INSERT INTO defect (workspace_id, channel_id, description, reporter_id, "
                "reporter_name, created_at) VALUES (1, 'C1', 'kept waiting', 'U1', 'Sam', :now)"
            ),
            {"now": now},
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT description FROM defect")).scalar_one() == (
            "kept waiting"
        )
    engine.dispose()


def test_upgrade_twice_is_harmless_and_there_is_one_line_of_history(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine)
    db.upgrade(engine)
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    assert len(script.get_heads()) == 1
    engine.dispose()
