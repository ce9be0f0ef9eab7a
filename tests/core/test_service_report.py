"""The monthly service report: its figures over a seeded month, its text, its chart, its period.

The practice is in Sydney (UTC+11 in October and November 2026). November is seeded
by hand through the commands, so each figure below is counted by hand.
"""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from bot.insights.report import duration, service_report
from bot.model import Visibility
from bot.periods import PeriodError
from bot.periods import read_period as _read_period
from bot.storage import workspaces
from bot.storage.reports import report_figures

SYDNEY_NOV = (datetime(2026, 10, 31, 13, tzinfo=UTC), datetime(2026, 11, 30, 13, tzinfo=UTC))
SYDNEY_OCT = (datetime(2026, 9, 30, 14, tzinfo=UTC), SYDNEY_NOV[0])
REPORT_DAY = datetime(2026, 12, 10, 0, tzinfo=UTC)


def at(clock, year, month, day, hour=0, minute=0):
    clock.set(datetime(year, month, day, hour, minute, tzinfo=UTC))


def seed(chat, clock):
    """October: 3 defects and a story. November (Sydney time): 4 defects, 3 fail-to-attends,
    3 stories. Just outside November on either side: one defect each."""
    at(clock, 2026, 10, 10)
    chat("/defect arrival: the front door was locked at opening time")  # 1
    chat("/defect arrival: no one at the desk for ten minutes")  # 2
    at(clock, 2026, 10, 20)
    chat("/defect booking: offered a time the dentist is away")  # 3
    chat.as_("Alex")("/wow @Jo stayed late to fit in a patient in pain")  # story 1, October
    chat.as_("Sam")("/wow nominate 1")
    at(clock, 2026, 10, 31, 12, 30)  # 23:30 on 31 Oct in Sydney: October
    chat.as_("Alex")("/defect waiting: nobody explained the delay")  # 4, October
    at(clock, 2026, 10, 31, 13, 30)  # 00:30 on 1 Nov in Sydney: November
    chat("/defect arrival: the lift was out and nobody warned the patient")  # 5
    at(clock, 2026, 10, 31, 17, 30)  # 4 hours later
    chat.as_("Priya")("/defect recover 5 called to apologise and booked a ground floor room")
    at(clock, 2026, 11, 4, 23)
    chat.as_("Alex")("/defect waiting: waited forty minutes with no word")  # 6
    at(clock, 2026, 11, 5, 1)  # 2 hours later
    chat.as_("Sam")("/defect recover 6 apologised and offered a coffee voucher")
    chat("/defect close 6")
    at(clock, 2026, 11, 10)
    chat.as_("Alex")("/defect waiting: the waiting room was too cold")  # 7
    at(clock, 2026, 11, 10, 10)  # 10 hours later
    chat.as_("Jo")("/defect recover 7 fixed the heating timer")
    at(clock, 2026, 11, 11, 16)
    chat.as_("Jo")("/defect recover 7 checked the room each morning this week")
    chat("/defect close 7")
    at(clock, 2026, 11, 20)
    chat.as_("Alex")("/defect checkout: the card machine failed twice")  # 8: no action
    at(clock, 2026, 11, 12)
    chat("/fta JS-1042 transport")
    chat("/fta JS-2077 transport")
    chat("/fta JS-3001 forgot")
    at(clock, 2026, 11, 3)
    chat.as_("Alex")("/wow @Priya rang a nervous patient the night before")  # story 2
    at(clock, 2026, 11, 15)
    chat.as_("Alex")("/wow @Sam drove a patient's forgotten glasses to her home")  # story 3
    at(clock, 2026, 11, 25)
    chat.as_("Alex")("/wow @Priya and @Sam ran the late clinic with a smile")  # story 4
    at(clock, 2026, 11, 26)
    chat.as_("Jo")("/wow nominate 2")
    chat.as_("Kim")("/wow nominate 2")
    chat.as_("Jo")("/wow nominate 3")
    chat.as_("Jo")("/wow nominate 4")
    at(clock, 2026, 11, 30, 13, 30)  # 00:30 on 1 Dec in Sydney: December
    chat.as_("Alex")("/defect arrival: parking sign pointed the wrong way")
    clock.set(REPORT_DAY)


def _figures(engine, chat):
    with Session(engine) as session:
        workspace = workspaces.get_workspace(session=session, platform="slack", external_id="T1")
        return report_figures(
            session=session,
            workspace_id=workspace.id,
            since=SYDNEY_NOV[0],
            until=SYDNEY_NOV[1],
            before=SYDNEY_OCT,
            now=REPORT_DAY,
        )


def test_the_months_figures_are_the_hand_counted_ones_in_the_practices_timezone(
    chat, clock, engine
):
    seed(chat, clock)
    figures = _figures(engine, chat)

    assert figures.by_stage == {"arrival": 1, "waiting": 2, "checkout": 1}
    assert figures.before_by_stage == {"arrival": 2, "booking": 1, "waiting": 1}
    assert figures.recovered == 3  # 5, 6 and 7; 8 has no action
    assert figures.first_action == timedelta(hours=4)  # the median of 4, 2 and 10 hours
    assert [(d.defect_id, d.owner_name) for d in figures.still_open] == [(5, "Priya"), (8, None)]
    assert figures.fta_by_cause == {"transport": 2, "forgot": 1}
    assert (figures.stories, figures.nominations) == (3, 4)
    assert [(h.name, h.nominations, h.stories) for h in figures.heroes] == [
        ("Priya", 3, 2),
        ("Sam", 2, 2),
    ]


