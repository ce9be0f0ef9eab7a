"""The clock posts each practice's own curriculum: its skipped rules left out, others' untouched."""

from __future__ import annotations

from bot.clock.jobs import run_monday_meeting
from tests.clock.conftest import channel, local
from tests.clock.test_monday_meeting import SYDNEY, SYDNEY_FRIDAY, schedule


async def test_a_practice_that_skips_a_rule_gets_the_next_one_and_others_do_not(
    huddle, clock, messenger, messengers, content
):
    first, second = content.rules_in_order()[:2]
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY, workspace="T1", name="C1")
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY, workspace="T2", name="C2")
    skipped = channel(huddle, "C1", "T1")(f"/huddle blueprint skip {first.id}")
    assert "The meeting skips" in skipped, skipped
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 23, 8, 0))
    [ours] = messenger.posts_to("C1", "T1")
    [theirs] = messenger.posts_to("C2", "T2")
    assert ours.reply.title == f"Monday Morning Meeting · {second.title}"
    assert theirs.reply.title == f"Monday Morning Meeting · {first.title}"
