"""0027_tidbits_setting: every practice from before keeps its rows and has tidbits on."""

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.storage import db


def test_upgrading_keeps_each_workspace_and_its_tidbits_and_turns_the_setting_on(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0026_directory_ids")
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for external_id in ("T1", "T2"):
            connection.execute(
                sa.text(
                    "INSERT INTO workspace (platform, external_id, timezone, nominate_emoji, "
                    "created_at) VALUES ('slack', :ext, 'Australia/Sydney', 'tada', :now)"
                ),
                {"ext": external_id, "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO tidbit (workspace_id, patient_ref_hash, patient_ref_enc, note_enc, "
                "author_id, author_name, created_at, expires_at) "
                "VALUES (1, 'h', 'ref-sealed', 'note-sealed', 'U1', 'Dana', :now, :now)"
            ),
            {"now": now},
        )

    db.upgrade(engine)

    with engine.connect() as connection:
        workspaces = connection.execute(
            sa.text(
                "SELECT external_id, timezone, nominate_emoji, tidbits FROM workspace ORDER BY id"
            )
        ).all()
        tidbits = connection.execute(sa.text("SELECT note_enc FROM tidbit")).all()
    engine.dispose()
    assert [tuple(w) for w in workspaces] == [
        ("T1", "Australia/Sydney", "tada", True),
        ("T2", "Australia/Sydney", "tada", True),
    ]
    assert [t[0] for t in tidbits] == ["note-sealed"]
