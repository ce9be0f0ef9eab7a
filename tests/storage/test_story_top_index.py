"""0032: the all-time Top stories are read in the board's own order (votes, then the
earliest), five rows from the top, however many stories tie on votes."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import command

from bot.storage import db


def _indexes(engine) -> set[str]:
    with engine.connect() as connection:
        return {i["name"] for i in sa.inspect(connection).get_indexes("story")}


def test_the_all_time_board_reads_five_rows_in_order_with_thousands_tied(engine):
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        [workspace_id] = connection.execute(
            sa.text(
                "INSERT INTO workspace (platform, external_id, timezone, created_at) "
                "VALUES ('slack', 'T1', 'UTC', CURRENT_TIMESTAMP) RETURNING id"
            )
        ).one()
        connection.execute(  # 5,000 stories, 4,000 of them tied at the top vote count
            sa.text(
                "INSERT INTO story (workspace_id, channel_id, author_id, author_name, text, "
                "source, created_at, votes) VALUES (:w, 'C1', 'U1', 'Sam', :text, 'command', "
                ":at, :votes)"
            ),
            [
                {
                    "w": workspace_id,
                    "text": f"story {n}",
                    "at": datetime(2026, 1, 1) + timedelta(minutes=n),
                    "votes": 1 if n % 5 == 0 else 20,
                }
                for n in range(5000)
            ],
        )
        connection.execute(sa.text("ANALYZE story" if postgres else "ANALYZE"))
        explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
        rows = connection.execute(
            sa.text(
                f"{explain} SELECT id FROM story WHERE workspace_id = {workspace_id} "
                "AND votes > 0 ORDER BY votes DESC, created_at, id LIMIT 5"
            )
        ).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    if postgres:
        assert "using ix_story_top" in plan, plan
        assert "Sort" not in plan, plan  # the index is the board's order: nothing to sort
    else:
        assert "ix_story_top" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # SQLite's sort, when an index cannot order


def test_upgrade_swaps_the_votes_index_and_downgrade_swaps_it_back(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, "0031_open_defect_tally")
    assert "ix_story_votes" in _indexes(engine) and "ix_story_top" not in _indexes(engine)
    db.upgrade(engine)
    assert "ix_story_top" in _indexes(engine) and "ix_story_votes" not in _indexes(engine)
    command.downgrade(db.alembic_config(engine), "0031_open_defect_tally")
    assert "ix_story_votes" in _indexes(engine) and "ix_story_top" not in _indexes(engine)
    engine.dispose()
