"""One period reader for reports, exports and leaderboards: every word each took before still
reads, in the practice's timezone, and bad input gets the same replies everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.periods import KINDS, PeriodError, is_period_word, read_period

NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)  # Friday 20 November, 2 pm in Sydney
SYDNEY = "Australia/Sydney"


@pytest.mark.parametrize(
    ("text", "first", "end", "key"),
    [
        ("week", date(2026, 11, 16), date(2026, 11, 23), "2026-W47"),
        ("month", date(2026, 11, 1), date(2026, 12, 1), "2026-11"),
        ("this month", date(2026, 11, 1), date(2026, 12, 1), "2026-11"),
        ("Quarter", date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        ("this year", date(2026, 1, 1), date(2027, 1, 1), "2026"),
        ("2026-3", date(2026, 3, 1), date(2026, 4, 1), "2026-03"),
        ("2025-12", date(2025, 12, 1), date(2026, 1, 1), "2025-12"),
    ],
)
def test_every_word_any_command_took_reads_the_same(text, first, end, key):
    period = read_period(text, now=NOW, tz=SYDNEY)
    assert (period.first, period.end, period.key) == (first, end, key)


def test_a_period_starts_at_the_practices_local_midnight():
    month = read_period("month", now=NOW, tz=SYDNEY)
    assert month.since == datetime(2026, 10, 31, 13, tzinfo=UTC)  # AEDT is UTC+11
    assert month.so_far and month.until is None  # still running: no end yet
    october = read_period("2026-10", now=NOW, tz=SYDNEY)
    assert october.window() == (
        datetime(2026, 9, 30, 14, tzinfo=UTC),  # AEST (+10) until 4 October
        datetime(2026, 10, 31, 13, tzinfo=UTC),
    )
    assert october.until == october.window()[1] and not october.so_far


def test_the_default_is_each_commands_own():
    assert read_period("", now=NOW, tz=SYDNEY).key == "2026-11"
    everything = read_period(None, now=NOW, tz=SYDNEY, default="all")
    assert (everything.since, everything.until, everything.key) == (None, None, "all")


def test_each_period_is_compared_with_the_one_before():
    assert read_period("week", now=NOW, tz=SYDNEY).previous().first == date(2026, 11, 9)
    assert read_period("2026-01", now=NOW, tz=SYDNEY).previous().label == "December 2025"
    assert read_period("quarter", now=NOW, tz=SYDNEY).previous().label == "Q3 2026"


def test_a_month_not_started_reads_for_an_export_but_not_for_a_report():
    assert read_period("2027-03", now=NOW, tz=SYDNEY).key == "2027-03"
    with pytest.raises(PeriodError, match="March 2027 hasn't started yet"):
        read_period("2027-03", now=NOW, tz=SYDNEY, past_months_only=True, command="report")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fortnight", "I don't know the period “fortnight”"),
        ("qaurter", "Did you mean `/huddle report quarter`?"),
        ("2026-13", "There is no month 2026-13"),
        ("0000-01", "There is no month 0000-01"),
    ],
)
def test_bad_input_gets_one_reply_saying_what_to_type(text, says):
    with pytest.raises(PeriodError) as raised:
        read_period(text, now=NOW, tz=SYDNEY, command="report")
    assert says in str(raised.value)
    assert "`/huddle report quarter`" in str(raised.value)
    assert all(f"`{kind}`" in str(raised.value) for kind in KINDS)


def test_a_command_that_takes_fewer_words_refuses_the_others():
    with pytest.raises(PeriodError, match="“all”"):
        read_period("all", now=NOW, tz=SYDNEY, kinds=("month", "quarter"), command="report")


def test_period_words_are_told_apart_from_other_words():
    assert is_period_word("week") and is_period_word("2026-11") and is_period_word("2026-13")
    assert not is_period_word("xlsx")
