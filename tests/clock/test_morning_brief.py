"""morning-brief and schedule-sync: counts in the channel at its brief time, fresh data hourly."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.clock.config import ClockSettings
from bot.clock.jobs import JOBS
from bot.clock.scheduler import Clock
from bot.storage import appointments as stored
from bot.storage.appointment_models import Appointment
from tests.clock.conftest import channel, local
from tests.sample_day import TUESDAY, sample_workspace, sync_sample
from tests.standins.opendental_api import OpenDentalStandIn, appointment_row, patient_row

SYDNEY = "Australia/Sydney"
brief = JOBS["morning-brief"]


def _room(huddle, clock):
    clock.set(local(SYDNEY, 2026, 11, 24, 6, 0))
    room = channel(huddle, "C1")
    room("/huddle schedule monday 8:30 am")
    assert "Each open day at 7:45 am" in room("/huddle brief at 7:45")
    return room


async def test_the_brief_posts_counts_once_at_the_channel_time_and_never_who(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    room("/tidbit JS-1042 daughter's wedding in June")
    room("/defect waiting: kept 40 minutes, no update patient: CD-3307")
    await sync_sample(huddle, TUESDAY)

    await brief(huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 44))
    assert messenger.posts == []
    for minute in (45, 46, 59):
        await brief(huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, minute))

    [post] = messenger.posts
    assert post.reply.title == "Morning brief"
    assert post.text.startswith(
        "Morning brief\n8 patients today: 1 with something to remember, 1 with a recovery to finish"
    )
    for secret in ("JS-1042", "CD-3307", "DOC1", "8:00", "wedding"):
        assert secret not in post.text


async def test_a_practice_with_tidbits_off_hears_nothing_to_remember(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    room("/tidbit JS-1042 daughter's wedding in June")
    assert "Tidbits are off" in room("/huddle tidbits off")
    await sync_sample(huddle, TUESDAY)

    await brief(huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 45))

    [post] = messenger.posts
    assert post.text.startswith("Morning brief\n8 patients today: 1 with a recovery") or (
        post.text.startswith("Morning brief\n8 patients today")
    )
    assert "remember" not in post.text


async def test_a_day_without_appointments_a_pause_or_no_brief_time_posts_nothing(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    await brief(huddle, messengers, local(SYDNEY, 2026, 11, 24, 8, 0))  # a closed day
    room("/huddle pause until 2026-11-26")
    await sync_sample(huddle, TUESDAY + timedelta(days=1))
    await brief(huddle, messengers, local(SYDNEY, 2026, 11, 25, 8, 0))  # paused
    room("/huddle resume")
    room("/huddle brief off")
    await sync_sample(huddle, TUESDAY + timedelta(days=2))
    await brief(huddle, messengers, local(SYDNEY, 2026, 11, 26, 8, 0))  # no brief time

    assert messenger.posts == []


async def test_an_idle_clock_wakes_for_the_brief_time(huddle, clock, messenger, messengers):
    _room(huddle, clock)
    await sync_sample(huddle, TUESDAY)
    report = await brief(huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))

    assert report.quiet_until == local(SYDNEY, 2026, 11, 24, 7, 45)


async def test_the_hourly_sync_asks_the_practice_source_for_today_and_tomorrow(
    huddle, clock, messengers, monkeypatch
):
    monkeypatch.setenv("HUDDLE_OPENDENTAL_DEVELOPER_KEY", "dev-key-1")
    standin = OpenDentalStandIn()
    await standin.start()
    try:
        standin.appointments = [
            appointment_row(1, 11, "2026-11-24 09:00:00", new_patient=True),
            appointment_row(2, 12, "2026-11-25 10:30:00"),
        ]
        standin.patients = [
            patient_row(11, chart="JS-1042", birthdate="1979-11-26"),
            patient_row(12, chart="AB-2210", birthdate="1980-01-01"),
        ]
        workspace = sample_workspace(huddle)
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
                secret_enc=huddle.vault.encrypt("VzkmZEaUWOjnQX2z"),
                updated_by="test",
                now=huddle.clock(),
            )
        clock.set(local(SYDNEY, 2026, 11, 24, 6, 0))

        reports = await Clock(huddle, messengers, ClockSettings.defaults()).housekeeping()
    finally:
        await standin.close()

    assert reports["schedule-sync"].synced == 2 and reports["schedule-sync"].problems == 0
    with Session(huddle.engine) as session:
        days = session.exec(sa.select(Appointment.day, Appointment.birthday_this_week)).all()
    assert sorted(days) == [(TUESDAY, True), (TUESDAY + timedelta(days=1), False)]


async def test_a_failing_source_keeps_the_last_good_day_and_is_counted(
    huddle, clock, messengers, monkeypatch
):
    monkeypatch.delenv("HUDDLE_OPENDENTAL_DEVELOPER_KEY", raising=False)
    workspace = sample_workspace(huddle)
    await sync_sample(huddle, TUESDAY)
    with Session(huddle.engine) as session, session.begin():
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="opendental",
            settings={"confirmed_defnums": [19]},
            secret_enc=huddle.vault.encrypt("k"),
            updated_by="test",
            now=huddle.clock(),
        )
    clock.set(local(SYDNEY, 2026, 11, 24, 6, 0))

    report = await JOBS["schedule-sync"](huddle, messengers, clock())

    assert report.synced == 0 and report.problems == 2
    with Session(huddle.engine) as session:
        assert (
            len(stored.appointments_on(session=session, workspace_id=workspace.id, day=TUESDAY))
            == 8
        )
