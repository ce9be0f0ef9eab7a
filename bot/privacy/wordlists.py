"""The word lists the privacy check ships in ``content/privacy/``, read once when first needed.

Each file names its source and licence in its header. Nothing is read at import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PRIVACY_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "privacy"


@dataclass(frozen=True)
class FirstNames:
    """Common first names; ``everyday`` are also ordinary words ("mark", "grace")."""

    names: frozenset[str]
    everyday: frozenset[str]


@dataclass(frozen=True)
class ClinicalTerms:
    """Compiled patterns: ``health`` fires in every text, ``treatment`` only in tidbits."""

    health: re.Pattern[str]
    treatment: re.Pattern[str]


def _lines(name: str) -> list[str]:
    text = (PRIVACY_CONTENT_DIR / name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@cache
def first_names() -> FirstNames:
    names, everyday = set(), set()
    for line in _lines("first-names.txt"):
        name, _, mark = line.partition(" ")
        names.add(name)
        if mark.strip() == "~":
            everyday.add(name)
    return FirstNames(frozenset(names), frozenset(everyday))


@cache
def staff_words() -> frozenset[str]:
    return frozenset(_lines("staff-words.txt"))


def _term_pattern(term: str) -> str:
    stem = term.removesuffix("*")
    body = r"\s+".join(re.escape(part) for part in stem.split())
    return body + (r"\w*" if term.endswith("*") else "")


def _compile(terms: list[str]) -> re.Pattern[str]:
    # Longest first, so "blood thinners" wins over a shorter term inside it.
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(_term_pattern(t) for t in ordered) + r")(?!\w)",
        re.IGNORECASE,
    )


@cache
def clinical_terms() -> ClinicalTerms:
    sections: dict[str, list[str]] = {"health": [], "treatment": []}
    current: list[str] | None = None
    for line in _lines("clinical-terms.txt"):
        if line.startswith("[") and line.endswith("]"):
            current = sections[line[1:-1]]
        elif current is not None:
            current.append(line.lower())
    return ClinicalTerms(_compile(sections["health"]), _compile(sections["treatment"]))
