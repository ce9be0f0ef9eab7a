"""Claims' columns sent as array literals come back exactly as they were written."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.clock import MEETINGS, claim_periods
from bot.storage.models import MeetingPost, Workspace
from bot.storage.unnest import array_text

AWKWARD = [
    'say "hi"',
    "back\\slash",
    "a,b",
    "{braces}",
    " spaced ",
    "NULL",
    "19:x@thread;id=1",
    "é",
]


def test_awkward_strings_survive_the_array_literal(postgres_url):
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            back = connection.execute(
                sa.text("SELECT CAST(:v AS text[])"), {"v": array_text(AWKWARD)}
            ).scalar_one()
    finally:
        engine.dispose()
    assert back == AWKWARD


def test_ints_become_an_int_literal_and_other_columns_go_as_lists():
    assert array_text([3, 1, 2]) == "{3,1,2}"
    assert array_text(["C1", None]) is None  # a None among strings: sent as a list
    assert array_text([True, False]) is None  # booleans are not ints here


def test_claims_with_awkward_channel_ids_are_stored_and_returned_as_given(engine):
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with Session(engine) as session:
        session.add(
            Workspace(id=1, platform="teams", external_id="t", timezone="UTC", created_at=now)
        )
        session.commit()
        rows = [
            dict(
                workspace_id=1,
                channel_id=channel,
                period="2026-W48",
                rule_id=f'rule {i} "quoted"',
                status="claimed" if i % 2 else "nothing",
                claimed_at=now,
            )
            for i, channel in enumerate(AWKWARD)
        ]
        won = claim_periods(session=session, claims=MEETINGS, rows=rows)
        again = claim_periods(session=session, claims=MEETINGS, rows=rows)  # taken: none won
        stored = session.execute(
            sa.select(MeetingPost.channel_id, MeetingPost.rule_id, MeetingPost.status)
        ).all()
    assert set(won) == {(1, channel) for channel in AWKWARD}
    assert again == {}
    assert sorted(stored) == sorted((r["channel_id"], r["rule_id"], r["status"]) for r in rows)
