"""Reading the database in Slack scenario tests."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.models import Defect, Story, Tidbit
from tests.conftest import counted_votes


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(sa.func.count()).select_from(model)).one()


def defects(engine) -> list[Defect]:
    with Session(engine) as session:
        return list(session.exec(select(Defect).order_by(Defect.id)))


def stories(engine) -> list[Story]:
    with Session(engine) as session:
        return list(session.exec(select(Story).order_by(Story.id)))


def nominations(engine) -> int:
    """Nominations that count (a vote taken back stays as an inactive row)."""
    return len(counted_votes(engine))


def tidbits(engine) -> int:
    return count(engine, Tidbit)
