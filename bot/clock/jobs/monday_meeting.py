"""monday-meeting: each channel's Monday Morning Meeting, once per local ISO week.

At the channel's weekday and time, in its own timezone. A failure is recorded (never
marked posted) and retried with back-off on later runs the same local week; a clock
that was down catches up once, later that week; a week that has ended is never posted.
"""

from __future__ import annotations

from collections import defaultdict
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
    opened by the channel's last challenge. Each practice's own curriculum (its rules and
    skips) is its own; practices that share one are counted together."""
    contents = {wid: plan.content_of(wid) for wid in {s.target.workspace_id for s in slots}}
    sharing: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for slot in slots:
        if slot.row is None:
            wid = slot.target.workspace_id
            sharing[contents[wid].curriculum].add(wid)
    chosen = {}
    for order, workspace_ids in sharing.items():
        chosen |= next_rule_ids(
            session=plan.session,
            workspace_ids=workspace_ids,
            order=list(order),
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
        content = contents[slot.target.workspace_id]
        if slot.row is None:
            rule_id = chosen.get(slot.target.key)
            rule = content.rules[rule_id] if rule_id else next_rule(content, [])
        else:
            rule = content.rules.get(slot.row.rule_id or "") or next_rule(content, [])
        last = previous.get(slot.target.key)
        before = content.rules.get(last[1] or "") if last else None
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
