"""monday-meeting: each channel's Monday Morning Meeting, once per local ISO week.

At the channel's weekday and time, in its own timezone. A failure is recorded (never
marked posted) and retried with back-off on later runs the same local week; a clock
that was down catches up once, later that week; a week that has ended is never posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.meeting import next_rule, weekly_meeting
from bot.scheduling import Period, iso_week_of, meeting_due, meeting_may_retry, meeting_time
from bot.storage.clock import MEETINGS
from bot.storage.meetings import next_rule_ids, previous_meetings


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    if slot.row is not None:  # a failed post: retried until the week ends
        return meeting_may_retry(slot.target, now, slot.skipped)
    return meeting_due(slot.target, now, slot.skipped)


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    at = meeting_time(slot.target, now)  # this week's; once past, nothing until next week
    return at if at > now else None


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message]:
    """The next rule of each channel's curriculum, counted in SQL (a retry keeps its rule),
    opened by the channel's last challenge."""
    chosen = next_rule_ids(
        session=plan.session,
        workspace_ids={s.target.workspace_id for s in slots if s.row is None},
        order=[rule.id for rule in plan.content.rules_in_order()],
        batch=plan.options.batch_size,
    )
    previous = previous_meetings(
        session=plan.session,
        workspace_ids={s.target.workspace_id for s in slots},
        before={s.period for s in slots},
        batch=plan.options.batch_size,
    )
    messages = {}
    for slot in slots:
        if slot.row is None:
            rule_id = chosen.get(slot.target.key)
            rule = plan.content.rules[rule_id] if rule_id else next_rule(plan.content, [])
        else:
            rule = plan.content.rules.get(slot.row.rule_id or "") or next_rule(plan.content, [])
        last = previous.get(slot.target.key)
        before = plan.content.rules.get(last[1] or "") if last else None
        follow = (before, *iso_week_of(last[0])) if before is not None and last else None
        reply = weekly_meeting(rule, *iso_week_of(slot.period), previous=follow)
        messages[slot.target.key] = Message(reply, columns={"rule_id": rule.id})
    return messages


MONDAY_MEETING = ClockJob(
    name="monday-meeting",
    every=Period.WEEK,
    claims=MEETINGS,
    due=due,
    compose=compose,
    wakes=wakes,
    doc="Post this week's meeting to every subscribed channel that is due and has not had it.",
)
