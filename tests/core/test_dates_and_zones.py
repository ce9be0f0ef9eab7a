"""Dates, times and timezones as people write them (issue 14, item 4): the table, then the
same lines through `/huddle` and the console, each change repeated back in words."""

import io
import re
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from adapters.console.app import ConsoleChat
from bot.commands.context import UsageError
from bot.commands.when import read_date, read_time
from bot.commands.zones import month_first, read_zone
from bot.storage.models import Skip, Subscription, Workspace

TUESDAY = date(2026, 11, 24)  # the test clock's day in Sydney

DATES = [
    # text, month first (a US practice), the day read
    ("25/12", False, date(2026, 12, 25)),
    ("25/12", True, date(2026, 12, 25)),  # no 25th month: one reading only
    ("12/25", False, date(2026, 12, 25)),
    ("12/25", True, date(2026, 12, 25)),
    ("12/11", False, date(2027, 11, 12)),  # 12 November has passed this year
    ("12/11", True, date(2026, 12, 11)),
    ("Dec 25", False, date(2026, 12, 25)),
    ("25 December", False, date(2026, 12, 25)),
    ("december 25th", True, date(2026, 12, 25)),
    ("tomorrow", False, date(2026, 11, 25)),
    ("today", False, TUESDAY),
    ("next monday", False, date(2026, 11, 30)),
    ("friday", False, date(2026, 11, 27)),
    ("2026-12-1", False, date(2026, 12, 1)),
    ("2026-12-1", True, date(2026, 12, 1)),
    ("2026-12-25", False, date(2026, 12, 25)),
    ("25/12/2026", False, date(2026, 12, 25)),
    ("30/11/26", False, date(2026, 11, 30)),
    ("1/1", False, date(2027, 1, 1)),  # no year: the next 1 January
    ("29/2", False, date(2028, 2, 29)),  # the next 29 February
    ("2026-01-05", False, date(2026, 1, 5)),  # a year typed is kept, even in the past
]


@pytest.mark.parametrize(("text", "us", "expected"), DATES)
def test_dates_in_common_forms_read_as_the_practice_writes_them(text, us, expected):
    assert read_date(text, today=TUESDAY, month_first=us).day == expected


def test_an_ambiguous_date_says_which_reading_was_used_and_how_to_type_the_other():
    outside_us = read_date("12/11", today=TUESDAY, month_first=False)
    assert "day first, as Friday 12 November 2027" in outside_us.note
    assert "If you meant 11 December, type `2026-12-11`" in outside_us.note
    us = read_date("12/11", today=TUESDAY, month_first=True)
    assert "month first, as in the US, as Friday 11 December 2026" in us.note
    assert read_date("25/12", today=TUESDAY, month_first=False).note is None


@pytest.mark.parametrize("text", ["may", "next week", "funday", "31/31/2026", "x"])
def test_text_that_names_no_one_day_is_refused_with_examples(text):
    with pytest.raises(
        UsageError, match=re.escape("isn't a date I can read. Type it like `25/12`")
    ):
        read_date(text, today=TUESDAY, month_first=False)


TIMES = [
    ("8:30 am", time(8, 30)),
    ("8:30am", time(8, 30)),
    ("8:30 a.m.", time(8, 30)),
    ("8.30", time(8, 30)),
    ("0830", time(8, 30)),
    ("830", time(8, 30)),
    ("8h30", time(8, 30)),
    ("8am", time(8, 0)),
    ("8", time(8, 0)),
    ("20:15", time(20, 15)),
    ("8:15 pm", time(20, 15)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    ("08:00", time(8, 0)),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_times_as_people_type_them(text, expected):
    assert read_time(text) == expected


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("eight", "isn't a time I understand. Use 24-hour `HH:MM`"),
        ("25:00", "isn't a real time"),
        ("8:61", "isn't a real time"),
        ("13pm", "With am/pm the hour is 1 to 12"),
    ],
)
def test_impossible_times_are_refused_saying_what_to_type(text, reply):
    with pytest.raises(UsageError, match=reply):
        read_time(text)


