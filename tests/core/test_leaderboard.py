"""`/huddle leaderboard [week|month|quarter|year|all]`: stories and heroes of a period,
in the practice's own timezone, never anyone's defects."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SYDNEY = ZoneInfo("Australia/Sydney")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=SYDNEY)  # Tuesday morning in Sydney


def sydney(*args) -> datetime:
    return datetime(*args, tzinfo=SYDNEY)


@pytest.fixture
def history(chat, clock):
    """One story per period, each nominated a different number of times."""
    told = [
        (sydney(2025, 12, 15, 10), "@Ana", "last December", 5),
        (sydney(2026, 2, 10, 10), "@Ben", "in February", 4),
        (sydney(2026, 10, 5, 10), "@Cal", "in October", 3),
        (sydney(2026, 11, 3, 10), "@Dee", "earlier this month", 2),
        # Sunday night in Sydney: last week.
        (sydney(2026, 11, 22, 23, 30), "@Eve", "on Sunday night", 6),
        # Monday 07:00 in Sydney is still Sunday in UTC: this week here all the same.
        (sydney(2026, 11, 23, 7), "@Fay", "on Monday morning", 1),
    ]
    for n, (at, hero, when, votes) in enumerate(told, start=1):
        clock.set(at)
        chat.as_("Teller")(f"/wow {hero} stayed late {when}")
        for voter in range(votes):
            chat.as_(f"Voter{voter}")(f"/wow nominate {n}")
    clock.set(NOW)
    chat.as_("Alex")


def board(chat, line: str) -> dict[str, str]:
    [reply] = chat.replies(line)
    assert reply.title == "WOW leaderboard"
    return {f.label: f.value for f in reply.fields}


def heroes_on(value: str) -> list[str]:
    return [line.split(". ", 1)[1].split(":", 1)[0] for line in value.splitlines()]


@pytest.mark.parametrize(
    ("period", "label", "expected"),
    [
        ("week", "This week", ["Fay"]),
        ("month", "November", ["Eve", "Dee", "Fay"]),
        ("quarter", "October to December 2026", ["Eve", "Cal", "Dee", "Fay"]),
        ("year", "2026", ["Eve", "Ben", "Cal", "Dee", "Fay"]),
        ("all", "All time", ["Eve", "Ana", "Ben", "Cal", "Dee"]),
    ],
)
def test_each_period_shows_the_stories_and_heroes_of_that_period_in_the_practices_timezone(
    chat, history, period, label, expected
):
    shown = board(chat, f"/huddle leaderboard {period}")

    assert list(shown) == [f"Top stories · {label}", f"Top people · {label}"]
    assert heroes_on(shown[f"Top people · {label}"]) == expected
    stories = shown[f"Top stories · {label}"].splitlines()
    assert [s.split(" (told by")[0].split(" ", 2)[2] for s in stories] == expected


def test_without_a_period_it_shows_this_month_and_all_time_as_before(chat, history):
    shown = board(chat, "/huddle leaderboard")

    assert list(shown) == [
        "Top stories · November",
        "Top people · November",
        "Top stories · All time",
        "Top people · All time",
    ]
    assert heroes_on(shown["Top people · November"]) == ["Eve", "Dee", "Fay"]
    assert "Eve: 6 ★ from 1 story" in shown["Top people · All time"]


def test_the_period_may_be_typed_in_any_case(chat, history):
    assert "Top people · This week" in board(chat, "/huddle leaderboard WEEK")


def test_a_period_with_no_nominations_says_so(chat, clock):
    chat("/wow @Priya drove Mrs K home")  # told, never nominated
    shown = board(chat, "/huddle leaderboard week")
    assert shown == {
        "Top stories · This week": "No nominations yet.",
        "Top people · This week": "No nominations yet.",
    }


def test_the_board_never_counts_anyones_defects(chat, history):
    chat.as_("Eve")("/defect arrival: the patient waited 40 minutes")
    chat.as_("Eve")("/defect billing: the invoice was wrong")

    for period in ("", " week", " all"):
        text = chat(f"/huddle leaderboard{period}")
        assert "defect" not in text.casefold()
        assert "Eve: 6 ★ from 1 story" in text or period == " week"


def test_an_unknown_period_is_answered_with_what_to_type(chat, history):
    text = chat("/huddle leaderboard fortnight")

    assert "I don't know the period “fortnight”" in text
    for word in ("`/huddle leaderboard`", "`week`", "`month`", "`quarter`", "`year`", "`all`"):
        assert word in text
    assert "Top stories" not in text


def test_a_mistyped_period_is_asked_about(chat, history):
    assert "Did you mean `/huddle leaderboard quarter`?" in chat("/huddle leaderboard qaurter")


def test_a_past_month_shows_only_that_months_board(chat, history):
    shown = board(chat, "/huddle leaderboard 2026-10")
    assert list(shown) == ["Top stories · October 2026", "Top people · October 2026"]
    assert heroes_on(shown["Top people · October 2026"]) == ["Cal"]
