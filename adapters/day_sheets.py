"""Importing a CSV day sheet's bytes, as `huddle appointments import` does: for an adapter
that cannot import the day-sheet adapter itself (the dashboard's upload), through the
``huddle.day_sheets`` entry point.

The practice's stored mapping reads the sheet; the days it covers (today when it has no
date column) are each synced with the core's ``sync_day`` through the day-sheet source,
which keeps the time, the provider, the reference and the flags of a row and drops
every other column (names, notes, procedures) before anything is stored.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from adapters.daysheet.source import ColumnMapping, days_in_sheet
from adapters.schedule_sources import sync_days
from bot.appointments import ScheduleSourceError, SourceWorkspace, SyncResult
from bot.crypto import Vault
from bot.storage import appointments as stored_sources
from bot.storage.db import transaction
from bot.storage.models import Workspace


async def import_day_sheet(
    data: bytes, *, engine: sa.Engine, vault: Vault, workspace_id: int, now: datetime
) -> list[SyncResult]:
    """Each day the sheet covers, synced from it. ``ScheduleSourceError`` (in words, never
    a cell of the sheet) when the practice's source is not a day sheet or it cannot be read."""
    with transaction(engine) as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None or workspace.id is None:
            raise ScheduleSourceError("That practice is not known here.")
        target = SourceWorkspace(workspace.id, workspace.timezone, workspace.patient_salt)
        found = stored_sources.get_source(session=session, workspace_id=workspace_id)
    if found is None or found.kind != "daysheet":
        raise ScheduleSourceError("Save the day sheet's column mapping first.")
    mapping = ColumnMapping.from_settings(found.settings)
    days = days_in_sheet(data, mapping) or [now.astimezone(ZoneInfo(target.timezone)).date()]
    return await sync_days(
        found, vault, engine=engine, workspace=target, days=days, now=now, day_sheet=data
    )
