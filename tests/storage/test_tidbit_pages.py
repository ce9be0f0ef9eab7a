"""A patient's tidbits a page at a time: the page and how many there are in all, in one
statement; never another workspace's, never an expired one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage import tidbits, workspaces

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def test_a_page_of_a_patient_s_tidbits_comes_with_their_count_in_one_statement(engine):
    with Session(engine) as session, session.begin():
        ours, theirs = (
            workspaces.ensure_workspace(
                session=session, platform="slack", external_id=t, default_timezone="UTC", now=NOW
            ).id
            for t in ("T1", "T2")
        )
        for n in range(7):
            for workspace in (ours, theirs):
                tidbits.store_tidbit(
                    session=session,
                    workspace_id=workspace,
                    patient_ref_hash="h1",
                    patient_ref_enc="e",
                    note_enc=f"note {n}",
                    author_id="U1",
                    author_name="Sam",
                    now=NOW - timedelta(days=n),
                    # The oldest has expired: it is neither shown nor counted.
                    expires_at=NOW + timedelta(days=-1 if n == 6 else 30),
                )
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def page(offset: int) -> tidbits.RecalledPage:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", seen)
        try:
            with Session(engine) as session:
                return tidbits.recent_tidbits(
                    session=session,
                    workspace_id=ours,
                    ref_hashes=["h1"],
                    now=NOW,
                    offset=offset,
                    limit=4,
                )
        finally:
            sa.event.remove(engine, "before_cursor_execute", seen)

    first = page(0)
    assert first.total == 6 and len(statements) == 1
    assert [t.note_enc for t in first.tidbits] == ["note 0", "note 1", "note 2", "note 3"]
    second = page(4)
    assert second.total == 6 and [t.note_enc for t in second.tidbits] == ["note 4", "note 5"]
    # Past the end: nothing to show, and still how many there are (to say which pages exist).
    beyond = page(8)
    assert beyond.total == 6 and beyond.tidbits == ()
    with Session(engine) as session:
        none = tidbits.recent_tidbits(
            session=session, workspace_id=ours, ref_hashes=["h2"], now=NOW
        )
    assert none.total == 0 and none.tidbits == ()
