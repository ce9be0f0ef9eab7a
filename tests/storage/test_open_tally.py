"""The open-defect tally (0031) always equals counting the open defects, whatever happens
to them, on both databases; and the upgrade back-fills it and the downgrade removes it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from bot.storage import db
from bot.storage.defect_lists import defect_page
from bot.storage.defects import open_by_stage
from bot.storage.models import Defect, Workspace
from bot.storage.open_tally import open_counts, open_total

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _workspaces(session: Session, n: int) -> None:
    for i in range(1, n + 1):
        session.add(
            Workspace(id=i, platform="slack", external_id=f"T{i}", timezone="UTC", created_at=NOW)
        )
    session.commit()


def _defect(session: Session, workspace_id: int, stage: str | None, closed: bool = False) -> Defect:
    defect = Defect(
        workspace_id=workspace_id,
        channel_id="C1",
        stage=stage,
        description="waited too long",
        reporter_id="U1",
        reporter_name="Sam",
        created_at=NOW,
        closed_at=NOW if closed else None,
    )
    session.add(defect)
    session.commit()
    return defect


def _counted(session: Session, workspace_id: int) -> dict[str | None, int]:
    d = Defect.__table__.c
    rows = session.execute(
        sa.select(d.stage, sa.func.count())
        .where(d.workspace_id == workspace_id, d.closed_at.is_(None))
        .group_by(d.stage)
    ).all()
    return dict(rows)


def test_the_tally_follows_every_open_close_reopen_move_and_delete(engine):
    with Session(engine, expire_on_commit=False) as session:
        _workspaces(session, 2)
        arrival = [_defect(session, 1, "arrival") for _ in range(3)]
        unassigned = _defect(session, 1, None)
        _defect(session, 1, "billing", closed=True)
        _defect(session, 2, "arrival")  # another workspace's, never counted in the first
        assert open_counts(session=session, workspace_id=1) == {"arrival": 3, None: 1}

        arrival[0].closed_at = NOW  # closed
        arrival[1].stage = "billing"  # moved while open
        unassigned.stage = "arrival"  # given a stage
        session.commit()
        assert open_counts(session=session, workspace_id=1) == _counted(session, 1)

        arrival[0].closed_at = None  # reopened
        arrival[2].description = "edited: changes no count"
        session.commit()
        session.delete(arrival[1])  # deleted while open
        session.commit()
        assert open_counts(session=session, workspace_id=1) == _counted(session, 1)
        assert open_counts(session=session, workspace_id=1) == {"arrival": 3}
        assert open_counts(session=session, workspace_id=2) == {"arrival": 1}
        assert open_total(session=session, workspace_id=1) == 3
        assert open_total(session=session, workspace_id=1, stage="billing") == 0


def test_the_app_home_and_the_list_read_their_counts_from_the_tally(engine):
    with Session(engine, expire_on_commit=False) as session:
        _workspaces(session, 1)
        for stage in ("arrival", "arrival", None, "billing"):
            _defect(session, 1, stage)
        _defect(session, 1, "arrival", closed=True)
        boards = open_by_stage(session=session, workspace_id=1)
        assert {s: b.open_count for s, b in boards.items()} == {"arrival": 2, None: 1, "billing": 1}
        assert {s: len(b.newest) for s, b in boards.items()} == {
            "arrival": 2,
            None: 1,
            "billing": 1,
        }
        assert defect_page(session=session, workspace_id=1).total == 4
        assert defect_page(session=session, workspace_id=1, stage="arrival").total == 2
        assert defect_page(session=session, workspace_id=1, state="all").total == 5


def test_upgrading_back_fills_the_open_defects_and_downgrading_removes_the_tally(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0030_claim_indexes")
    with Session(engine) as session:
        _workspaces(session, 1)
        for stage, closed in (("arrival", False), ("arrival", False), (None, False), ("x", True)):
            _defect(session, 1, stage, closed)
    db.upgrade(engine)
    with Session(engine) as session:
        assert open_counts(session=session, workspace_id=1) == {"arrival": 2, None: 1}
        _defect(session, 1, "arrival")  # the triggers keep it from here
        assert open_counts(session=session, workspace_id=1) == {"arrival": 3, None: 1}
    command.downgrade(db.alembic_config(engine), "0030_claim_indexes")
    with engine.connect() as connection:
        assert "open_defect_tally" not in sa.inspect(connection).get_table_names()
        assert connection.execute(sa.text("SELECT count(*) FROM defect")).scalar_one() == 5
    with Session(engine) as session:
        _defect(session, 1, "arrival")  # no trigger left behind to fail the insert
    engine.dispose()
