"""defect-digest: with the meeting, last week's defects by journey stage, and the stale ones.

Stale: open for more than 7 days with no recovery action, naming its owner (or "no
owner yet"), never who reported it: the digest asks for follow-up, it does not blame.
It shows ids, stages, dates and owners, never a description, a patient reference or
a tidbit. Nothing when there is nothing to report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.clock.config import ClockSettings
from bot.clock.coverage import coverage
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.content import Content
from bot.model import Field, Reply, Visibility
from bot.scheduling import Period, last_week
from bot.storage.clock import notices
from bot.storage.defects import DigestDefect, defects_logged, stale_defects
from bot.wording import local_date

DIGEST_LIST_LIMIT = 10


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return True  # the week's meeting is posted (``after``), so it was not skipped


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    return None  # due as soon as the meeting is posted: no moment of its own


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    covers = coverage(plan.targets)
    windows = {s.target.key: last_week(plan.now, s.target.timezone) for s in slots}
    workspace_ids = {s.target.workspace_id for s in slots}
    logged = defects_logged(
        session=plan.session,
        workspace_ids=workspace_ids,
        since=min(start for start, _ in windows.values()),
        until=max(end for _, end in windows.values()),
    )
    stale = stale_defects(session=plan.session, workspace_ids=workspace_ids, now=plan.now)
    logged_by: dict[int, list[DigestDefect]] = defaultdict(list)
    stale_by: dict[int, list[DigestDefect]] = defaultdict(list)
    for defect in logged:
        logged_by[defect.workspace_id].append(defect)
    for defect in stale:
        stale_by[defect.workspace_id].append(defect)
    messages: dict[Key, Message | None] = {}
    for slot in slots:
        target = slot.target
        start, end = windows[target.key]
        reply = compose_defect_digest(
            plan.content_of(target.workspace_id),
            last_week=[
                d
                for d in logged_by.get(target.workspace_id, [])
                if covers(target, d.channel_id) and start <= d.created_at < end
            ],
            stale=[
                d for d in stale_by.get(target.workspace_id, []) if covers(target, d.channel_id)
            ],
            tz=target.timezone,
            week_start=start,
        )
        messages[target.key] = None if reply is None else Message(reply)
    return messages


def compose_defect_digest(
    content: Content,
    *,
    last_week: list[DigestDefect],
    stale: list[DigestDefect],
    tz: str,
    week_start: datetime,
) -> Reply | None:
    """Last week's defects by journey stage, and the ones open > 7 days with no recovery action.

    None when there is nothing to report.
    """
    if not last_week and not stale:
        return None
    fields = []
    if last_week:
        counts = Counter(d.stage for d in last_week)
        order = [s.id for s in content.stages] + sorted(
            {s for s in counts if s is not None and content.stage(s) is None}
        )
        lines = [f"• {content.stage_name(s)}: {counts[s]}" for s in order if counts.get(s)]
        if counts.get(None):
            lines.append(f"• {content.stage_name(None)}: {counts[None]}")
        fields.append(Field("Last week, by journey stage", "\n".join(lines)))
    if stale:
        shown = stale[:DIGEST_LIST_LIMIT]
        lines = [
            f"• #{d.defect_id} {content.stage_name(d.stage)}, logged {local_date(d.created_at, tz)}, "
            f"{f'owner {d.owner_name}' if d.owner_name else 'no owner yet'}: "
            f"`/defect recover {d.defect_id} <what we'll do>`"
            for d in shown
        ]
        if len(stale) > len(shown):
            lines.append(f"…and {len(stale) - len(shown)} more: `/defect list`")
        fields.append(Field("Open more than 7 days with no recovery action", "\n".join(lines)))
    total = len(last_week)
    summary = (
        f"{total} service defect{'s' if total != 1 else ''} logged in the week of "
        f"{local_date(week_start, tz)}."
        if total
        else f"No service defects logged in the week of {local_date(week_start, tz)}."
    )
    if stale:
        summary += " Some still need someone to own making them right."
    return Reply(
        title="Defect digest",
        text=summary,
        fields=tuple(fields),
        footer="Details: `/defect list`. Every defect is a chance to recover and to improve.",
        visibility=Visibility.CHANNEL,
    )


DEFECT_DIGEST = ClockJob(
    name="defect-digest",
    every=Period.WEEK,
    claims=notices("digest"),
    after=MONDAY_MEETING,
    due=due,
    compose=compose,
    wakes=wakes,
    doc="With the meeting: last week's defects by stage, and those open > 7 days with no action.",
)
