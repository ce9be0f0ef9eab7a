"""Test databases: a migrated SQLite file and a migrated, private PostgreSQL database.

Each test run creates its own PostgreSQL database (so parallel runs never meet)
and drops it at the end. Tests start from empty tables.
"""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.storage import db

POSTGRES_ADMIN_URL = os.environ.get(
    "HUDDLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_required() -> bool:
    return os.environ.get("HUDDLE_REQUIRE_POSTGRES", "").lower() in {"1", "true", "yes"}


def postgres_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return None
    except sa.exc.SQLAlchemyError as error:
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


def create_postgres_database() -> tuple[str, callable]:
    """A fresh database on the server; returns its URL and a function that drops it."""
    name = f"huddle_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def migrated_engine(url: str, **kwargs) -> sa.Engine:
    engine = db.make_engine(url, **kwargs)
    db.upgrade(engine)
    return engine


def empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row, keeping the migrated schema (and restarting ids)."""
    with engine.begin() as connection:
        present = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in sorted(present))
            if names:
                # A session a test left open would hold this forever: fail loudly instead.
                connection.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        ordered = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name in present]
        for name in ordered + sorted(present - set(ordered)):
            connection.execute(sa.text(f'DELETE FROM "{name}"'))
        sequence = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        if connection.execute(sa.text(sequence)).first():  # AUTOINCREMENT ids restart too
            connection.execute(sa.text("DELETE FROM sqlite_sequence"))


def insert_row(connection, table: str, **values) -> None:
    """One row, by column name: for migration tests, which write to tables as they were."""
    columns = ", ".join(values)
    names = ", ".join(f":{name}" for name in values)
    connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({names})"), values)
