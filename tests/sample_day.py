"""The sample day sheet (content/examples/day_sheet.csv), synced into a workspace for tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from adapters.daysheet.source import ColumnMapping, DaySheetSource
from bot.appointments import SourceWorkspace, sync_day
from bot.storage import workspaces
from bot.storage.appointments import AppointmentRow, appointments_on, replace_day, set_source

SAMPLE = Path(__file__).parents[1] / "content" / "examples" / "day_sheet.csv"
MAPPING = ColumnMapping(
    {
        "time": "Time",
        "reference": "Chart #",
        "provider": "Provider",
        "status": "Status",
        "new_patient": "NP",
    }
)
TUESDAY = date(2026, 11, 24)  # the conftest clock's Tuesday morning in Sydney
SAMPLE_REFS = ("JS-1042", "AB-2210", "CD-3307", "EF-4415")


def sample_workspace(huddle, platform: str = "slack", external_id: str = "T1") -> SourceWorkspace:
    with Session(huddle.engine) as session, session.begin():
        found = workspaces.ensure_workspace(
            session=session,
            platform=platform,
            external_id=external_id,
            default_timezone="Australia/Sydney",
            now=huddle.clock(),
        )
        return SourceWorkspace(found.id, found.timezone, found.patient_salt)


async def sync_sample(
    huddle, day: date = TUESDAY, platform: str = "slack", external_id: str = "T1"
) -> int:
    """Stores the sample sheet as ``day``'s appointments; returns the workspace's id."""
    workspace = sample_workspace(huddle, platform, external_id)
    result = await sync_day(
        DaySheetSource(SAMPLE.read_bytes(), MAPPING),
        engine=huddle.engine,
        vault=huddle.vault,
        workspace=workspace,
        day=day,
        now=huddle.clock(),
    )
    assert result.ok
    return workspace.id


def repeat_day(huddle, workspace_id: int, day: date, times: int) -> None:
    """Make ``day`` a long one: its appointments stored ``times`` over."""
    with Session(huddle.engine) as session, session.begin():
        rows = appointments_on(session=session, workspace_id=workspace_id, day=day)
        copies = [
            AppointmentRow(
                r.starts,
                r.provider,
                r.patient_ref_hash,
                r.patient_ref_enc,
                r.confirmed,
                r.new_patient,
            )
            for r in rows
        ]
        replace_day(
            session=session,
            workspace_id=workspace_id,
            day=day,
            rows=copies * times,
            now=huddle.clock(),
        )


def set_day_sheet_source(huddle, workspace_id: int) -> None:
    """Record the sample sheet's mapping as the practice's schedule source (as an import does)."""
    with Session(huddle.engine) as session, session.begin():
        set_source(
            session=session,
            workspace_id=workspace_id,
            kind="daysheet",
            settings=MAPPING.as_settings(),
            secret_enc=None,
            updated_by="test",
            now=huddle.clock(),
        )
