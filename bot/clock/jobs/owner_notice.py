"""owner-notice: daily, a defect's owner is told privately when it has gone a week untended.

A defect open for 7 days with no recovery action in the last 7 (and an owner: assigned
by mention, or its first recorder) is told to its owner once, in a direct message.
Claimed once per channel and local day from 09:00; a channel tells one owner a day
(the one whose overdue defect is oldest, all of theirs at once), so a second owner in
the same channel hears the next day. ``Defect.overdue_told`` keeps the day each was
told: a retry that day tells the same defects, and no later day tells them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time

from bot.clock.config import ClockSettings
from bot.clock.coverage import coverage
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.content import Content
from bot.model import Button, Person, Reply, Visibility
from bot.scheduling import Period
from bot.storage.clock import notices
from bot.storage.overdue import OverdueDefect, mark_told, overdue_for_owners
from bot.wording import local_date, shorten

FROM = time(9)  # told in working hours, in the channel's timezone


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return now >= Period.DAY.start(slot.period, slot.target.timezone, at=FROM)


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    at = Period.DAY.start(slot.period, slot.target.timezone, at=FROM)
    return at if at > now else None


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    covers = coverage(plan.targets)
    by_day: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.period].append(slot)
    messages: dict[Key, Message | None] = {}
    for day, on_day in by_day.items():  # one query per local day due (one or two)
        by_workspace: dict[int, list[OverdueDefect]] = defaultdict(list)
        for defect in overdue_for_owners(
            session=plan.session,
            workspace_ids={s.target.workspace_id for s in on_day},
            now=plan.now,
            day=day,
        ):
            by_workspace[defect.workspace_id].append(defect)
        told: list[int] = []
        for slot in on_day:
            target = slot.target
            mine = [
                d for d in by_workspace.get(target.workspace_id, []) if covers(target, d.channel_id)
            ]
            if not mine:
                messages[target.key] = None
                continue
            theirs = [d for d in mine if d.owner_id == mine[0].owner_id]
            told += [d.defect_id for d in theirs]
            reply = compose_owner_notice(
                plan.content_of(target.workspace_id), theirs, target.timezone
            )
            messages[target.key] = Message(reply)
        mark_told(session=plan.session, defect_ids=told, day=day)
    return messages


def compose_owner_notice(content: Content, overdue: list[OverdueDefect], tz: str) -> Reply:
    """Privately, to their owner: the defects a week without a recovery action."""
    first = overdue[0]
    lines = [
        f"• #{d.defect_id} {content.stage_name(d.stage)}, logged {local_date(d.created_at, tz)}: "
        f"{shorten(d.description, 120)}"
        for d in overdue
    ]
    plural = "s" if len(overdue) != 1 else ""
    return Reply(
        title=f"Defect{plural} you own, a week without a recovery action",
        text="\n".join(lines),
        buttons=tuple(
            Button(
                f"Add recovery to #{d.defect_id}",
                f"defect recover {d.defect_id}",
                prompt="What did we do, or what will we do, to make it right?",
            )
            for d in overdue[:5]
        ),
        footer="Record what we do with `/defect recover <id> …`, or close it with "
        "`/defect close <id>` once the patient is looked after.",
        visibility=Visibility.PRIVATE,
        to=Person(first.owner_id, first.owner_name),
    )


OWNER_NOTICE = ClockJob(
    name="owner-notice",
    every=Period.DAY,
    claims=notices("owner"),
    due=due,
    compose=compose,
    wakes=wakes,
    doc="Daily: a defect's owner told privately, once, when it has had no action for 7 days.",
)
