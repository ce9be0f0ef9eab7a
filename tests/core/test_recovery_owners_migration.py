"""Upgrading to recovery owners keeps every defect and action, and names each first recorder."""

import sqlalchemy as sa

from bot.storage import db


def _insert(connection, statement: str) -> None:
    connection.execute(sa.text(statement))


def test_existing_actions_become_the_history_and_the_first_recorder_the_owner(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0015_story_vote_counts")
    with engine.begin() as connection:
        _insert(
            connection,
            "INSERT INTO workspace (platform, external_id, timezone, created_at) "
            "VALUES ('slack', 'T1', 'UTC', '2026-11-02 09:00:00')",
        )
        for defect in (1, 2):
            _insert(
                connection,
                "INSERT INTO defect (workspace_id, channel_id, stage, description, reporter_id, "
                f"reporter_name, created_at) VALUES (1, 'C1', 'arrival', 'waited {defect}', "
                "'U-jo', 'Jo', '2026-11-02 10:00:00')",
            )
        # Lee's action came second although its id is lower: time decides who was first.
        for action, who, at in (("rebooked", "lee", "11:00"), ("called", "sam", "10:30")):
            _insert(
                connection,
                "INSERT INTO recovery_action (workspace_id, defect_id, action, owner_id, "
                f"owner_name, created_at) VALUES (1, 1, '{action}', 'U-{who}', "
                f"'{who.title()}', '2026-11-02 {at}:00')",
            )
    db.upgrade(engine)
    with engine.connect() as connection:
        defects = connection.execute(
            sa.text("SELECT id, description, owner_id, owner_name FROM defect ORDER BY id")
        ).all()
        assert [tuple(row) for row in defects] == [
            (1, "waited 1", "U-sam", "Sam"),
            (2, "waited 2", None, None),
        ]
        actions = connection.execute(
            sa.text("SELECT action FROM recovery_action ORDER BY created_at, id")
        ).scalars()
        assert list(actions) == ["called", "rebooked"]
    engine.dispose()