def test_another_workspaces_records_never_count(chat, other_chat, clock, engine):
    seed(chat, clock)
    at(clock, 2026, 11, 15)
    other_chat("/defect arrival: a record in another practice")
    other_chat("/fta JS-9999 forgot")
    other_chat.as_("Alex")("/wow @Kim helped in the other practice")
    clock.set(REPORT_DAY)
    figures = _figures(engine, chat)
    assert figures.by_stage == {"arrival": 1, "waiting": 2, "checkout": 1}
    assert figures.fta_by_cause == {"transport": 2, "forgot": 1}
    assert figures.stories == 3


def test_the_channel_version_has_every_figure_in_words_and_no_owner_or_description(
    chat, clock, engine, content
):
    seed(chat, clock)
    reply = _report(engine, content, "2026-11", private=False)
    text = reply.plain()

    assert reply.visibility is Visibility.CHANNEL and not reply.sensitive
    assert reply.title == "Service report · November 2026"
    for line in (
        "4 service defects logged in November 2026 (4 in October 2026)",
        "• Arrival: 1 (2 in October 2026)",
        "• Booking and reminders: 0 (1 in October 2026)",
        "• Waiting: 2 (1 in October 2026)",
        "• Checkout and payment: 1 (0 in October 2026)",
        "3 of 4 got a recovery action.",
        "Median time to the first action: 4 hours.",
        "2 still open after 7 days.",
        "• Could not get here: 2",
        "• Forgot the appointment: 1",
        "3 stories shared, 4 nominations.",
        "Heroes: Priya (3 ★), Sam (2 ★)",
    ):
        assert line in text, text
    for secret in ("Priya, logged", "owner", "lift", "card machine", "JS-1042", "#5", "#8"):
        assert secret not in text
    [chart] = reply.files
    assert chart.name == "service-report-2026-11.png" and chart.mime == "image/png"
    assert "Arrival 1 against 2" in chart.alt and "Checkout and payment 1 against 0" in chart.alt


def test_the_private_version_names_the_owners_of_defects_still_open(chat, clock, engine, content):
    seed(chat, clock)
    reply = _report(engine, content, "2026-11", private=True)
    assert reply.visibility is Visibility.PRIVATE
    assert "• #5 Arrival, logged Sun 1 Nov, owner Priya" in reply.plain()
    assert "• #8 Checkout and payment, logged Fri 20 Nov, no owner yet" in reply.plain()
    assert "lift" not in reply.plain() and "JS-1042" not in reply.plain()


def test_the_chart_is_a_png_sized_for_a_phone(chat, clock, engine, content):
    seed(chat, clock)
    [chart] = _report(engine, content, "2026-11", private=False).files
    data = chart.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 800 and 300 <= height <= 1200
    assert 5_000 <= len(data) <= 90_000


def test_a_quiet_month_says_so_and_draws_no_chart(chat, clock, engine, content):
    chat("/huddle help")  # the workspace exists, with nothing in it
    reply = _report(engine, content, "2026-11", private=False)
    assert reply.files == ()
    assert "None logged in November 2026 or October 2026." in reply.plain()
    assert "0 WOW stories shared" in reply.plain()


def test_huddle_report_answers_privately_with_the_chart(chat, clock, engine):
    seed(chat, clock)
    [reply] = chat.replies("/huddle report 2026-11")
    assert reply.visibility is Visibility.PRIVATE
    assert reply.title == "Service report · November 2026"
    assert len(reply.files) == 1 and "owner Priya" in reply.plain()
    [so_far] = chat.replies("/huddle report")
    assert so_far.title == "Service report · December 2026 so far"
    assert "1 service defect logged in December 2026 so far (4 in November 2026)" in so_far.text


@pytest.mark.parametrize("period", ["fortnight", "2026-13", "2027-03", "last tuesday"])
def test_a_period_it_cannot_read_gets_what_to_type(chat, clock, period):
    clock.set(REPORT_DAY)
    answer = chat(f"/huddle report {period}")
    assert "/huddle report quarter" in answer and "/huddle report 2026-10" in answer


def read_period(text, *, today):
    """The report's reading of ``text`` on ``today`` (noon UTC)."""
    now = datetime.combine(today, time(12), tzinfo=UTC)
    return _read_period(
        text, now=now, tz="UTC", kinds=("week", "month", "quarter", "year"), past_months_only=True
    )


def test_periods_are_months_quarters_and_years_against_the_one_before():
    today = date(2026, 11, 20)
    quarter = read_period("quarter", today=today)
    assert (quarter.label, quarter.previous().label, quarter.so_far) == ("Q4 2026", "Q3 2026", True)
    assert (quarter.first, quarter.end) == (date(2026, 10, 1), date(2027, 1, 1))
    year = read_period("year", today=today)
    assert (year.first, year.previous().first, year.key) == (
        date(2026, 1, 1),
        date(2025, 1, 1),
        "2026",
    )
    january = read_period("2026-01", today=today)
    assert (january.previous().label, january.so_far) == ("December 2025", False)
    first_quarter = read_period("quarter", today=date(2026, 2, 1))
    assert first_quarter.previous().label == "Q4 2025"
    with pytest.raises(PeriodError):
        read_period("2026-12", today=date(2026, 11, 30))


def test_durations_read_in_words():
    assert duration(timedelta(hours=4)) == "4 hours"
    assert duration(timedelta(days=2, hours=3, minutes=5)) == "2 days 3 hours"
    assert duration(timedelta(minutes=1)) == "1 minute"
    assert duration(timedelta(seconds=10)) == "under a minute"


def _report(engine, content, text, *, private):
    with Session(engine) as session:
        workspace = workspaces.get_workspace(session=session, platform="slack", external_id="T1")
        return service_report(
            session=session,
            workspace=workspace,
            content=content,
            period=read_period(text, today=date(2026, 12, 10)),
            now=REPORT_DAY,
            private=private,
        )
