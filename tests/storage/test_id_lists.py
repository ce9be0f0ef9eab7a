"""Batched reads by id: the same rows on both databases, in one statement on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.db import count_round_trips, id_batches, in_ids
from bot.storage.models import Workspace

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _workspaces(engine, n: int) -> list[int]:
    with Session(engine) as session:
        rows = [
            Workspace(platform="slack", external_id=f"T{i}", timezone="UTC", created_at=NOW)
            for i in range(n)
        ]
        session.add_all(rows)
        session.commit()
        return [w.id for w in rows]


def test_ids_asked_for_in_batches_find_exactly_those_rows(engine):
    ids = _workspaces(engine, 1_200)
    wanted = ids[::2] + ids[::2][:10]  # repeats are asked once
    w = Workspace.__table__.c
    with Session(engine) as session:
        found = []
        for batch in id_batches(session, wanted, 500):
            found += session.execute(sa.select(w.id).where(in_ids(session, w.id, batch))).all()
    assert sorted(i for (i,) in found) == sorted(set(wanted))


def test_postgresql_takes_every_id_in_one_statement_and_sqlite_in_batches(engine):
    ids = _workspaces(engine, 1_200)
    w = Workspace.__table__.c
    with Session(engine) as session, count_round_trips(engine) as trips:
        batches = list(id_batches(session, ids, 500))
        for batch in batches:
            session.execute(sa.select(w.id).where(in_ids(session, w.id, batch))).all()
    expected = 1 if engine.dialect.name == "postgresql" else 3
    assert len(batches) == expected
    assert trips.count == expected


def test_no_ids_ask_nothing(engine):
    with Session(engine) as session:
        assert list(id_batches(session, [], 500)) == []


def test_one_statement_may_filter_two_columns_by_the_same_ids(engine):
    ids = _workspaces(engine, 3)
    w = Workspace.__table__.c
    with Session(engine) as session:
        [batch] = id_batches(session, ids[:2], 500)
        rows = session.execute(
            sa.select(w.id).where(in_ids(session, w.id, batch), in_ids(session, w.id, batch))
        ).all()
    assert sorted(i for (i,) in rows) == ids[:2]
