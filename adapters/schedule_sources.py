"""Builds a practice's schedule source from what is stored for it.

The one place that knows all three adapters (each stands alone); the secret (the
Open Dental customer key, the private feed URL) is decrypted here, just before use,
and never printed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

import sqlalchemy as sa

from adapters.daysheet.source import ColumnMapping, DaySheetSource
from adapters.ical.source import FeedPractice, FeedSource
from adapters.opendental.client import OpenDentalClient
from adapters.opendental.settings import OpenDentalSettings
from adapters.opendental.source import OpenDentalPractice, OpenDentalSource
from bot.appointments import (
    ScheduleSource,
    ScheduleSourceError,
    SourceWorkspace,
    SyncResult,
    sync_day,
)
from bot.crypto import Vault
from bot.storage.appointments import StoredSource


@asynccontextmanager
async def open_source(
    stored: StoredSource,
    vault: Vault,
    *,
    opendental: OpenDentalSettings | None = None,
    day_sheet: bytes | None = None,
) -> AsyncIterator[ScheduleSource]:
    """``async with open_source(stored, vault) as source: await sync_day(source, ...)``."""
    if stored.kind == "daysheet":
        if day_sheet is None:
            raise ScheduleSourceError(
                "A day sheet is imported from a file: huddle appointments import FILE."
            )
        yield DaySheetSource(day_sheet, ColumnMapping.from_settings(stored.settings))
        return
    if stored.secret_enc is None:
        what = "customer key" if stored.kind == "opendental" else "feed address"
        raise ScheduleSourceError(
            f"The {stored.kind} source has no {what} yet: set it with huddle appointments source set."
        )
    secret = vault.decrypt(stored.secret_enc)
    if stored.kind == "ical":
        yield FeedSource(secret, FeedPractice.from_settings(stored.settings))
        return
    operator = opendental or OpenDentalSettings()
    practice = OpenDentalPractice.from_settings(stored.settings)
    base_url = stored.settings.get("base_url") or operator.base_url
    async with OpenDentalClient(base_url, operator.require_developer_key(), secret) as client:
        yield OpenDentalSource(client, practice)


async def sync_days(
    stored: StoredSource,
    vault: Vault,
    *,
    engine: sa.Engine,
    workspace: SourceWorkspace,
    days: list[date],
    now: datetime,
    day_sheet: bytes | None = None,
) -> list[SyncResult]:
    """Each day synced from the practice's source, opened once for all of them."""
    async with open_source(stored, vault, day_sheet=day_sheet) as source:
        return [
            await sync_day(source, engine=engine, vault=vault, workspace=workspace, day=d, now=now)
            for d in days
        ]
