"""Typos forgiven: the subcommand a mistyped word most likely meant.

``/defect lsit`` must never become a defect called "lsit": a word close to a known
subcommand gets "Did you mean …?" and nothing is saved. Close means an edit
distance (with transpositions: ``lsit`` is one step from ``list``) of at most 1 for
short words and 2 for longer ones, measured by rapidfuzz's Damerau-Levenshtein.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein


def _allowed(word: str) -> int:
    return 1 if len(word) <= 4 else 2


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` is most likely a typo of, or None when it is none of them."""
    typed = word.casefold()
    if not typed.isalpha():
        return None
    best: tuple[int, str] | None = None
    for choice in choices:
        distance = DamerauLevenshtein.distance(typed, choice, score_cutoff=_allowed(choice))
        if distance <= _allowed(choice) and (best is None or distance < best[0]):
            best = (distance, choice)
    return None if best is None or best[0] == 0 else best[1]


def did_you_mean(command: str, word: str, choices: Iterable[str]) -> str | None:
    """The friendly question for a near miss, or None."""
    meant = closest(word, choices)
    if meant is None:
        return None
    return f"Did you mean `/{command} {meant}`? I haven't done anything yet: type it again."
