"""A mistyped subcommand gets "Did you mean …?" and does nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.suggest import closest

CHOICES = ["list", "close", "recover", "nominate", "forget", "schedule", "status"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lsit", "list"),  # two letters swapped
        ("cloes", "close"),
        ("recovr", "recover"),
        ("nominat", "nominate"),
        ("forgot", "forget"),
        ("Schedul", "schedule"),
        ("stats", "status"),
    ],
)
def test_a_near_miss_is_taken_for_the_subcommand_it_resembles(typed, meant):
    assert closest(typed, CHOICES) == meant


@pytest.mark.parametrize("typed", ["arrival:", "3", "Priya", "xyz", "list", "waited"])
def test_words_that_are_not_near_a_subcommand_are_left_alone(typed):
    assert closest(typed, CHOICES) is None


@given(st.text(max_size=12))
def test_a_suggestion_is_always_one_of_the_choices(typed):
    assert closest(typed, CHOICES) in [None, *CHOICES]


def test_a_mistyped_huddle_subcommand_asks_and_changes_nothing(chat):
    reply = chat("/huddle schedul monday 08:00")
    assert "Did you mean `/huddle schedule`?" in reply
    assert "no weekly meeting yet" in chat("/huddle status")
