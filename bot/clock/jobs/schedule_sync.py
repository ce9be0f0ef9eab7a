"""schedule-sync: every hour, each practice's today and tomorrow from its schedule source.

So the morning brief (and `/huddle brief`) has fresh appointments without anyone
running `huddle appointments sync`. Hourly is enough: a brief at any time reads a
day at most an hour old, and a source asked 24 times a day stays far inside Open
Dental's and a calendar host's limits. A day sheet is imported by hand and is not
synced here. A source that fails keeps its last good day, is logged without patient
data, and is asked again next hour. Sources come through the ``huddle.schedule_sources``
entry point (``bot.clock.sources``): the clock imports no adapter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.appointments import ScheduleSourceError, SourceWorkspace, record_problem, sync_day
from bot.clock.engine import HOURLY
from bot.clock.sources import Opener, load_source_opener
from bot.huddle import Huddle
from bot.ports import Messenger
from bot.scheduling import local_day
from bot.storage.appointments import SyncTarget, sources_to_sync
from bot.storage.db import transaction
from bot.storage.models import Workspace

log = logging.getLogger("huddle.clock")


@dataclass
class SyncReport:
    job: str
    synced: int = 0  # days stored
    problems: int = 0  # days a source could not give (the last good day kept)

    def summary(self) -> str:
        return f"{self.job}: {self.synced} day(s) synced, {self.problems} not"


@dataclass(frozen=True)
class ScheduleSync:
    """``opener``: how to open a stored source (default: the installed entry point)."""

    name: str = "schedule-sync"
    doc: str = "Every hour: each practice's today and tomorrow from its schedule source."
    opener: Opener | None = field(default=None, compare=False)
    concurrency: int = 20  # practices synced at once (benchmarks/brief_sync.py)
    cadence: ClassVar[str] = HOURLY

    async def __call__(
        self, huddle: Huddle, messengers: Mapping[str, Messenger], now: datetime, **_: Any
    ) -> SyncReport:
        report = SyncReport(self.name)
        opener = self.opener or load_source_opener()
        if opener is None:
            return report

        def targets() -> list[SyncTarget]:
            with transaction(huddle.engine) as session:
                return sources_to_sync(session=session)

        # Practices are synced side by side, a few at a time: each waits mostly on its
        # source's network, and one slow or rate-limited practice holds up no other.
        slots = asyncio.Semaphore(self.concurrency)

        async def one(target: SyncTarget) -> None:
            async with slots:
                await _sync(huddle, opener, target, now, report)

        async with asyncio.TaskGroup() as group:
            for target in await asyncio.to_thread(targets):
                group.create_task(one(target))
        if report.synced or report.problems:
            log.info("%s", report.summary())
        return report


async def _sync(
    huddle: Huddle, opener: Opener, target: SyncTarget, now: datetime, report: SyncReport
) -> None:
    salt = Workspace(platform=target.platform, external_id=target.external_id).patient_salt
    workspace = SourceWorkspace(target.workspace_id, target.timezone, salt)
    today = local_day(now, target.timezone)
    try:
        async with opener(target.source, huddle.vault) as source:
            for day in (today, today + timedelta(days=1)):
                result = await sync_day(
                    source,
                    engine=huddle.engine,
                    vault=huddle.vault,
                    workspace=workspace,
                    day=day,
                    now=now,
                )
                if result.ok:
                    report.synced += 1
                else:
                    report.problems += 1
    except ScheduleSourceError as error:
        log.warning("schedule sync: workspace %s not synced: %s", target.workspace_id, error)
        await asyncio.to_thread(record_problem, huddle.engine, target.workspace_id, str(error), now)
        report.problems += 2
    except Exception:  # one practice's fault never stops the others' sync
        log.exception("schedule sync: workspace %s failed", target.workspace_id)
        report.problems += 2


SCHEDULE_SYNC = ScheduleSync()
