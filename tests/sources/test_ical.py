"""A practice's calendar feed, expanded in its timezone and read down to almost nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.ical.source import FeedError, FeedPractice, FeedSource, appointments_from_feed
from bot.appointments import SourceWorkspace

SYDNEY = "Australia/Sydney"
PRACTICE = FeedPractice()

VTIMEZONE_FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Practice//Appointments//EN
BEGIN:VTIMEZONE
TZID:Australia/Sydney
BEGIN:STANDARD
DTSTART:20000402T030000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20001001T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:one@practice
DTSTART;TZID=Australia/Sydney:20261201T090000
DTEND;TZID=Australia/Sydney:20261201T093000
SUMMARY:JS-1042 (NP) Jane Smith new patient exam
DESCRIPTION:Allergic to penicillin. Phone 0412 345 678.
LOCATION:Dr Lee
STATUS:TENTATIVE
END:VEVENT
BEGIN:VEVENT
UID:weekly@practice
DTSTART;TZID=Australia/Sydney:20261117T140000
DTEND;TZID=Australia/Sydney:20261117T150000
RRULE:FREQ=WEEKLY;COUNT=8
EXDATE;TZID=Australia/Sydney:20261208T140000
SUMMARY:AB-2210 ortho review
LOCATION:Chair 2
STATUS:CONFIRMED
END:VEVENT
BEGIN:VEVENT
UID:lunch@practice
DTSTART;TZID=Australia/Sydney:20261201T123000
DTEND;TZID=Australia/Sydney:20261201T133000
SUMMARY:Team lunch
END:VEVENT
BEGIN:VEVENT
UID:utc@practice
DTSTART:20261201T060000Z
DTEND:20261201T063000Z
SUMMARY:CD-3307 check-up
END:VEVENT
BEGIN:VEVENT
UID:cancelled@practice
DTSTART;TZID=Australia/Sydney:20261201T100000
SUMMARY:EF-4415 cleaning
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:allday@practice
DTSTART;VALUE=DATE:20261201
SUMMARY:GH-5521 lab work due
END:VEVENT
END:VCALENDAR
"""

# Google Calendar's feeds name the calendar's zone only in X-WR-TIMEZONE and write
# times in UTC; "x-wr-timezone" makes them the calendar's own wall clock.
GOOGLE_FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
X-WR-CALNAME:Surgery
X-WR-TIMEZONE:Australia/Sydney
BEGIN:VEVENT
UID:g1@google.com
DTSTART:20261130T223000Z
DTEND:20261130T230000Z
SUMMARY:KL-6634 filling
END:VEVENT
BEGIN:VEVENT
UID:g2@google.com
DTSTART:20261201T000000
SUMMARY:MN-7748 floating time
END:VEVENT
END:VCALENDAR
"""


def test_a_feed_with_a_vtimezone_gives_the_day_in_the_practices_wall_clock():
    found = appointments_from_feed(VTIMEZONE_FEED, date(2026, 12, 1), SYDNEY, PRACTICE)
    assert [(a.starts, a.patient_ref, a.provider) for a in found] == [
        (time(9, 0), "JS-1042", "Dr Lee"),
        (time(14, 0), "AB-2210", "Chair 2"),
        (time(17, 0), "CD-3307", ""),  # 06:00 UTC is 17:00 in Sydney in summer
    ]


def test_tentative_is_unconfirmed_and_the_marker_makes_a_new_patient():
    first, second, _ = appointments_from_feed(VTIMEZONE_FEED, date(2026, 12, 1), SYDNEY, PRACTICE)
    assert (first.confirmed, first.new_patient) == (False, True)
    assert (second.confirmed, second.new_patient) == (True, False)


def test_a_weekly_block_is_expanded_and_its_exdate_skipped():
    on = appointments_from_feed(VTIMEZONE_FEED, date(2026, 11, 24), SYDNEY, PRACTICE)
    skipped = appointments_from_feed(VTIMEZONE_FEED, date(2026, 12, 8), SYDNEY, PRACTICE)
    later = appointments_from_feed(VTIMEZONE_FEED, date(2026, 12, 15), SYDNEY, PRACTICE)
    assert [a.patient_ref for a in on] == ["AB-2210"]
    assert skipped == []
    assert [(a.patient_ref, a.starts) for a in later] == [("AB-2210", time(14, 0))]


def test_a_google_feed_is_read_in_the_zone_named_by_x_wr_timezone():
    found = appointments_from_feed(GOOGLE_FEED, date(2026, 12, 1), SYDNEY, PRACTICE)
    assert [(a.starts, a.patient_ref) for a in found] == [
        (time(0, 0), "MN-7748"),
        (time(9, 30), "KL-6634"),  # 22:30 UTC the day before
    ]


def test_the_practices_own_pattern_and_marker_are_used():
    practice = FeedPractice(reference_pattern=r"#\d+", new_patient_marker="[new]")
    feed = VTIMEZONE_FEED.replace("JS-1042 (NP)", "#1042 [NEW]")
    [found] = appointments_from_feed(feed, date(2026, 12, 1), SYDNEY, practice)
    assert (found.patient_ref, found.new_patient) == ("#1042", True)


def test_a_bad_pattern_or_a_file_that_is_not_a_calendar_says_so():
    with pytest.raises(FeedError, match="not a valid regular expression"):
        FeedPractice(reference_pattern="(")
    with pytest.raises(FeedError, match="not an iCalendar file"):
        appointments_from_feed("<html>sign in</html>", date(2026, 12, 1), SYDNEY, PRACTICE)


async def _serve(status: int, body: str) -> TestServer:
    async def feed(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/private/basic.ics", feed)
    server = TestServer(app)
    await server.start_server()
    return server


async def test_the_feed_is_fetched_over_http_and_read():
    server = await _serve(200, VTIMEZONE_FEED)
    try:
        source = FeedSource(str(server.make_url("/private/basic.ics")), PRACTICE)
        found = await source.day(SourceWorkspace(1, SYDNEY, "slack:T1"), date(2026, 12, 1))
    finally:
        await server.close()
    assert len(found) == 3


async def test_a_feed_not_found_says_so_without_repeating_the_address():
    server = await _serve(404, "")
    url = str(server.make_url("/private/basic.ics"))
    try:
        with pytest.raises(FeedError, match="not found") as raised:
            await FeedSource(url, PRACTICE).day(SourceWorkspace(1, SYDNEY, "s"), date(2026, 12, 1))
    finally:
        await server.close()
    assert "basic.ics" not in str(raised.value)
