"""morning-brief: each open day at the channel's brief time, the day's counts.

Counts only ("14 patients today: 3 with something to remember, ..."; nothing to
remember when the practice has tidbits off), never a reference, a time or a name: the detail is `/huddle brief`, privately. Once per
channel and local day, at the time set with `/huddle brief at 7:45`, in the
channel's timezone; not on a skipped day or during a pause. An open day is a day
with appointments: on a day with none nothing is posted. A clock that was down
catches up later the same day; a day that has ended is never posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from bot.brief import as_shown, channel_brief
from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.scheduling import Period, blocked_on, local_day
from bot.storage.appointments import day_counts
from bot.storage.clock import notices
from bot.storage.models import Workspace


def brief_time(slot: Slot) -> datetime | None:
    """Today's brief moment in the channel's timezone (None: no brief set)."""
    minutes = slot.target.brief_minutes
    if minutes is None:
        return None
    at = time(minutes // 60, minutes % 60)
    return Period.DAY.start(slot.period, slot.target.timezone, at=at)


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    at = brief_time(slot)
    if at is None or at > now:
        return False
    return not blocked_on(slot.target, local_day(at, slot.target.timezone), slot.skipped)


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    at = brief_time(slot)
    return at if at is not None and at > now else None


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    """One count per workspace and day (channels of a practice share its day)."""
    counted = {}
    messages: dict[Key, Message | None] = {}
    for slot in slots:
        day = Period.DAY.first_day(slot.period)
        key = (slot.target.workspace_id, day)
        if key not in counted:
            counts = day_counts(session=plan.session, workspace_id=key[0], day=day, now=plan.now)
            workspace = plan.session.get(Workspace, key[0])
            tidbits_on = workspace is None or workspace.tidbits
            counted[key] = as_shown(counts, tidbits_on=tidbits_on)
        reply = channel_brief(counted[key])
        messages[slot.target.key] = None if reply is None else Message(reply)
    return messages


MORNING_BRIEF = ClockJob(
    name="morning-brief",
    every=Period.DAY,
    claims=notices("brief"),
    due=due,
    compose=compose,
    wakes=wakes,
    doc="At each channel's brief time on an open day: the day's counts, never who.",
)
