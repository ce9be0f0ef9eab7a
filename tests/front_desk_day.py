"""A practice on Open Dental with one patient late at 9:00, for the front-desk wire tests."""

from __future__ import annotations

from sqlmodel import Session

from bot.clock.jobs.late_patients import LatePatients
from bot.storage import appointments as stored
from tests.sample_day import sample_workspace
from tests.standins.opendental_api import OpenDentalStandIn, appointment_row, patient_row


def open_dental_practice(
    huddle, standin: OpenDentalStandIn, platform: str = "slack", external_id: str = "T1"
) -> None:
    """Today (Tuesday 24 November 2026) in Open Dental: JS-1042 at 9:00, not arrived."""
    standin.appointments = [appointment_row(1, 11, "2026-11-24 09:00:00", prov="DOC1")]
    standin.patients = [patient_row(11, chart="JS-1042")]
    workspace = sample_workspace(huddle, platform, external_id)
    with Session(huddle.engine) as session, session.begin():
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="opendental",
            settings={
                "base_url": standin.url,
                "confirmed_defnums": [19],
                "reference": "ChartNumber",
            },
            secret_enc=huddle.vault.encrypt(standin.customer_key),
            updated_by="test",
            now=huddle.clock(),
        )


async def run_late_patients(huddle, messengers, *moments) -> None:
    """The late-patients job at each moment, its sources closed afterwards."""
    late = LatePatients()
    try:
        for moment in moments:
            await late(huddle, messengers, moment)
    finally:
        await late.aclose()
