"""recovery-popups: hourly, open recoveries pushed to Open Dental as popups on the patient.

Only for practices that turned it on (`/huddle frontdesk popups on`, off by default)
with Open Dental as their source. Each open defect linked to a patient is pushed once
(``popup_push``, one row per defect): its stage, what went wrong and the newest
recovery action, so whoever opens the chart sees what to put right. Recoveries only,
never tidbits. A push that fails is tried again later with back-off and never lost;
a run that dies mid-push leaves a lease the next run takes over; and the source looks
for the same popup before adding it, so a retry never makes two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol, runtime_checkable

from bot.appointments import ScheduleSourceError
from bot.clock.engine import HOURLY
from bot.clock.sources import Opener, load_source_opener
from bot.content import Content
from bot.crypto import Vault
from bot.huddle import Huddle
from bot.ports import Messenger
from bot.storage.appointments import StoredSource, get_source
from bot.storage.db import transaction
from bot.storage.front_desk import (
    OpenRecovery,
    claim_push,
    popup_workspaces,
    record_push,
    recoveries_to_push,
)
from bot.wording import shorten

log = logging.getLogger("huddle.clock")

LEASE = timedelta(minutes=15)  # how long a run holds a push before another may take it
MAX_BACKOFF = timedelta(hours=12)


@runtime_checkable
class PopupTarget(Protocol):
    """A source that can put a note on a patient's chart (Open Dental's ``POST /popups``)."""

    async def push_popup(self, patient_ref: str, description: str) -> bool: ...


def retry_at(now: datetime, attempts: int) -> datetime:
    """After the ``attempts``-th failure: 5, 10, 20 minutes ... up to 12 hours."""
    return now + min(timedelta(minutes=5) * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def popup_text(content: Content, recovery: OpenRecovery, defect_id: int) -> str:
    """What the chart shows: the defect and its newest recovery action, no tidbit."""
    stage = content.stage_name(recovery.stage) if recovery.stage else "Service"
    action = (
        f" Latest recovery: {shorten(recovery.last_action, 200)}"
        if recovery.last_action
        else " No recovery action yet."
    )
    return (
        f"Huddle: a service recovery to finish ({stage}): {shorten(recovery.description, 200)}."
        f"{action} (Huddle defect #{defect_id})"
    )


@dataclass
class PushReport:
    job: str
    pushed: int = 0
    failed: int = 0

    @property
    def problems(self) -> int:
        return self.failed

    def summary(self) -> str:
        return f"{self.job}: {self.pushed} popup(s) pushed, {self.failed} to try again"


@dataclass(frozen=True)
class RecoveryPopups:
    name: str = "recovery-popups"
    doc: str = "Hourly, where a practice turned it on: open recoveries as Open Dental popups."
    opener: Opener | None = field(default=None, compare=False)
    cadence: ClassVar[str] = HOURLY

    async def __call__(
        self, huddle: Huddle, messengers: Mapping[str, Messenger], now: datetime, **_: Any
    ) -> PushReport:
        report = PushReport(self.name)
        claimed = await asyncio.to_thread(_claim, huddle, now)
        if not claimed:
            return report
        opener = self.opener or load_source_opener()
        if opener is None:
            return report
        outcomes: list[tuple[int, bool, int]] = []
        for workspace_id, (stored, recoveries) in claimed.items():
            done = await _push(
                opener, huddle.vault, huddle.content, workspace_id, stored, recoveries
            )
            outcomes += done
        for _, pushed, _ in outcomes:
            report.pushed += pushed
            report.failed += not pushed

        def record() -> None:
            with transaction(huddle.engine) as session:
                for defect_id, pushed, attempts in outcomes:
                    record_push(
                        session=session,
                        defect_id=defect_id,
                        now=now,
                        pushed=pushed,
                        retry_at=None if pushed else retry_at(now, attempts + 1),
                    )

        await asyncio.to_thread(record)
        log.info("%s", report.summary())
        return report


def _claim(huddle: Huddle, now: datetime) -> dict[int, tuple[StoredSource, list[OpenRecovery]]]:
    claimed = {}
    with transaction(huddle.engine) as session:
        for workspace_id in popup_workspaces(session=session):
            stored = get_source(session=session, workspace_id=workspace_id)
            if stored is None:
                continue
            mine = [
                r
                for r in recoveries_to_push(session=session, workspace_id=workspace_id, now=now)
                if claim_push(
                    session=session,
                    workspace_id=workspace_id,
                    defect_id=r.defect_id,
                    now=now,
                    lease_until=now + LEASE,
                )
            ]
            if mine:
                claimed[workspace_id] = (stored, mine)
    return claimed


async def _push(
    opener: Opener,
    vault: Vault,
    content: Content,
    workspace_id: int,
    stored: StoredSource,
    recoveries: list[OpenRecovery],
) -> list[tuple[int, bool, int]]:
    """Each recovery's (defect id, pushed, attempts so far)."""
    done: list[tuple[int, bool, int]] = []
    try:
        async with opener(stored, vault) as source:
            if not isinstance(source, PopupTarget):
                log.warning(
                    "recovery-popups: workspace %s: its source takes no popups", workspace_id
                )
                return [(r.defect_id, False, r.attempts) for r in recoveries]
            for recovery in recoveries:
                text = popup_text(content, recovery, recovery.defect_id)
                try:
                    await source.push_popup(vault.decrypt(recovery.patient_ref_enc), text)
                except ScheduleSourceError as error:
                    log.warning(
                        "recovery-popups: workspace %s, defect %s: not pushed: %s",
                        workspace_id,
                        recovery.defect_id,
                        error,
                    )
                    done.append((recovery.defect_id, False, recovery.attempts))
                else:
                    done.append((recovery.defect_id, True, recovery.attempts))
    except ScheduleSourceError as error:
        log.warning("recovery-popups: workspace %s: source not opened: %s", workspace_id, error)
        pushed = {d for d, _, _ in done}
        done += [(r.defect_id, False, r.attempts) for r in recoveries if r.defect_id not in pushed]
    return done


RECOVERY_POPUPS = RecoveryPopups()
