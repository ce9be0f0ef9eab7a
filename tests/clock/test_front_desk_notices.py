"""The fail-to-attend protocol's clock jobs, with injected time: unconfirmed new patients the
afternoon before, late patients a minute after their time, and recoveries as popups."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.clock.jobs import JOBS
from bot.clock.jobs.late_patients import LatePatients
from bot.clock.jobs.recovery_popups import RecoveryPopups
from bot.model import Installed
from bot.storage import appointments as stored
from bot.storage.appointment_models import FrontDeskNotice, PopupPush
from bot.storage.models import AuditEntry
from tests.clock.conftest import channel, local
from tests.sample_day import TUESDAY, sample_workspace, sync_sample
from tests.standins.opendental_api import OpenDentalStandIn, appointment_row, patient_row

SYDNEY = "Australia/Sydney"
unconfirmed = JOBS["front-desk-unconfirmed"]


def _practice(huddle, clock, *desk: str):
    clock.set(local(SYDNEY, 2026, 11, 24, 7, 0))
    huddle.handle(Installed("slack", "T1", "C1", installer_id="U-dana", installer_name="Dana"))
    room = channel(huddle, "C1").as_("Dana")
    room("/huddle schedule monday 8:30 am")
    for name in desk:
        room(f"/huddle frontdesk add @{name}")
    return room


async def test_the_front_desk_hears_of_tomorrows_unconfirmed_new_patients_once_at_three(
    huddle, clock, messenger, messengers, engine
):
    _practice(huddle, clock, "Sam", "Lee")
    await sync_sample(huddle, TUESDAY + timedelta(days=1))  # tomorrow

    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 14, 59))
    assert messenger.posts == []
    for minute in (0, 1, 30):
        await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, minute))

    assert sorted(p.reply.to.user_id for p in messenger.posts) == ["U-lee", "U-sam"]
    post = messenger.posts[0]
    assert post.reply.title == "1 new patient not confirmed for Wednesday 25 November 2026"
    assert "8:30 am AB-2210 with HYG1" in post.text
    assert "confirm by the end of today" in post.text
    assert post.reply.sensitive and post.reply.footer is None
    for confirmed_or_old in ("JS-1042", "KL-6634"):  # confirmed, or not new
        assert confirmed_or_old not in post.text
    with Session(engine) as session:
        audit = session.exec(select(AuditEntry.action, AuditEntry.record_count)).all()
    assert ("front_desk.unconfirmed", 2) in audit


async def test_with_no_front_desk_the_admins_are_told_and_the_notice_says_why(
    huddle, clock, messenger, messengers
):
    room = _practice(huddle, clock)
    room("/huddle frontdesk at 16:00")
    room("/huddle frontdesk deadline 17:30")
    await sync_sample(huddle, TUESDAY + timedelta(days=1))

    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 30))
    assert messenger.posts == []
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 16, 0))

    [post] = messenger.posts
    assert post.reply.to.user_id == "U-dana"
    assert "confirm by 5:30 pm today" in post.text
    assert "because no front desk is set" in post.reply.footer


async def test_a_skipped_day_a_pause_or_nobody_to_call_sends_nothing(
    huddle, clock, messenger, messengers, engine
):
    room = _practice(huddle, clock, "Sam")
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 0))  # nobody tomorrow
    room("/huddle skip 2026-11-25")
    await sync_sample(huddle, TUESDAY + timedelta(days=2))
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 25, 15, 0))  # skipped
    room("/huddle pause until 2026-11-27")
    await sync_sample(huddle, TUESDAY + timedelta(days=3))
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 26, 15, 0))  # paused

    assert messenger.posts == []


async def test_a_notice_the_platform_refused_for_now_is_sent_on_a_later_tick(
    huddle, clock, messenger, messengers, engine
):
    _practice(huddle, clock, "Sam")
    await sync_sample(huddle, TUESDAY + timedelta(days=1))
    messenger.fail("T1")
    report = await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 0))
    assert report.failed == 1 and messenger.posts == []
    messenger.heal()
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 1))
    await unconfirmed(huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 2))

    [post] = messenger.posts
    assert post.reply.to.user_id == "U-sam"


@pytest.fixture
async def opendental(monkeypatch):
    monkeypatch.setenv("HUDDLE_OPENDENTAL_DEVELOPER_KEY", "dev-key-1")
    standin = OpenDentalStandIn()
    await standin.start()
    yield standin
    await standin.close()


def _opendental_source(huddle, standin: OpenDentalStandIn) -> None:
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


def _appointment_calls(standin: OpenDentalStandIn) -> list[dict]:
    return [r.query for r in standin.requests if r.path.endswith("/appointments")]


async def test_a_patient_not_here_a_minute_after_their_time_is_told_about_once(
    huddle, clock, messenger, messengers, opendental, caplog
):
    caplog.set_level(logging.DEBUG)
    _practice(huddle, clock, "Sam")
    opendental.appointments = [
        appointment_row(1, 11, "2026-11-24 09:00:00", prov="DOC1", note="anxious about needles"),
        appointment_row(2, 12, "2026-11-24 09:00:00", arrived="2026-11-24 08:52:10"),
        appointment_row(3, 13, "2026-11-24 09:10:00"),
    ]
    opendental.patients = [
        patient_row(11, chart="JS-1042"),
        patient_row(12, chart="AB-2210"),
        patient_row(13, chart="CD-3307"),
    ]
    _opendental_source(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))
    late = LatePatients()
    try:
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 8, 59))
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 0, 30))
        assert messenger.posts == [] and _appointment_calls(opendental) == [
            {"date": "2026-11-24"},
            {"date": "2026-11-25"},
        ]  # only the hourly sync: nobody was a minute late yet

        report = await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1))
        assert report.polled == 1
        assert report.quiet_until == local(SYDNEY, 2026, 11, 24, 9, 11)  # 9:10's patient
        [post] = messenger.posts
        assert post.reply.to.user_id == "U-sam" and post.reply.sensitive
        assert post.reply.title == "Not here yet: JS-1042, 9:00 am with DOC1"
        assert "ask about them, not about the appointment" in post.text
        assert "No text message until tomorrow" in post.text
        assert "anxious" not in post.text
        assert [b.command for b in post.reply.buttons] == [
            "fta arrived JS-1042",
            "fta rescheduled JS-1042",
            "fta JS-1042",
        ]

        # Patient 3 arrives at 9:10; the next ask is incremental, and tells nobody.
        opendental.appointments[2] = appointment_row(
            3, 13, "2026-11-24 09:10:00", arrived="2026-11-24 09:10:30", stamp="2021-05-05 09:10:30"
        )
        for minute in (2, 5, 11, 12, 20):
            await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, minute))
        assert len(messenger.posts) == 1
        assert _appointment_calls(opendental)[-1] == {
            "date": "2026-11-24",
            "DateTStamp": "2021-05-04 09:32:45",
        }
    finally:
        await late.aclose()
    for secret in ("JS-1042", "CD-3307", "anxious", "Smith"):
        assert all(secret not in record.getMessage() for record in caplog.records)


async def test_the_source_is_asked_no_more_than_once_a_minute(
    huddle, clock, messenger, messengers, opendental
):
    _practice(huddle, clock, "Sam")
    opendental.appointments = [appointment_row(1, 11, "2026-11-24 09:00:00")]
    opendental.patients = [patient_row(11, chart="JS-1042")]
    _opendental_source(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))
    opendental.appointments = [
        appointment_row(1, 11, "2026-11-24 09:00:00", arrived="2026-11-24 09:00:40"),
    ]
    late = LatePatients()
    before = len(_appointment_calls(opendental))
    try:
        # The stored day says not arrived; the first fresh ask says arrived.
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1))
        for seconds in (10, 20, 50):
            await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1, seconds))
    finally:
        await late.aclose()

    assert messenger.posts == []
    assert len(_appointment_calls(opendental)) - before == 1


async def test_a_source_without_arrivals_never_sends_a_late_notice(
    huddle, clock, messenger, messengers
):
    _practice(huddle, clock, "Sam")
    workspace_id = await sync_sample(huddle, TUESDAY)  # a day sheet: no arrivals reported
    late = LatePatients()
    try:
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 8, 5))
    finally:
        await late.aclose()
    assert messenger.posts == [] and workspace_id


async def test_an_open_recovery_goes_to_open_dental_as_a_popup_once_and_never_a_tidbit(
    huddle, clock, messengers, opendental, engine
):
    room = _practice(huddle, clock)
    opendental.patients = [patient_row(11, chart="JS-1042")]
    _opendental_source(huddle, opendental)
    room("/tidbit JS-1042 daughter's wedding in June")
    room("/defect waiting: kept 40 minutes with no word patient: JS-1042")
    room("/defect recover 1 called to apologise, offered the first slot next week")
    popups = RecoveryPopups()
    now = local(SYDNEY, 2026, 11, 24, 10, 0)

    report = await popups(huddle, messengers, now)
    assert report.pushed == 0 and opendental.popups == []  # off by default

    room("/huddle frontdesk popups on")
    opendental.fail_next(400)  # Open Dental refuses once
    report = await popups(huddle, messengers, now)
    assert report.failed == 1 and opendental.popups == []
    await popups(huddle, messengers, now + timedelta(minutes=1))  # not yet due again
    assert opendental.popups == []

    report = await popups(huddle, messengers, now + timedelta(minutes=6))
    assert report.pushed == 1
    [popup] = opendental.popups
    assert popup["PatNum"] == 11 and popup["PopupLevel"] == "Patient"
    assert "kept 40 minutes with no word" in popup["Description"]
    assert "called to apologise" in popup["Description"]
    assert "wedding" not in popup["Description"]

    await popups(huddle, messengers, now + timedelta(hours=2))
    assert len(opendental.popups) == 1
    with Session(engine) as session:
        push = session.exec(select(PopupPush)).one()
    assert (push.status, push.attempts) == ("pushed", 2)


async def test_a_push_cut_off_mid_way_is_taken_again_and_makes_no_second_popup(
    huddle, clock, messengers, opendental, engine
):
    room = _practice(huddle, clock)
    opendental.patients = [patient_row(11, chart="JS-1042")]
    _opendental_source(huddle, opendental)
    room("/huddle frontdesk popups on")
    room("/defect waiting: kept 40 minutes with no word patient: JS-1042")
    popups = RecoveryPopups()
    now = local(SYDNEY, 2026, 11, 24, 10, 0)
    await popups(huddle, messengers, now)
    assert len(opendental.popups) == 1
    with Session(engine) as session, session.begin():  # as if the run died before recording
        push = session.exec(select(PopupPush)).one()
        push.status, push.next_attempt_at = "pending", now + timedelta(minutes=15)
        session.add(push)

    await popups(huddle, messengers, now + timedelta(minutes=5))  # still leased
    await popups(huddle, messengers, now + timedelta(minutes=20))  # taken again

    assert len(opendental.popups) == 1
    with Session(engine) as session:
        assert session.exec(select(PopupPush.status)).one() == "pushed"
        assert session.exec(select(FrontDeskNotice)).all() == []


async def test_a_calendar_feed_reports_no_arrivals_so_the_clock_can_rest(
    huddle, clock, messenger, messengers, opendental
):
    _practice(huddle, clock, "Sam")
    workspace = sample_workspace(huddle)
    await sync_sample(huddle, TUESDAY)
    with Session(huddle.engine) as session, session.begin():
        stored.set_source(
            session=session,
            workspace_id=workspace.id,
            kind="ical",
            settings={},
            secret_enc=huddle.vault.encrypt("https://calendar.example/feed.ics"),
            updated_by="test",
            now=huddle.clock(),
        )
    late = LatePatients()
    try:
        first = await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 8, 5))
        second = await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 8, 6))
    finally:
        await late.aclose()

    assert messenger.posts == [] and first.polled == second.polled == 0
    assert second.quiet_until == local(SYDNEY, 2026, 11, 24, 9, 0)  # nothing to wait for


async def test_a_source_that_fails_to_answer_raises_no_alarm_and_is_asked_a_minute_later(
    huddle, clock, messenger, messengers, opendental
):
    _practice(huddle, clock, "Sam")
    opendental.appointments = [appointment_row(1, 11, "2026-11-24 09:00:00")]
    opendental.patients = [patient_row(11, chart="JS-1042")]
    _opendental_source(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))
    before = len(_appointment_calls(opendental))
    opendental.fail_next(401)
    late = LatePatients()
    try:
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1))  # refused
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1, 30))  # too soon
        assert messenger.posts == []
        await late(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 2))  # answered
    finally:
        await late.aclose()

    assert len(_appointment_calls(opendental)) - before == 2
    [post] = messenger.posts
    assert "JS-1042" in post.reply.title


async def test_the_clock_closes_the_practice_sources_it_kept_open_when_it_stops(
    huddle, clock, messenger, messengers, opendental
):
    import asyncio
    from contextlib import asynccontextmanager

    from bot.clock.config import ClockSettings
    from bot.clock.engine import job_table
    from bot.clock.scheduler import run_clock
    from bot.clock.sources import load_source_opener

    _practice(huddle, clock, "Sam")
    opendental.appointments = [appointment_row(1, 11, "2026-11-24 09:00:00")]
    opendental.patients = [patient_row(11, chart="JS-1042")]
    _opendental_source(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))
    real = load_source_opener()
    opened, closed = [], []

    @asynccontextmanager
    async def recording_opener(source, vault):
        async with real(source, vault) as opened_source:
            opened.append(opened_source)
            yield opened_source
        closed.append(opened_source)

    late = LatePatients(opener=recording_opener)
    stop = asyncio.Event()
    messenger.on_send = lambda ref: stop.set()
    clock.set(local(SYDNEY, 2026, 11, 24, 9, 1))
    # The real clock: its first tick tells the front desk (the source kept open for the
    # next tick), then it stops.
    await asyncio.wait_for(
        run_clock(huddle, messengers, ClockSettings.defaults(), stop=stop, jobs=job_table(late)),
        60,
    )

    [post] = messenger.posts
    assert "JS-1042" in post.reply.title
    assert len(opened) == 1 and closed == opened  # its HTTP session closed at shutdown
