"""Where a free text holds a person's full name.

Caught: ``Mrs Jane Smith``, ``Mr Smith``, ``Jane Smith``, lower-case ``tom smith`` (``tom`` is in
the shipped first-names list), and a Title Case pair of words not in the list, such as ``Xanthe Oduya``, in mid-sentence (in a
tidbit, only beside a word that points at a person: ``her partner Xanthe Oduya``).
Not caught, on purpose: initials (``Mrs K``, ``Tom S``: the recommended practice), a first name
alone, a clinician (``Dr Anna Lee``), and pairs with a staff-talk word (``Front Desk``,
``Thursday Morning``, ``Arrival Stage``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.privacy.wordlists import first_names, staff_words

Span = tuple[int, int]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "master", "mister"}
_CLINICIANS = {"dr", "doctor", "nurse", "prof", "professor"}
# In a tidbit, a Title Case pair of unknown words is a name only beside words that point at a
# person ("her partner Xanthe Oduya"): tidbits are about hobbies, places and stars ("on Main
# Street", "loves The Rolling Stones"). Elsewhere any such pair in mid-sentence is a name.
_PERSON_BEFORE = {
    "for", "with", "called", "call", "rang", "ring", "phoned", "told", "asked", "saw", "met",
    "booked", "son", "daughter", "husband", "wife", "partner", "mum", "mother", "dad", "father",
    "brother", "sister", "grandson", "granddaughter", "grandma", "grandpa", "nan", "friend",
    "patient", "named", "is", "thank", "thanked", "remind",
}  # fmt: skip
_PERSON_AFTER = {
    "said", "says", "called", "rang", "phoned", "came", "comes", "was", "is", "has", "had",
    "waited", "arrived", "asked", "left", "cried", "loves", "wants", "needs", "told", "booked",
    "cancelled", "complained", "paid", "missed", "who",
}  # fmt: skip
# Not ":": a defect starts "arrival: Siobhan Gallagher waited", and that is mid-sentence.
_SENTENCE_END = re.compile(r"(?:^|[.!?;\n•*_>\"“(-])\s*$")


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    sentence_start: bool

    @property
    def lower(self) -> str:
        return self.text.lower().rstrip("'’")

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper() and any(ch.islower() for ch in self.text[1:])

    @property
    def initials(self) -> bool:
        # "K", "KL", "J.", "K's" — what staff are asked to write instead of a name.
        bare = self.text.removesuffix("'s").removesuffix("’s")
        return len(bare) <= 3 and bare.isupper()


def _words(text: str) -> list[_Word]:
    return [
        _Word(m.group(), m.start(), m.end(), bool(_SENTENCE_END.search(text[: m.start()])))
        for m in _WORD.finditer(text)
    ]


def _adjacent(text: str, first: _Word, second: _Word) -> bool:
    gap = text[first.end : second.start]
    return gap.strip(" .") == "" and "\n" not in gap and len(gap) <= 2


def _surname_like(word: _Word, *, lower_case: bool) -> bool:
    if word.initials or len(word.text) < 2 or word.lower in staff_words():
        return False
    if lower_case:
        # "tom smith" yes; "tom needed", "amy mentioned", "sam booking" no.
        return word.text.islower() and not word.lower.endswith(("ed", "ing", "ly"))
    return word.capitalised


def _beside_a_person_word(text: str, words: list[_Word], i: int) -> bool:
    before = words[i - 1] if i > 0 and _adjacent(text, words[i - 1], words[i]) else None
    after = words[i + 2] if i + 2 < len(words) else None
    possessive = words[i + 1].text.endswith(("'s", "’s"))
    return (
        possessive
        or (before is not None and before.lower in _PERSON_BEFORE)
        or (after is not None and after.lower in _PERSON_AFTER)
    )


def full_names(text: str, *, person_context: bool = False) -> list[Span]:
    """Spans of what look like full names (see the module docstring).

    ``person_context`` asks a pair of words not in the first-names list to sit beside a word
    that points at a person, as the check does for tidbits.
    """
    names = first_names()
    staff = staff_words()
    words = _words(text)
    spans: list[Span] = []
    taken = -1
    for i, word in enumerate(words[:-1]):
        if word.start < taken:
            continue
        nxt = words[i + 1]
        if not _adjacent(text, word, nxt):
            continue
        before = words[i - 1] if i > 0 and _adjacent(text, words[i - 1], word) else None
        after_clinician = before is not None and before.lower in _CLINICIANS
        span = None
        if word.lower in _HONORIFICS and _surname_like(nxt, lower_case=nxt.text.islower()):
            span = (word.start, nxt.end)
            third = words[i + 2] if i + 2 < len(words) else None
            if third and _adjacent(text, nxt, third) and _surname_like(third, lower_case=False):
                span = (word.start, third.end)
        elif after_clinician or (before is not None and before.lower in _HONORIFICS):
            continue
        elif word.lower in names.names and word.capitalised:
            if _surname_like(nxt, lower_case=False):
                span = (word.start, nxt.end)
        elif word.lower in names.names and word.text.islower():
            if word.lower not in names.everyday and _surname_like(nxt, lower_case=True):
                span = (word.start, nxt.end)
        elif (
            word.capitalised
            and not word.sentence_start
            and word.lower not in staff
            and len(word.text) >= 3
            and _surname_like(nxt, lower_case=False)
            and (not person_context or _beside_a_person_word(text, words, i))
        ):
            span = (word.start, nxt.end)
        if span:
            spans.append(span)
            taken = span[1]
    return spans
