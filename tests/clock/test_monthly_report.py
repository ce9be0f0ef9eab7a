"""monthly-report: last month's service report, with the first meeting of each month, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock.jobs import JOBS, run_monday_meeting
from bot.clock.jobs.monthly_report import MONTHLY_REPORT
from tests.clock.conftest import channel

SCHEDULED = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
FIRST_DECEMBER_MEETING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday
FIRST_JANUARY_MEETING = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def subscribe(huddle, clock, name):
    clock.set(SCHEDULED)
    room = channel(huddle, name)
    assert "scheduled" in room("/huddle schedule monday 08:00 UTC")
    return room


async def test_the_report_goes_once_in_the_thread_of_the_months_first_meeting(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock, "C1")
    subscribe(huddle, clock, "C2")
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    room("/defect arrival: the front door was locked at opening time")
    room.as_("Priya")("/defect recover 1 called the patient to apologise")

    # December has begun, but its first meeting has not gone out yet: nothing.
    report = await MONTHLY_REPORT(huddle, messengers, datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert report.posted == 0 and messenger.posts == []

    await run_monday_meeting(huddle, messengers, FIRST_DECEMBER_MEETING)
    meetings = {p.ref.channel_id: p.message_id for p in messenger.posts}
    for minutes in (1, 2, 60):
        await MONTHLY_REPORT(
            huddle, messengers, FIRST_DECEMBER_MEETING + timedelta(minutes=minutes)
        )
    next_monday = FIRST_DECEMBER_MEETING + timedelta(weeks=1)
    await run_monday_meeting(huddle, messengers, next_monday)
    await MONTHLY_REPORT(huddle, messengers, next_monday + timedelta(minutes=1))

    reports = messenger.titled("Service report")
    assert sorted(p.ref.channel_id for p in reports) == ["C1", "C2"]
    for post in reports:
        assert post.reply.title == "Service report · November 2026"
        assert post.ref.thread_id == meetings[post.ref.channel_id]
        assert "1 service defect logged in November 2026 (0 in October 2026)" in post.text
        assert "Priya" not in post.text and "front door" not in post.text  # no owner, no text
        [chart] = post.reply.files
        assert chart.data.startswith(b"\x89PNG") and chart.alt

    await run_monday_meeting(huddle, messengers, FIRST_JANUARY_MEETING)
    await MONTHLY_REPORT(huddle, messengers, FIRST_JANUARY_MEETING + timedelta(minutes=1))
    january = messenger.titled("Service report · December 2026")
    assert len(january) == 2
    assert all(len(p.reply.files) == 1 for p in january)  # November's bar beside December's none
    assert "0 service defects logged in December 2026 (1 in November 2026)" in january[0].text


async def test_a_meeting_posted_last_month_does_not_bring_this_months_report(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock, "C1")
    monday = datetime(2026, 11, 30, 8, tzinfo=UTC)  # its week runs into December
    await run_monday_meeting(huddle, messengers, monday)
    await MONTHLY_REPORT(huddle, messengers, monday + timedelta(minutes=1))  # November's first?
    november_posts = len(messenger.titled("Service report"))
    await MONTHLY_REPORT(huddle, messengers, datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert len(messenger.titled("Service report")) == november_posts  # not until December's


def test_the_monthly_report_runs_after_the_monday_meeting_in_a_tick():
    # It goes in the thread of the month's first meeting, so that post must exist first.
    names = list(JOBS)
    assert names.index("monthly-report") > names.index("monday-meeting")


async def test_no_report_in_a_month_whose_first_meeting_went_out_before_the_job_ran(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock, "C1")
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    room("/defect arrival: the front door was locked at opening time")
    await run_monday_meeting(huddle, messengers, FIRST_DECEMBER_MEETING)  # before an upgrade
    second = FIRST_DECEMBER_MEETING + timedelta(weeks=1)
    await run_monday_meeting(huddle, messengers, second)
    await MONTHLY_REPORT(huddle, messengers, second + timedelta(minutes=1))
    assert messenger.titled("Service report") == []  # not with December's second meeting

    await run_monday_meeting(huddle, messengers, FIRST_JANUARY_MEETING)
    await MONTHLY_REPORT(huddle, messengers, FIRST_JANUARY_MEETING + timedelta(minutes=1))
    assert [p.reply.title for p in messenger.titled("Service report")] == [
        "Service report · December 2026"
    ]


def test_matplotlib_is_loaded_only_when_a_chart_is_drawn():
    import subprocess
    import sys

    code = (
        "import sys, bot.cli, bot.wiring, bot.clock.jobs, bot.commands, bot.insights.report;"
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


async def test_the_chart_is_drawn_once_per_practice_after_the_planning_transaction(
    huddle, clock, messenger, messengers, monkeypatch
):
    import sqlalchemy as sa

    from bot.insights import report as service_report

    room = subscribe(huddle, clock, "C1")
    subscribe(huddle, clock, "C2")
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    room("/defect arrival: the front door was locked at opening time")
    await run_monday_meeting(huddle, messengers, FIRST_DECEMBER_MEETING)

    open_transactions = []
    sa.event.listen(huddle.engine, "begin", lambda conn: open_transactions.append(conn))
    for name in ("commit", "rollback"):
        sa.event.listen(huddle.engine, name, lambda conn: open_transactions.remove(conn))
    drawn_with = []
    draw = service_report.stage_chart

    def recording_chart(*args, **kwargs):
        drawn_with.append(len(open_transactions))  # transactions open while it draws
        return draw(*args, **kwargs)

    monkeypatch.setattr(service_report, "stage_chart", recording_chart)
    await MONTHLY_REPORT(huddle, messengers, FIRST_DECEMBER_MEETING + timedelta(minutes=1))

    reports = messenger.titled("Service report")
    assert sorted(p.ref.channel_id for p in reports) == ["C1", "C2"]
    assert drawn_with == [0]  # one chart for the practice's two channels, no transaction open
    first, second = (p.reply.files[0] for p in reports)
    assert first.data.startswith(b"\x89PNG") and first == second