ZONES = [
    ("Sydney", "Australia/Sydney"),
    ("sydney time", "Australia/Sydney"),
    ("Perth", "Australia/Perth"),
    ("London", "Europe/London"),
    ("New Zealand", "Pacific/Auckland"),
    ("Auckland", "Pacific/Auckland"),
    ("New York", "America/New_York"),
    ("new   york", "America/New_York"),
    ("Canberra", "Australia/Sydney"),
    ("Queensland", "Australia/Brisbane"),
    ("UK", "Europe/London"),
    ("australia/sydney", "Australia/Sydney"),
    ("America/New_York", "America/New_York"),
    ("UTC", "UTC"),
]


@pytest.mark.parametrize(("text", "zone"), ZONES)
def test_timezones_by_city_country_or_iana_name(text, zone):
    reading = read_zone(text)
    assert (reading.zone, reading.note) == (zone, None)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("EST", "America/New_York"),
        ("AEST", "Australia/Sydney"),
        ("PST", "America/Los_Angeles"),
        ("GMT", "Europe/London"),
        ("BST", "Europe/London"),
        ("aedt", "Australia/Sydney"),
    ],
)
def test_abbreviations_become_the_zone_they_most_likely_mean_never_a_fixed_offset(text, zone):
    reading = read_zone(text)
    assert reading.zone == zone
    assert f"I read {text.upper()} as" in reading.note
    assert "daylight saving is kept right" in reading.note


def test_abbreviations_name_the_places_they_do_not_mean():
    assert "type `Brisbane`" in read_zone("AEST").note
    assert "type `UTC`" in read_zone("GMT").note


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Etc/GMT+10", "`Etc/GMT+10` means UTC−10, not UTC+10: the sign in `Etc/GMT` names"),
        ("Etc/GMT+10", "for UTC+10 `Sydney`"),
        ("etc/gmt-5", "means UTC+5, not UTC−5"),
        ("UTC+10", "is a fixed offset, which can't follow daylight saving"),
        ("+05:30", "for UTC+5:30 for example `Kolkata`"),
        ("Australia", "more than one timezone. Name the city instead: `Sydney`"),
        ("Sidney", "Did you mean Sydney time (Australia/Sydney)?"),
        ("Mars/Olympus", "isn't a timezone I know. Use a city like `Sydney`"),
    ],
)
def test_offsets_countries_with_several_zones_and_unknown_names_are_refused_with_a_hint(
    text, reply
):
    with pytest.raises(UsageError, match=re.escape(reply)):
        read_zone(text)


def test_the_us_writes_month_first_and_everyone_else_day_first():
    assert month_first("America/New_York") and month_first("US/Pacific")
    assert month_first("America/Indiana/Indianapolis")
    assert not month_first("Australia/Sydney")
    assert not month_first("Europe/London") and not month_first("UTC")


def _subscription(engine):
    with Session(engine) as session:
        return session.exec(select(Subscription)).one()


def test_schedule_monday_8_30_am_sydney_works_and_repeats_it_back_in_words(chat, engine):
    [reply] = chat.replies("/huddle schedule monday 8:30 am Sydney")
    assert "Every Monday 8:30 am Sydney time (Australia/Sydney), next on Mon 30 Nov" in reply.text
    sub = _subscription(engine)
    assert (sub.weekday, sub.hour, sub.minute, sub.timezone) == (0, 8, 30, "Australia/Sydney")


def test_schedule_reads_plurals_fillers_and_two_word_places(chat, engine):
    said = chat("/huddle schedule mondays at 0830 New Zealand")
    assert "Every Monday 8:30 am Auckland time (Pacific/Auckland)" in said
    assert _subscription(engine).timezone == "Pacific/Auckland"


def test_an_abbreviation_is_stored_as_its_iana_zone_with_a_note(chat, engine):
    said = chat("/huddle schedule friday 4pm EST")
    assert "Every Friday 4:00 pm New York time (America/New_York)" in said
    assert "I read EST as New York time (America/New_York)" in said
    sub = _subscription(engine)
    assert (sub.weekday, sub.hour, sub.timezone) == (4, 16, "America/New_York")


