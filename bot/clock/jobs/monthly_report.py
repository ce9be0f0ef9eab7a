"""monthly-report: with the first meeting of each month, last month's service report.

Once per channel and month: it waits for the channel's first meeting posted in the
month (in the channel's timezone) and goes in that post's thread, or in the channel
when the platform gave the post no id. A month whose meetings are all skipped or
paused has no report. It is the channel's version: counts, stages, causes and
heroes, never a description, a patient reference, a tidbit or an owner; the chart
goes with it, its figures in the text beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import select

from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.insights.periods import previous_month
from bot.insights.report import service_report
from bot.model import Reply
from bot.scheduling import Period
from bot.storage.clock import notices
from bot.storage.models import Workspace


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    meeting = slot.after  # this week's meeting, posted (``after``)
    if meeting is None or meeting.done_at is None:
        return False
    return Period.MONTH.of(meeting.done_at, slot.target.timezone) == slot.period


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    return None  # due once a meeting of the month is posted: no moment of its own


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    ids = {s.target.workspace_id for s in slots}
    workspaces = {
        w.id: w for w in plan.session.exec(select(Workspace).where(Workspace.id.in_(ids)))
    }
    reports: dict[tuple[int, str], Reply] = {}  # one per workspace and month, shared
    messages: dict[Key, Message | None] = {}
    for slot in slots:
        workspace = workspaces.get(slot.target.workspace_id)
        if workspace is None:
            messages[slot.target.key] = None
            continue
        key = (slot.target.workspace_id, slot.period)
        if key not in reports:
            reports[key] = service_report(
                session=plan.session,
                workspace=workspace,
                content=plan.content,
                period=previous_month(Period.MONTH.first_day(slot.period)),
                now=plan.now,
                private=False,
            )
        thread = slot.after.message_id if slot.after is not None else None
        messages[slot.target.key] = Message(reports[key], thread)
    return messages


MONTHLY_REPORT = ClockJob(
    name="monthly-report",
    every=Period.MONTH,
    claims=notices("report"),
    after=MONDAY_MEETING,
    due=due,
    compose=compose,
    wakes=wakes,
    doc="With the month's first meeting: last month's service report, with its chart.",
)
