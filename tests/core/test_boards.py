"""The boards read one workspace's counted votes: never another tenant's rows, never a vote taken back."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.models import Nomination, Story
from tests.core.test_home import workspace_id


def _board(chat) -> dict[str, str]:
    return {f.label: f.value for f in chat.replies("/huddle leaderboard")[0].fields}


def test_a_vote_row_of_another_workspace_never_counts_on_this_workspaces_board(
    chat, other_chat, engine, clock
):
    chat("/wow @Priya drove Mrs K home")
    chat.as_("Sam")("/wow nominate 1")
    other_chat("/wow their own story")
    theirs = workspace_id(engine, "T2")
    with Session(engine) as session, session.begin():
        # A row scoped to the other tenant pointing at this workspace's story (a bad
        # import, a bug elsewhere): the boards filter by workspace in the join itself.
        session.execute(
            sa.insert(Nomination),
            [
                dict(
                    workspace_id=theirs,
                    story_id=1,
                    voter_id=f"U{i}",
                    created_at=clock.now,
                    decided_at=clock.now,
                    active=True,
                )
                for i in range(5)
            ],
        )

    board = _board(chat)

    assert board["Top stories · All time"].startswith("1. #1 Priya (told by Alex)")
    assert "(1 ★)" in board["Top stories · All time"]
    assert "Priya: 1 ★ from 1 story" in board["Top people · All time"]


def test_a_vote_taken_back_leaves_the_board(chat, engine):
    chat("/wow @Priya drove Mrs K home")
    chat.as_("Sam")("/wow nominate 1")
    chat.as_("Jo")("/wow nominate 1")
    with Session(engine) as session, session.begin():
        session.execute(
            sa.update(Nomination).where(Nomination.voter_id == "U-jo").values(active=False)
        )
        assert session.get(Story, 1) is not None

    board = _board(chat)

    assert "(1 ★)" in board["Top stories · All time"]
    assert "Priya: 1 ★" in board["Top people · All time"]
