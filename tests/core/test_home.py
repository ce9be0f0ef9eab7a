"""The home screen's open defects: true counts per stage at any size, the five newest shown."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.model import HomeOpened
from bot.storage.models import Defect, Workspace

# More than the 500 the home screen used to load, spread unevenly over stages.
SPREAD = {"arrival": 491, "checkout": 37, "waiting": 5, None: 12}


def workspace_id(engine, external_id: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Workspace.id).where(Workspace.external_id == external_id)).one()


def seed_open_defects(engine, workspace_id: int, start, spread: dict, *, closed: int = 0):
    """Direct inserts: ``spread`` open defects per stage, one minute apart per stage."""
    rows = []
    for stage, n in spread.items():
        for i in range(n):
            rows.append(
                dict(
                    workspace_id=workspace_id,
                    channel_id="C1",
                    stage=stage,
                    description=f"{stage} defect {i}",
                    reporter_id="U1",
                    reporter_name="Alex",
                    created_at=start + timedelta(minutes=i),
                )
            )
    for i in range(closed):  # newer than every open one: must not be counted or shown
        rows.append(
            dict(
                workspace_id=workspace_id,
                channel_id="C1",
                stage="arrival",
                description=f"closed defect {i}",
                reporter_id="U1",
                reporter_name="Alex",
                created_at=start + timedelta(days=2, minutes=i),
                closed_at=start + timedelta(days=3),
                closed_by="Alex",
            )
        )
    with Session(engine) as session, session.begin():
        session.execute(sa.insert(Defect), rows)


def defect_ids(engine, workspace_id: int, stage, n: int) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Defect.id)
                .where(
                    Defect.workspace_id == workspace_id,
                    Defect.stage == stage if stage is not None else Defect.stage.is_(None),
                    Defect.closed_at.is_(None),
                )
                .order_by(Defect.created_at.desc(), Defect.id.desc())
                .limit(n)
            )
        )


def home_fields(huddle) -> dict[str, str]:
    [reply] = huddle.handle(HomeOpened(platform="slack", workspace_id="T1", user_id="U1"))
    return {field.label: field.value for field in reply.fields}, reply


def test_home_counts_every_stage_truly_past_500_open_defects_and_shows_the_five_newest(
    chat, other_chat, huddle, engine, clock, content
):
    chat("/defect first call: phone rang out")  # creates the workspace (one open, first-call)
    other_chat("/defect arrival: another practice's defect")
    mine, theirs = workspace_id(engine, "T1"), workspace_id(engine, "T2")
    start = clock.now - timedelta(days=30)
    seed_open_defects(engine, mine, start, SPREAD, closed=40)
    seed_open_defects(engine, theirs, start, {"arrival": 300, "checkout": 3})

    fields, reply = home_fields(huddle)

    expected = {"first-call": 1, **{s: n for s, n in SPREAD.items() if n}}
    total = sum(expected.values())
    assert total > 500
    assert f"{total} open defects" in reply.text
    shown = [label for label in fields if label.startswith("Open defects · ")]
    assert len(shown) == len(expected)
    for stage, count in expected.items():
        label = f"Open defects · {content.stage_name(stage)} ({count})"
        assert label in fields, (label, shown)
        lines = fields[label].splitlines()
        newest = defect_ids(engine, mine, stage, 5)
        assert [line.split(" ", 1)[0] for line in lines[: len(newest)]] == [f"#{i}" for i in newest]
        if count > 5:
            assert lines[5] == f"…and {count - 5} more"
        else:
            assert len(lines) == count
    assert not any("closed defect" in value for value in fields.values())
    assert not any("another practice" in value for value in fields.values())
