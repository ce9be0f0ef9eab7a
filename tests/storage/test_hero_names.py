"""Each board names its people by the name they were last recorded under, in this workspace,
read within the board's own query (one statement, not one per person shown)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage import heroes, stories, workspaces

NOW = datetime(2026, 12, 15, 9, tzinfo=UTC)


def _story(session: Session, workspace_id: int, n: int, about: dict[str, str]):
    story = stories.record_story(
        session=session,
        workspace_id=workspace_id,
        channel_id="C1",
        author_id="U-teller",
        author_name="Teller",
        text=f"story {n}",
        now=NOW - timedelta(hours=n),
    )
    session.flush()
    heroes.set_heroes(
        session=session,
        story=story,
        heroes=[heroes.Hero(user, name) for user, name in about.items()],
    )
    return story


def test_every_board_reads_its_people_s_latest_names_in_one_statement(engine):
    with Session(engine, expire_on_commit=False) as session, session.begin():
        ours, theirs = (
            workspaces.ensure_workspace(
                session=session, platform="slack", external_id=t, default_timezone="UTC", now=NOW
            ).id
            for t in ("T1", "T2")
        )
        # Older stories first (n counts hours back): each person's newest name wins.
        made = [
            _story(session, ours, 9, {"U1": "Sam", "U2": "Jo"}),
            _story(session, ours, 5, {"U1": "Samantha"}),
            _story(session, ours, 1, {"U2": "Joanne", "U3": "Priya"}),
            # The same Slack user id in another workspace is someone else's record.
            _story(session, theirs, 0, {"U1": "Not ours", "U2": "Not ours"}),
        ]
        for story, voters in zip(made, (3, 2, 1, 4), strict=True):
            for v in range(voters):
                stories.add_nomination(session=session, story=story, voter_id=f"V{v}", now=NOW)
    expected = [("U1", "Samantha", 5), ("U2", "Joanne", 4), ("U3", "Priya", 1)]
    boards = {
        "all time": {},
        "this month": {"period": "2026-12"},
        "since a date": {"since": NOW - timedelta(days=2), "until": NOW + timedelta(days=1)},
    }
    statements: list[str] = []

    def listen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    for board, window in boards.items():
        statements.clear()
        with Session(engine) as session:
            sa.event.listen(engine, "before_cursor_execute", listen)
            try:
                people = heroes.top_heroes(session=session, workspace_id=ours, **window)
            finally:
                sa.event.remove(engine, "before_cursor_execute", listen)
        assert [(p.user_id, p.name, p.nominations) for p in people] == expected, board
        assert len(statements) == 1, (board, statements)
