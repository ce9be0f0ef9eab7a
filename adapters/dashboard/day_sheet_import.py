"""A CSV day sheet uploaded on the Settings page, imported as `huddle appointments import`
imports one: the stored column mapping, the days the sheet covers (today when it has no
date column), and the core's ``sync_day`` for each, through the same day-sheet source.
The adapter keeps the time, the provider, the reference and the flags of each row and
drops every other column (names, notes, procedures) before anything is stored.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.daysheet.source import ColumnMapping, days_in_sheet
from adapters.schedule_sources import open_source
from bot.appointments import ScheduleSourceError, SourceWorkspace, SyncResult, sync_day
from bot.storage import appointments as stored_sources
from bot.storage.db import transaction
from bot.storage.models import Workspace

SHEET_MAX_BYTES = 512 * 1024  # a day sheet is a few KB; a bigger file is not one


class UploadError(Exception):
    """The upload cannot be imported; the message says why, never a cell of it."""


async def import_day_sheet(huddle, *, workspace_id: int, data: bytes, now: datetime):
    """Each day the sheet covers, synced from it: ``[SyncResult, ...]``."""
    if not data.strip():
        raise UploadError("Choose the day sheet's CSV file to upload.")
    if len(data) > SHEET_MAX_BYTES:
        raise UploadError("That file is too big for a day sheet (over 512 KB).")
    with transaction(huddle.engine) as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        target = SourceWorkspace(workspace.id, workspace.timezone, workspace.patient_salt)
        found = stored_sources.get_source(session=session, workspace_id=workspace_id)
    if found is None or found.kind != "daysheet":
        raise UploadError("Save the day sheet's column mapping first.")
    try:
        mapping = ColumnMapping.from_settings(found.settings)
        days = days_in_sheet(data, mapping) or [now.astimezone(ZoneInfo(target.timezone)).date()]
        results: list[SyncResult] = []
        async with open_source(found, huddle.vault, day_sheet=data) as source:
            for day in days:
                results.append(
                    await sync_day(
                        source,
                        engine=huddle.engine,
                        vault=huddle.vault,
                        workspace=target,
                        day=day,
                        now=now,
                    )
                )
    except ScheduleSourceError as error:  # said for people, without the sheet's rows
        raise UploadError(str(error)) from None
    return results
