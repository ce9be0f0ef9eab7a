"""A CSV day sheet uploaded on the Settings page, imported as `huddle appointments import`
imports one. The dashboard stands apart from the source adapters (an import-linter
contract), so the importer comes through the ``huddle.day_sheets`` entry point, as the
clock gets its sources through ``huddle.schedule_sources``.
"""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import entry_points

from bot.appointments import ScheduleSourceError

GROUP = "huddle.day_sheets"
SHEET_MAX_BYTES = 512 * 1024  # a day sheet is a few KB; a bigger file is not one


class UploadError(Exception):
    """The upload cannot be imported; the message says why, never a cell of it."""


def _importer():
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        return entry.load()
    raise UploadError("Day sheets can't be imported here: the day-sheet adapter is not installed.")


async def import_day_sheet(huddle, *, workspace_id: int, data: bytes, now: datetime):
    """Each day the sheet covers, synced from it: ``[SyncResult, ...]``."""
    if not data.strip():
        raise UploadError("Choose the day sheet's CSV file to upload.")
    if len(data) > SHEET_MAX_BYTES:
        raise UploadError("That file is too big for a day sheet (over 512 KB).")
    try:
        return await _importer()(
            data, engine=huddle.engine, vault=huddle.vault, workspace_id=workspace_id, now=now
        )
    except ScheduleSourceError as error:  # said for people, without the sheet's rows
        raise UploadError(str(error)) from None
