"""Engine, sessions and migrations. Built by the entry point, never at import."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(database_url: str, **kwargs) -> sa.Engine:
    """An engine for ``DATABASE_URL``; SQLite gets the pragmas a busy bot needs.

    ``hide_parameters``: a database error's message (and so any log line or error
    report that carries it) shows the SQL but never the values, which may be what
    someone typed about a patient.
    """
    kwargs.setdefault("hide_parameters", True)
    if database_url.startswith("sqlite"):
        engine = sa.create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return sa.create_engine(database_url, **kwargs)


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[Session]:
    """One short session, one transaction: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: sa.Engine) -> Config:
    # Alembic is imported only to migrate: a server or clock process never pays for it
    # (about 11 MiB and 150 ms at start, measured in benchmarks/footprint.py).
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine, revision: str = "heads") -> None:
    """Bring the schema up to date (``huddle db upgrade``)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def is_reachable(engine: sa.Engine) -> bool:
    """True when a trivial query succeeds: the health check's question."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


def upsert(session: Session, table: sa.Table):
    """An INSERT into ``table`` that can say ON CONFLICT, in the session's own dialect."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    """``items`` in slices of at most ``size``: one statement per slice in batched queries."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def id_batches(session: Session, ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    """``ids`` (sorted, once each) in as few statements as the database needs, for
    ``in_ids``: all at once on PostgreSQL, which takes them as one array; ``size`` at a
    time on SQLite, which takes one parameter per id."""
    ordered = sorted(set(ids))
    if session.get_bind().dialect.name == "postgresql":
        if ordered:
            yield ordered
        return
    yield from (list(batch) for batch in chunked(ordered, size))


def in_ids(session: Session, column: sa.ColumnElement[int], ids: Sequence[int]):
    """``column IN ids``. PostgreSQL: ``column = ANY(:ids)``, one array parameter, so the
    statement is short and the same whatever the count (psycopg and the server cache it;
    an IN list of 500 parameters is parsed afresh each time). SQLite: an IN list."""
    if session.get_bind().dialect.name == "postgresql":
        array = sa.bindparam("ids", list(ids), type_=postgresql.ARRAY(sa.Integer), unique=True)
        return column == sa.any_(array)
    return column.in_(ids)


class RoundTrips:
    """Counts statements sent to the database (an executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs) -> None:
        with self._lock:
            self.count += 1


@contextmanager
def count_round_trips(engine: sa.Engine) -> Iterator[RoundTrips]:
    """Count every statement ``engine`` sends while the block runs (any thread)."""
    counter = RoundTrips()
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
