"""The next rule, counted in SQL, is the one the whole history would pick."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.clock.jobs import run_monday_meeting
from bot.meeting import next_rule
from bot.scheduling import Period
from bot.storage import db
from bot.storage.clock import FAILED, POSTED
from bot.storage.meetings import posted_rule_ids
from bot.storage.models import MeetingPost, Workspace
from tests.clock.conftest import channel

MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


async def test_a_long_uneven_history_picks_the_rule_the_whole_history_would(
    huddle, clock, messenger, messengers, content
):
    clock.set(datetime(2026, 11, 12, tzinfo=UTC))
    names = [f"C{i}" for i in range(8)]
    for name in names:
        assert "Weekly meeting scheduled" in channel(huddle, name, "T1")(
            "/huddle schedule monday 08:00 UTC"
        )
    order = [rule.id for rule in content.rules_in_order()]
    shuffle = random.Random(12)
    expected = {}
    with db.transaction(huddle.engine) as session:
        [workspace] = session.exec(select(Workspace)).all()
        for index, name in enumerate(names):
            # Two years of weeks: whole passes, repeats, a retired rule, failed posts.
            picks = [*order] * (index % 3) + shuffle.choices([*order, "retired-rule"], k=index * 9)
            for week, rule_id in enumerate(picks):
                period = Period.WEEK.of(MONDAY - timedelta(weeks=len(picks) - week), "UTC")
                status = FAILED if week % 11 == 5 else POSTED
                session.add(
                    MeetingPost(
                        workspace_id=workspace.id,
                        channel_id=name,
                        period=period,
                        rule_id=rule_id,
                        status=status,
                        claimed_at=MONDAY - timedelta(weeks=len(picks) - week),
                    )
                )
        session.flush()
        for name in names:
            history = posted_rule_ids(session=session, workspace_id=workspace.id, channel_id=name)
            expected[name] = next_rule(content, history).title
    clock.set(MONDAY)
    report = await run_monday_meeting(huddle, messengers, MONDAY)
    assert report.posted == len(names)
    posted = {post.ref.channel_id: post.reply.title for post in messenger.posts}
    assert posted == {name: f"Monday Morning Meeting · {expected[name]}" for name in names}
    assert len(set(expected.values())) > 1  # the histories really differ
