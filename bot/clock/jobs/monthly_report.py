"""monthly-report: with the first meeting of each month, last month's service report.

Once per channel and month: it waits for the channel's first meeting posted in the
month (in the channel's timezone) and goes in that post's thread, or in the channel
when the platform gave the post no id. A month whose meetings are all skipped or
paused has no report, and neither has a month whose first meeting went out before
this job ran (the month Huddle was upgraded), nor a practice with nothing at all in
last month or the one before. It is the channel's version: counts, stages, causes and
heroes, never a description, a patient reference, a tidbit or an owner; the chart
goes with it, its figures in the text beside it, drawn once per practice after the
clock's planning transaction has committed (drawing needs no database).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.insights.report import monthly_post_later
from bot.model import Reply
from bot.periods import previous_month
from bot.scheduling import Period
from bot.storage.clock import notices
from bot.storage.models import MeetingPost, Workspace


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
    earlier = _earlier_meetings(plan.session, slots)
    # One per workspace and month, shared by its channels: the words now, the chart drawn
    # once per workspace after the planning transaction (``Message.draw``).
    reports: dict[tuple[int, str], tuple[Reply, Callable[[], Reply]] | None] = {}
    messages: dict[Key, Message | None] = {}
    for slot in slots:
        workspace = workspaces.get(slot.target.workspace_id)
        if workspace is None or slot.target.key in earlier:
            messages[slot.target.key] = None  # not the month's first meeting: not this month
            continue
        key = (slot.target.workspace_id, slot.period)
        if key not in reports:
            reports[key] = monthly_post_later(
                session=plan.session,
                workspace=workspace,
                content=plan.content_of(slot.target.workspace_id),
                period=previous_month(Period.MONTH.first_day(slot.period)),
                now=plan.now,
            )
        later = reports[key]
        thread = slot.after.message_id if slot.after is not None else None
        messages[slot.target.key] = (
            None if later is None else Message(later[0], thread, draw=later[1])
        )
    return messages


def _earlier_meetings(session: Session, slots: Sequence[Slot]) -> set[Key]:
    """The channels whose meeting this month was not the first: one query for all of them."""
    m = MeetingPost.__table__.c
    meetings = {s.target.key: s.after for s in slots if s.after is not None}
    if not meetings:
        return set()
    since = min(
        Period.MONTH.start(s.period, s.target.timezone) for s in slots if s.after is not None
    )
    rows = session.execute(
        sa.select(m.workspace_id, m.channel_id, m.id, m.posted_at).where(
            m.workspace_id.in_({key[0] for key in meetings}),
            m.channel_id.in_({key[1] for key in meetings}),
            m.posted_at.is_not(None),
            m.posted_at >= since,
        )
    ).all()
    slot_of = {s.target.key: s for s in slots}
    found = set()
    for workspace_id, channel_id, row_id, posted_at in rows:
        key = (workspace_id, channel_id)
        meeting, slot = meetings.get(key), slot_of.get(key)
        if meeting is None or slot is None or row_id == meeting.id:
            continue
        month = Period.MONTH.of(posted_at, slot.target.timezone)
        if month == slot.period and posted_at < (meeting.done_at or posted_at):
            found.add(key)
    return found


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