def test_bad_schedules_say_what_was_understood_and_save_nothing(chat, engine):
    assert "I read Monday 8:30 am, but “Sidney” isn't a timezone I know. Did you mean Sydney" in (
        chat("/huddle schedule monday 8:30 am Sidney")
    )
    assert "I read Monday, but what time?" in chat("/huddle schedule monday")
    assert "I read Monday, but “eight” isn't a time" in chat("/huddle schedule monday eight")
    assert "the sign in `Etc/GMT` names is inverted" in chat(
        "/huddle schedule monday 8am Etc/GMT+10"
    )
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []


def test_replacing_a_schedule_still_asks_first_and_its_button_types_the_iana_zone(chat, engine):
    chat("/huddle schedule monday 8am Sydney")
    [ask] = chat.replies("/huddle schedule friday 9.30 Perth")
    assert "every Monday 8:00 am Sydney time (Australia/Sydney)" in ask.text
    assert "Replace it with every Friday 9:30 am Perth time (Australia/Perth)?" in ask.text
    assert ask.buttons[0].command == "huddle schedule friday 09:30 Australia/Perth confirm"
    assert _subscription(engine).timezone == "Australia/Sydney"
    chat("/huddle schedule friday 9.30 Perth confirm")
    assert _subscription(engine).timezone == "Australia/Perth"


def test_skip_and_pause_take_dates_as_people_write_them(chat, engine):
    chat("/huddle schedule monday 8am Sydney")
    assert "Skipping Friday 25 December 2026" in chat("/huddle skip 25/12")
    assert "Skipping Monday 30 November 2026" in chat("/huddle skip next monday")
    said = chat("/huddle skip 7/12")
    assert "Skipping Monday 7 December 2026" in said
    assert "I read “7/12” day first" in said and "If you meant 12 July, type `2027-07-12`" in said
    with Session(engine) as session:
        skips = sorted(s.skip_date for s in session.exec(select(Skip)))
    assert skips == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 25)]
    assert "Paused until Tuesday 12 January 2027" in chat("/huddle pause until Jan 12")
    assert "I read Tuesday 24 November 2026. Pick a date after today" in chat(
        "/huddle pause until today"
    )


def test_a_us_practice_reads_dates_month_first(chat, engine):
    chat("/huddle timezone New York")
    chat("/huddle schedule monday 8am")
    said = chat("/huddle skip 12/7")
    assert "Skipping Monday 7 December 2026" in said
    assert "month first, as in the US" in said


def test_timezone_by_city_or_country_is_repeated_back_in_words(chat, engine):
    assert "now Auckland time (Pacific/Auckland)" in chat("/huddle timezone New Zealand")
    said = chat("/huddle timezone AEST")
    assert "now Sydney time (Australia/Sydney)" in said and "daylight saving" in said
    assert "more than one timezone" in chat("/huddle timezone Australia")
    with Session(engine) as session:
        assert session.exec(select(Workspace)).one().timezone == "Australia/Sydney"


def test_the_console_schedules_in_words(huddle):
    out = io.StringIO()
    chat = ConsoleChat(huddle, out, user_name="Dana")
    chat.say("/huddle schedule monday 8:30 am Sydney")
    assert "Every Monday 8:30 am Sydney time (Australia/Sydney), next on Mon 30 Nov" in (
        out.getvalue()
    )
    chat.say("/huddle skip 25/12")
    assert "Skipping Friday 25 December 2026" in out.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"\d{1,6}[/.: -]\d{1,6}([/.-]\d{1,8})?( ?[ap]m)?", fullmatch=True),
        st.from_regex(r"(etc/)?(gmt|utc)?[+-]\d{1,3}(:\d{1,3})?", fullmatch=True),
    )
)
def test_any_text_is_read_or_answered_in_words_never_an_error(text):
    for read in (
        lambda: read_date(text, today=TUESDAY, month_first=False),
        lambda: read_time(text),
        lambda: read_zone(text),
    ):
        try:
            read()
        except UsageError as error:
            assert str(error)
