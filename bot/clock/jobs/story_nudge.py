"""story-nudge: mid-week, in the thread of the week's meeting, when no story has been shared.

On ``HUDDLE_NUDGE_WEEKDAY`` at the meeting's time, only after the meeting. A nudge
missed during an outage is not sent on a later day, and a meeting that itself went
out after the nudge's time (a catch-up) has just asked for stories: no nudge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.content import Rule
from bot.model import Button, Reply, Visibility
from bot.scheduling import Period, nudge_due, nudge_time
from bot.storage.clock import Target, notices
from bot.storage.stories import latest_story_times


class _Schedule(NamedTuple):
    """The parts of a channel's schedule its nudge depends on: most channels share one."""

    weekday: int
    hour: int
    minute: int
    timezone: str
    paused_until: date | None = None


def _schedule(target: Target) -> tuple[int, int, int, str, date | None]:
    # A plain tuple as the caches' key: built twice per channel per tick.
    return (target.weekday, target.hour, target.minute, target.timezone, target.paused_until)


# Worked out once per distinct schedule (and skips) per tick, not once per channel.
@lru_cache(maxsize=4096)
def _nudge_due(schedule: tuple, now: datetime, skipped: frozenset[date], weekday: int) -> bool:
    return nudge_due(_Schedule(*schedule), now, skipped, weekday)


@lru_cache(maxsize=4096)
def _nudge_time(schedule: tuple, now: datetime, weekday: int) -> datetime | None:
    return nudge_time(_Schedule(*schedule), now, weekday)


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return _nudge_due(_schedule(slot.target), now, slot.skipped, options.nudge_weekday_index)


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    at = _nudge_time(_schedule(slot.target), now, options.nudge_weekday_index)
    return at if at is not None and at > now else None


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    def posted_at(slot: Slot) -> datetime:
        return (slot.after and slot.after.done_at) or plan.now

    latest = latest_story_times(
        session=plan.session,
        workspace_ids={s.target.workspace_id for s in slots},
        since=min(posted_at(s) for s in slots),
    )
    weekday = plan.options.nudge_weekday_index
    replies: dict[int, Reply] = {}  # one per rule (a reply is immutable): most channels share
    messages: dict[Key, Message | None] = {}
    for slot in slots:
        meeting = slot.after
        assert meeting is not None  # ``after``: the week's meeting is posted
        newest = latest.get(slot.target.key)
        nudge_at = _nudge_time(_schedule(slot.target), plan.now, weekday)
        if nudge_at is not None and posted_at(slot) > nudge_at:
            messages[slot.target.key] = None  # the meeting went out late: it just asked
        elif newest is not None and newest >= posted_at(slot):
            messages[slot.target.key] = None  # a story came after the meeting
        else:
            content = plan.content_of(slot.target.workspace_id)
            rule = content.rules.get(meeting.rule_id or "")
            if (reply := replies.get(id(rule))) is None:
                reply = replies[id(rule)] = compose_story_nudge(rule)
            messages[slot.target.key] = Message(reply, meeting.message_id)
    return messages


def compose_story_nudge(rule: Rule | None) -> Reply:
    """The mid-week reminder, in the thread of the week's meeting post."""
    prompt = rule.story_prompt if rule is not None else "Who went above and beyond this week?"
    about = f" showing “{rule.title}” in action" if rule is not None else ""
    return Reply(
        title="Midweek WOW check-in",
        text=f"No WOW story yet this week. Seen a teammate{about}? {prompt} "
        "Reply in this thread, or share it with /wow.",
        buttons=(
            Button("Share a WOW story", "wow", prompt="What happened? Who went the extra mile?"),
        ),
        visibility=Visibility.CHANNEL,
    )


STORY_NUDGE = ClockJob(
    name="story-nudge",
    every=Period.WEEK,
    claims=notices("nudge"),
    after=MONDAY_MEETING,
    due=due,
    compose=compose,
    wakes=wakes,
    doc="Mid-week, in the thread of the week's post, when no story has been shared since it.",
)
