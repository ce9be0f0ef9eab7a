"""The clock posts each practice's own curriculum: its skipped rules left out, its own rules
in, a removed one still followed up; others' untouched."""

from __future__ import annotations

from bot.blueprint import OPERATOR
from bot.blueprint import rules as own_rules
from bot.blueprint.rules import Forgotten
from bot.clock.jobs import run_monday_meeting
from tests.clock.conftest import channel, local
from tests.clock.test_monday_meeting import SYDNEY, SYDNEY_FRIDAY, schedule
from tests.core.test_blueprint import edit
from tests.core.test_blueprint_transfer import NEW_RULE


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


async def test_a_rule_of_the_practice_s_own_is_posted_and_once_removed_still_followed_up(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY, workspace="T1", name="C1")
    edit(huddle, own_rules.add_rule, editor=OPERATOR, rule=NEW_RULE)
    edit(huddle, own_rules.set_curriculum, editor=OPERATOR, order=[NEW_RULE["id"]])
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 23, 8, 0))
    [first] = messenger.posts_to("C1", "T1")
    assert first.reply.title == f"Monday Morning Meeting · {NEW_RULE['title']}"

    done = edit(huddle, own_rules.forget_rule, editor=OPERATOR, rule_id=NEW_RULE["id"])
    assert done is Forgotten.RETIRED
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 30, 8, 0))
    [_, second] = messenger.posts_to("C1", "T1")
    assert second.reply.title == f"Monday Morning Meeting · {content.rules_in_order()[0].title}"
    assert f"Last week's challenge: {NEW_RULE['challenge']}" in second.reply.text
