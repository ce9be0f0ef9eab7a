"""defect-digest: with the meeting, last week's defects by journey stage, and the stale ones.

Stale: open for more than 7 days with no recovery action, naming its owner (or "no
owner yet"), never who reported it: the digest asks for follow-up, it does not blame.
It shows ids, stages, dates and owners, never a description, a patient reference or
a tidbit. Nothing when there is nothing to report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache

from bot.clock.config import ClockSettings
from bot.clock.coverage import covering
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.content import Content
from bot.model import Field, Reply, Visibility
from bot.scheduling import Period, last_week
from bot.storage.clock import notices
from bot.storage.defect_digest import DigestDefect, StaleDefects, logged_counts, stale_by_channel
from bot.wording import local_date

DIGEST_LIST_LIMIT = 10


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return True  # the week's meeting is posted (``after``), so it was not skipped


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    return None  # due as soon as the meeting is posted: no moment of its own


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    owner = covering(plan.targets)  # which subscribed channel each found row counts for
    weeks = {tz: last_week(plan.now, tz) for tz in {s.target.timezone for s in slots}}
    windows: dict[tuple[datetime, datetime], list[Slot]] = defaultdict(list)
    for slot in slots:
        windows[weeks[slot.target.timezone]].append(slot)
    workspace_ids = {s.target.workspace_id for s in slots}
    # Counted and ranked in SQL: one row per channel and stage, at most
    # DIGEST_LIST_LIMIT stale defects per channel (with the channel's count).
    stale = stale_by_channel(
        session=plan.session, workspace_ids=workspace_ids, now=plan.now, limit=DIGEST_LIST_LIMIT
    )
    stale_of: dict[Key, list[StaleDefects]] = defaultdict(list)
    for (workspace_id, channel_id), found in stale.items():
        if (key := owner(workspace_id, channel_id)) is not None:
            stale_of[key].append(found)
    messages: dict[Key, Message | None] = {}
    for (start, end), group in windows.items():
        logged = logged_counts(
            session=plan.session,
            workspace_ids={s.target.workspace_id for s in group},
            since=start,
            until=end,
        )
        logged_of: dict[Key, Mapping[str | None, int]] = {}
        for (workspace_id, channel_id), counts in logged.items():
            if (key := owner(workspace_id, channel_id)) is not None:
                before = logged_of.get(key)  # a home channel also counts the unsubscribed
                logged_of[key] = counts if before is None else Counter(before) + Counter(counts)
        for slot in group:
            target = slot.target
            by_stage = logged_of.get(target.key, _NOTHING_LOGGED)
            oldest, stale_total = _oldest(stale_of.get(target.key))
            reply = compose_defect_digest(
                plan.content_of(target.workspace_id),
                logged=by_stage,
                stale=oldest,
                stale_total=stale_total,
                tz=target.timezone,
                week_start=start,
            )
            messages[target.key] = None if reply is None else Message(reply)
    return messages


def _oldest(covered: list[StaleDefects] | None) -> tuple[Sequence[DigestDefect], int]:
    """The oldest stale defects of the channels one target covers, and how many in all."""
    if not covered:
        return (), 0
    if len(covered) == 1:  # its own channel only: already in order, and within the limit
        return covered[0].oldest, covered[0].total
    oldest = sorted(
        (d for found in covered for d in found.oldest), key=lambda d: (d.created_at, d.defect_id)
    )
    return oldest[:DIGEST_LIST_LIMIT], sum(found.total for found in covered)


def compose_defect_digest(
    content: Content,
    *,
    logged: Mapping[str | None, int],
    stale: Sequence[DigestDefect],
    stale_total: int,
    tz: str,
    week_start: datetime,
) -> Reply | None:
    """Last week's defects by journey stage, and the ones open > 7 days with no recovery action.

    None when there is nothing to report.
    """
    counts = {stage: n for stage, n in logged.items() if n}
    if not counts and not stale_total:
        return None
    fields = []
    if counts:
        # The journey's stages in order, then any it no longer has (by id), then none.
        place, after = content.stage_positions, len(content.stage_positions)
        order = sorted((s for s in counts if s is not None), key=lambda s: (place.get(s, after), s))
        lines = [f"• {content.stage_name(s)}: {counts[s]}" for s in order]
        if counts.get(None):
            lines.append(f"• {content.stage_name(None)}: {counts[None]}")
        fields.append(Field("Last week, by journey stage", "\n".join(lines)))
    if stale_total:
        shown = stale[:DIGEST_LIST_LIMIT]
        lines = [
            f"• #{d.defect_id} {content.stage_name(d.stage)}, logged {local_date(d.created_at, tz)}, "
            f"{f'owner {d.owner_name}' if d.owner_name else 'no owner yet'}: "
            f"`/defect recover {d.defect_id} <what we'll do>`"
            for d in shown
        ]
        if stale_total > len(shown):
            lines.append(f"…and {stale_total - len(shown)} more: `/defect list`")
        fields.append(Field("Open more than 7 days with no recovery action", "\n".join(lines)))
    total = sum(counts.values())
    week = _week_label(week_start, tz)
    summary = (
        f"{total} service defect{'s' if total != 1 else ''} logged in the week of {week}."
        if total
        else f"No service defects logged in the week of {week}."
    )
    if stale_total:
        summary += " Some still need someone to own making them right."
    return Reply(
        title="Defect digest",
        text=summary,
        fields=tuple(fields),
        footer="Details: `/defect list`. Every defect is a chance to recover and to improve.",
        visibility=Visibility.CHANNEL,
    )


_NOTHING_LOGGED: Mapping[str | None, int] = {}


@lru_cache(maxsize=256)
def _week_label(week_start: datetime, tz: str) -> str:
    return local_date(week_start, tz)  # the same few weeks and zones in every digest


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
