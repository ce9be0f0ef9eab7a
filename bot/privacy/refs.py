"""Patient references where people put them, and the checks a reference gets.

A reference is a chart number or initials and a number (``JS-1042``), never a name.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A chart reference: letters and digits (JS-1042, JS1042, JS 1042) or a bare number of 3+ digits.
_CHART = r"(?:[A-Za-z]{1,4}[-/.]?\d{1,10}|[A-Z]{1,4}\s\d{1,10}|\d{3,10})(?:-\d{1,6})?"
_CHART_WITH_LETTERS = r"[A-Za-z]{1,4}-?\d{2,10}"
_KEYWORD = r"\b(?i:patient|pt)\.?"
# After an explicit colon anything is taken as the reference, so a name there can be refused.
_AFTER_COLON = re.compile(
    rf"{_KEYWORD}\s*[:=]\s*#?(?P<ref>{_CHART}(?![\w-])|\d{{1,2}}(?![\w-])|"
    rf"[A-Za-z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)"
)
_AFTER_WORD = re.compile(rf"{_KEYWORD}\s+#?(?P<ref>{_CHART})(?![\w-])")
_IN_BRACKETS = re.compile(rf"\(\s*(?P<ref>{_CHART_WITH_LETTERS})\s*\)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")
_NAME_RUN = re.compile(r"[A-Za-z]{3,}")

NAME_ADVICE = (
    "Use a chart number or initials as the patient reference (like `JS-1042`), not a full name."
)


class RefReading(NamedTuple):
    """One way to read the start of a text: this reference, and the rest as the note."""

    ref: str
    rest: str


def find_patient_ref_spans(text: str) -> list[tuple[int, int]]:
    """Where the references ``find_patient_refs`` returns sit in ``text``.

    Not one that a longer phone number (8 digits or more) or email runs through:
    `pt 0412 345 678` names no chart number, it is a phone number (and is checked as one).
    """
    contacts = _contacts(text)
    spans: list[tuple[int, int]] = []
    for pattern in (_AFTER_COLON, _AFTER_WORD, _IN_BRACKETS):
        for match in pattern.finditer(text):
            span = match.span("ref")
            if not _overlaps(span, spans) and not _in_contact(span, contacts):
                spans.append(span)
    return sorted(spans)


def _contacts(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has an email or a phone-like run of 8 digits or more."""
    found = [m.span() for m in _EMAIL.finditer(text)]
    return found + [m.span() for m in _PHONE.finditer(text) if sum(map(str.isdigit, m[0])) >= 8]


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _in_contact(span: tuple[int, int], contacts: list[tuple[int, int]]) -> bool:
    """``span`` is part of a longer contact detail (`0412` of `0412 345 678`)."""
    return _overlaps(span, [c for c in contacts if c[1] - c[0] > span[1] - span[0]])


def find_patient_refs(text: str) -> list[str]:
    """Every patient reference in ``text``, in order, each once.

    Found anywhere: ``patient: JS-1042``, ``patient JS-1042``, ``pt JS-1042``, ``(JS-1042)``.
    After ``patient:`` any word is taken, so ``patient: Jane Smith`` gives ``Jane Smith`` for
    ``check_patient_ref`` to refuse.

    >>> find_patient_refs("waited 40 min (JS-1042), called pt KL-7 back")
    ['JS-1042', 'KL-7']
    """
    refs: list[str] = []
    for start, end in find_patient_ref_spans(text):
        ref = text[start:end].strip()
        if ref not in refs:
            refs.append(ref)
    return refs


def check_patient_ref(ref: str) -> str | None:
    """Why ``ref`` should not be used as a patient reference, with a hint, or None if fine."""
    if _EMAIL.search(ref):
        return "That patient reference looks like an email address. " + NAME_ADVICE
    if _PHONE.search(ref) and not re.search(r"[A-Za-z]", ref):
        return "That patient reference looks like a phone number. " + NAME_ADVICE
    for run in _NAME_RUN.findall(ref):
        if any(ch.islower() for ch in run) or len(run) > 3:
            return "That patient reference looks like a name. " + NAME_ADVICE
    return None


def split_ambiguous_ref(text: str) -> tuple[RefReading, RefReading] | None:
    """The two readings of ``JS 1042 loves …``: ref ``JS 1042``, or ref ``JS`` and a note.

    None when the start of the text can be read only one way, so the command can ask only
    when it must.

    >>> split_ambiguous_ref("JS 1042 loves gardening")
    (RefReading(ref='JS 1042', rest='loves gardening'), RefReading(ref='JS', rest='1042 loves gardening'))
    """
    match = re.match(r"\s*(?P<letters>[A-Za-z]{1,4})\s+(?P<digits>\d{1,10})(?=\s|$)", text)
    if match is None or _in_contact(match.span("digits"), _contacts(text)):
        return None  # `pt 0412 345 678 …`: a phone number, not a reference either way
    letters, digits = match.group("letters"), match.group("digits")
    rest = text[match.end() :].strip()
    joined = RefReading(f"{letters} {digits}", rest)
    split = RefReading(letters, f"{digits} {rest}".strip())
    return joined, split
