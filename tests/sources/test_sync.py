"""Syncing a day: what is stored, what is never stored, and a failed sync's last good day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import Session

from adapters.daysheet.source import ColumnMapping, DaySheetSource
from adapters.ical.source import FeedPractice, FeedSource
from adapters.opendental.client import OpenDentalClient
from adapters.opendental.source import OpenDentalPractice, OpenDentalSource
from bot.appointments import Appointment, ScheduleSourceError, SourceWorkspace, sync_day
from bot.clock.jobs import JOBS
from bot.crypto import Vault, generate_key
from bot.keys import rotate_keys
from bot.storage import appointments as stored
from bot.storage import workspaces
from bot.storage.appointment_models import Appointment as AppointmentRow
from bot.storage.models import Tidbit
from tests.standins.opendental_api import appointment_row, patient_row

DAY = date(2026, 11, 24)  # the conftest clock's Tuesday in Sydney
NOW = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)

# Everything a practice system holds that Huddle must never keep.
NAME, SURNAME, NOTE = "Philippa", "Quartermaine", "Allergic to penicillin, anxious"
PROCEDURES, BIRTHDATE, PHONE = "Crown prep #14, Root canal", "1979-11-26", "(536)624-5871"


class FixedSource:
    kind = "test"

    def __init__(self, appointments: list[Appointment] | None = None, problem: str | None = None):
        self.appointments = appointments or []
        self.problem = problem

    async def day(self, workspace: SourceWorkspace, day: date) -> list[Appointment]:
        if self.problem:
            raise ScheduleSourceError(self.problem)
        return self.appointments


async def _serve_feed(body: str) -> TestServer:
    async def feed(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/basic.ics", feed)
    server = TestServer(app)
    await server.start_server()
    return server


def _workspace(engine) -> SourceWorkspace:
    with Session(engine) as session, session.begin():
        found = workspaces.ensure_workspace(
            session=session, platform="slack", external_id="T1", default_timezone="UTC", now=NOW
        )
        return SourceWorkspace(found.id, "Australia/Sydney", found.patient_salt)


def _stored(engine, workspace: SourceWorkspace, day: date = DAY) -> list[AppointmentRow]:
    with Session(engine) as session:
        return stored.appointments_on(session=session, workspace_id=workspace.id, day=day)


def _everything_stored(engine) -> str:
    """Every value in every table, as text."""
    text = []
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in inspector.get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')):
                text.append(" ".join(str(value) for value in row))
    return "\n".join(text)


async def test_a_synced_day_is_stored_with_its_flags(engine, vault):
    workspace = _workspace(engine)
    source = FixedSource(
        [
            Appointment(time(9), "DOC1", "JS-1042", confirmed=True, new_patient=False),
            Appointment(time(8), "HYG", "AB-2210", False, True, time(7, 55), True),
        ]
    )
    result = await sync_day(
        source, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW
    )
    assert result.ok and result.summary() == "2026-11-24: 2 appointment(s) stored"
    first, second = _stored(engine, workspace)
    assert (first.starts, first.provider, first.confirmed, first.new_patient) == (
        time(8),
        "HYG",
        False,
        True,
    )
    assert (first.arrived, first.birthday_this_week) == (time(7, 55), True)
    assert vault.decrypt(second.patient_ref_enc) == "JS-1042"
    assert "JS-1042" not in _everything_stored(engine)


async def test_a_failed_sync_keeps_the_last_good_day(engine, vault, log_output):
    workspace = _workspace(engine)
    good = FixedSource([Appointment(time(9), "DOC1", "JS-1042", True, False)])
    await sync_day(good, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW)
    broken = FixedSource(problem="Open Dental refused the API keys (HTTP 401).")
    later = NOW + timedelta(hours=1)
    result = await sync_day(
        broken, engine=engine, vault=vault, workspace=workspace, day=DAY, now=later
    )
    assert not result.ok
    assert (
        "refused the API keys" in result.summary() and "last good day is kept" in result.summary()
    )
    assert [r.provider for r in _stored(engine, workspace)] == ["DOC1"]
    assert f"workspace {workspace.id}, test source" in log_output.getvalue()


async def test_a_new_sync_replaces_the_day_and_leaves_other_days_alone(engine, vault):
    workspace = _workspace(engine)
    one = FixedSource([Appointment(time(9), "DOC1", "JS-1042", True, False)])
    await sync_day(one, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW)
    tomorrow = DAY + timedelta(days=1)
    await sync_day(one, engine=engine, vault=vault, workspace=workspace, day=tomorrow, now=NOW)
    two = FixedSource([Appointment(time(10), "DOC2", "CD-3307", True, False)])
    await sync_day(two, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW)
    assert [r.provider for r in _stored(engine, workspace)] == ["DOC2"]
    assert [r.provider for r in _stored(engine, workspace, tomorrow)] == ["DOC1"]


async def test_references_hash_exactly_as_tidbit_references_do(engine, vault, chat):
    chat("/tidbit JS-1042 daughter's wedding in June")
    workspace = _workspace(engine)
    source = FixedSource([Appointment(time(9), "DOC1", "js 1042", True, False)])
    await sync_day(source, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW)
    [appointment] = _stored(engine, workspace)
    with Session(engine) as session:
        [tidbit] = session.exec(sa.select(Tidbit)).scalars().all()
    assert appointment.patient_ref_hash == tidbit.patient_ref_hash


async def test_names_notes_procedures_and_birthdates_are_stored_and_logged_nowhere(
    engine, vault, opendental, sleeps, log_output
):
    workspace = _workspace(engine)
    opendental.appointments = [
        appointment_row(
            1, 11, "2026-11-24 09:00:00", note=NOTE, procedures=PROCEDURES, new_patient=True
        )
    ]
    opendental.patients = [
        patient_row(11, chart="JS-1042", birthdate=BIRTHDATE, first=NAME, last=SURNAME)
    ]
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}), reference="ChartNumber")
    client = OpenDentalClient(opendental.url, "dev-key-1", "VzkmZEaUWOjnQX2z", sleep=sleeps)
    async with client:
        source = OpenDentalSource(client, practice)
        result = await sync_day(
            source, engine=engine, vault=vault, workspace=workspace, day=DAY, now=NOW
        )
    sheet = (
        f"Time,Chart #,Patient,DOB,Procedures,Phone\n"
        f'10:00,AB-2210,{NAME} {SURNAME},{BIRTHDATE},"{PROCEDURES}",{PHONE}\n'
    ).encode()
    mapping = ColumnMapping({"time": "Time", "reference": "Chart #", "birthdate": "DOB"})
    tomorrow = DAY + timedelta(days=1)
    await sync_day(
        DaySheetSource(sheet, mapping),
        engine=engine,
        vault=vault,
        workspace=workspace,
        day=tomorrow,
        now=NOW,
    )
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        "UID:1@t\r\nDTSTART:20261126T090000\r\n"
        f"SUMMARY:CD-3307 {NAME} {SURNAME} {PROCEDURES}\r\n"
        f"DESCRIPTION:{NOTE}. Born {BIRTHDATE}. Phone {PHONE}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    server = await _serve_feed(feed)
    try:
        later = DAY + timedelta(days=2)
        from_feed = await sync_day(
            FeedSource(str(server.make_url("/basic.ics")), FeedPractice()),
            engine=engine,
            vault=vault,
            workspace=workspace,
            day=later,
            now=NOW,
        )
    finally:
        await server.close()
    assert result.ok and from_feed.stored == 1
    [from_od] = _stored(engine, workspace)
    [from_sheet] = _stored(engine, workspace, tomorrow)
    assert from_od.birthday_this_week and from_sheet.birthday_this_week
    everything = _everything_stored(engine) + log_output.getvalue()
    for secret in (
        NAME,
        SURNAME,
        "penicillin",
        "Crown prep",
        BIRTHDATE,
        PHONE,
        "JS-1042",
        "CD-3307",
    ):
        assert secret not in everything


async def test_appointments_are_deleted_a_few_days_after_their_day(engine, vault, huddle):
    workspace = _workspace(engine)
    source = FixedSource([Appointment(time(9), "DOC1", "JS-1042", True, False)])
    for back in (0, 2, 5):
        day = DAY - timedelta(days=back)
        await sync_day(source, engine=engine, vault=vault, workspace=workspace, day=day, now=NOW)
    report = await JOBS["purge-appointments"](huddle, {}, NOW)
    assert report.removed == 1
    left = [d for d in (0, 2, 5) if _stored(engine, workspace, DAY - timedelta(days=d))]
    assert left == [0, 2]


def test_a_sources_secret_is_kept_encrypted_and_replaced_only_when_given(engine, vault):
    workspace = _workspace(engine)
    with Session(engine) as session, session.begin():
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="opendental",
            settings={"confirmed_defnums": [21]},
            secret_enc=vault.encrypt("VzkmZEaUWOjnQX2z"),
            updated_by="operator",
            now=NOW,
        )
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="opendental",
            settings={"confirmed_defnums": [21, 22]},
            secret_enc=None,
            updated_by="operator",
            now=NOW,
        )
    with Session(engine) as session:
        found = stored.get_source(session=session, workspace_id=workspace.id)
    assert found.settings == {"confirmed_defnums": [21, 22]}
    assert vault.decrypt(found.secret_enc) == "VzkmZEaUWOjnQX2z"
    assert "VzkmZEaUWOjnQX2z" not in _everything_stored(engine)


async def test_a_key_rotation_moves_appointment_references_and_their_hashes(engine):
    old, new = generate_key(), generate_key()
    workspace = _workspace(engine)
    source = FixedSource([Appointment(time(9), "DOC1", "JS-1042", True, False)])
    await sync_day(source, engine=engine, vault=Vault([old]), workspace=workspace, day=DAY, now=NOW)
    result = rotate_keys(engine=engine, vault=Vault([new, old]))
    assert result.reencrypted["appointment"] == 1
    [row] = _stored(engine, workspace)
    only_new = Vault([new])
    assert only_new.decrypt(row.patient_ref_enc) == "JS-1042"
    assert row.patient_ref_hash == only_new.ref_hash(workspace.patient_salt, "JS-1042")


def test_a_key_rotation_moves_a_sources_secret_too(engine):
    old, new = generate_key(), generate_key()
    workspace = _workspace(engine)
    with Session(engine) as session, session.begin():
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="ical",
            settings={},
            secret_enc=Vault([old]).encrypt("https://calendar.example/private-abc/basic.ics"),
            updated_by="operator",
            now=NOW,
        )
    result = rotate_keys(engine=engine, vault=Vault([new, old]))
    assert result.complete and result.reencrypted["schedule source secret"] == 1
    with Session(engine) as session:
        found = stored.get_source(session=session, workspace_id=workspace.id)
    assert Vault([new]).decrypt(found.secret_enc).endswith("/basic.ics")
