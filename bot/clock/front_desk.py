"""Private notices to the front desk: claimed once per person, then sent as direct messages.

The front-desk jobs (``front-desk-unconfirmed``, ``late-patients``) plan in one
transaction: they claim a ``front_desk_notice`` row per notice and person (a unique
constraint decides, so two clocks tell once), and then send each through the
workspace's messenger with ``Reply.to``: a Slack DM, a Teams 1:1 chat opened through
the workspace's first subscribed channel. A platform that refuses for now lets the
claim go, so a later tick tries again; one that says never marks it undeliverable; an
answer that never came counts as sent (told twice is worse than once). Log lines name
the workspace and the job, never a patient.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.huddle import Huddle
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError, Messenger, Unconfirmed
from bot.storage.clock import Target, load_targets
from bot.storage.clock_snapshot import load_skips
from bot.storage.db import transaction
from bot.storage.front_desk import SENT, UNDELIVERABLE, settle_notice

log = logging.getLogger("huddle.clock")


@dataclass
class NoticeReport:
    job: str
    sent: int = 0
    failed: int = 0
    polled: int = 0  # sources asked for fresh arrivals
    # Nothing may be due before this (an idle clock rests until then); at most an hour on,
    # as appointments, the front desk and its settings change outside the clock's mark.
    quiet_until: datetime | None = None

    @property
    def problems(self) -> int:
        return self.failed

    @property
    def posted(self) -> int:
        """Notices delivered, read like a fan-out's posts (``huddle jobs run``, the tick)."""
        return self.sent

    def summary(self) -> str:
        polled = f", {self.polled} source(s) polled" if self.polled else ""
        return f"{self.job}: {self.sent} notice(s) sent, {self.failed} not{polled}"


@dataclass(frozen=True)
class Planned:
    """One claimed notice: its claim's row id, where it goes, and what it says."""

    row_id: int
    workspace_id: int
    ref: ConversationRef
    reply: Reply


def within_the_hour(now: datetime, *moments: datetime | None) -> datetime:
    """The first of ``moments`` still to come, or the top of the next hour if sooner."""
    hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return min([hour, *(m for m in moments if m is not None and m > now)])


def targets_and_skips(session, snapshot, now: datetime):
    """The clock's targets and each one's skipped dates: the tick's snapshot, else read."""
    if snapshot is not None:
        return snapshot.targets, snapshot.skipped
    from_day = (now - timedelta(days=2)).date()
    skips = load_skips(session=session, start=from_day, end=from_day + timedelta(days=4))
    return load_targets(session=session), lambda t: frozenset(skips.get(t.subscription_id, ()))


def home_routes(targets: Iterable[Target], platforms: Iterable[str]) -> dict[int, Target]:
    """Each workspace's first subscribed channel on a platform the clock can post to: the
    route its private notices take (and whose skips and pauses they honour)."""
    usable = set(platforms)
    routes: dict[int, Target] = {}
    for target in targets:  # ordered by subscription id
        if target.platform in usable:
            routes.setdefault(target.workspace_id, target)
    return routes


def route_ref(target: Target) -> ConversationRef:
    return ConversationRef(
        platform=target.platform,
        workspace_id=target.external_workspace_id,
        channel_id=target.channel_id,
        data=target.reference,
    )


async def deliver(
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    planned: list[Planned],
    report: NoticeReport,
) -> None:
    """Send each planned notice, then record every outcome in one transaction."""
    outcomes: list[tuple[int, str | None]] = []
    for notice in planned:
        messenger = messengers[notice.ref.platform]
        try:
            await messenger.send(notice.ref, notice.reply)
        except Unconfirmed:
            outcomes.append((notice.row_id, SENT))
            report.sent += 1
            continue
        except DeliveryError as error:
            report.failed += 1
            outcomes.append((notice.row_id, UNDELIVERABLE if error.permanent else None))
            log.warning(
                "%s: workspace %s: a private notice was not delivered (%s)",
                report.job,
                notice.workspace_id,
                "permanently" if error.permanent else "tried again later",
            )
            continue
        outcomes.append((notice.row_id, SENT))
        report.sent += 1
    if not outcomes:
        return

    def record() -> None:
        with transaction(huddle.engine) as session:
            for row_id, status in outcomes:
                settle_notice(session=session, row_id=row_id, status=status)

    await asyncio.to_thread(record)
