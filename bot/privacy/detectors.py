"""Where a free text holds a phone number, email, birthdate, address or clinical detail.

Each detector returns ``(start, end)`` spans into the text; ``bot.privacy.check`` turns them
into findings with advice. Pure functions: nothing is stored or logged.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.privacy.wordlists import clinical_terms

Span = tuple[int, int]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Used when the practice's region is unknown: any run of 8+ digits with the usual separators.
LOOSE_PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{6,}\d(?![\w/])")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}|"
    rf"{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_BIRTH_KEYWORD = re.compile(
    rf"(?<!\w)(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s?date)\s*(?:is|was|:|-|=)?\s*"
    rf"(?P<date>{_DATE}|\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}})",
    re.IGNORECASE,
)
_BORN = re.compile(
    rf"\bborn\s+(?:on\s+|in\s+)?(?:the\s+)?(?P<date>{_DATE}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"{_MONTH}|{_MONTH}\s+\d{{1,2}}|(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(rf"(?<![\w/]){_DATE}(?![\w/])", re.IGNORECASE)
# A full date this long ago in staff talk is a birthdate, not an appointment.
_BIRTH_YEARS = range(1900, 2016)

_STREET_TYPES = (
    r"(?:st|street|rd|road|ave|avenue|cres|crescent|dr|drive|ct|court|pl|place|ln|lane|way|"
    r"blvd|boulevard|pde|parade|tce|terrace|cl|close|hwy|highway|grove|gr|cct|circuit|esp|"
    r"esplanade|sq|square)"
)
_ADDRESS = re.compile(
    rf"(?<![\w/$])(?:(?:unit|apt|flat)\s+\d+[a-z]?,?\s+|\d+[a-z]?/)?\d{{1,5}}[a-z]?\s+"
    rf"(?:[A-Za-z][a-z'’-]+\s+){{1,3}}{_STREET_TYPES}\b\.?",
    re.IGNORECASE,
)
_STATE_POSTCODE = re.compile(
    r"\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s+\d{4}\b|\bPO\s+Box\s+\d+\b|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"  # a UK postcode, like SW1A 1AA
)
_COUNTED = {
    "minutes", "minute", "mins", "min", "hours", "hour", "hrs", "days", "day", "weeks", "week",
    "months", "years", "times", "patients", "people", "seconds", "more", "other", "of", "after",
}  # fmt: skip
_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|ml)\b", re.IGNORECASE)


def emails(text: str) -> list[Span]:
    return [m.span() for m in EMAIL.finditer(text)]


def birthdates(text: str) -> list[Span]:
    """``DOB 3/4/1961``, ``d.o.b. 3 April 1961``, ``born 3/4/1961``, or a full date before 2016."""
    spans = [m.span() for m in _BIRTH_KEYWORD.finditer(text)]
    spans += [m.span() for m in _BORN.finditer(text)]
    for match in _ANY_DATE.finditer(text):
        year = re.search(r"\d{4}", match.group())
        if year and int(year.group()) in _BIRTH_YEARS:
            spans.append(match.span())
    return spans


def phones(text: str, region: str | None) -> list[Span]:
    """Phone numbers as people write them in the practice's region (``0412 345 678``)."""
    if region is None:
        return [m.span() for m in LOOSE_PHONE.finditer(text) if _digits(m.group()) >= 8]
    spans = []
    leniency = phonenumbers.Leniency.POSSIBLE
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
        raw = match.raw_string
        # A bare run of digits that does not start like a phone number is an id or a date.
        written_as_phone = raw[0] in "+(0" or re.search(r"[\s().-]", raw)
        if _digits(raw) >= 8 and written_as_phone and not _ANY_DATE.fullmatch(raw):
            start = match.start + (raw.startswith("(") and ")" not in raw)
            spans.append((start, match.end))
    return spans


def addresses(text: str) -> list[Span]:
    """``12 Smith St``, ``unit 4, 22 Ocean Parade``, ``NSW 2150``, ``PO Box 12``."""
    spans = [
        m.span()
        for m in _ADDRESS.finditer(text)
        # "40 minutes after close" counts something; it is not a street.
        if not any(word.lower() in _COUNTED for word in m.group().split())
    ]
    return spans + [m.span() for m in _STATE_POSTCODE.finditer(text)]


def clinical(text: str, *, include_treatment: bool) -> list[Span]:
    """Medications, conditions and doses; dental treatment too when ``include_treatment``."""
    terms = clinical_terms()
    spans = [m.span() for m in terms.health.finditer(text)]
    spans += [m.span() for m in _DOSE.finditer(text)]
    if include_treatment:
        spans += [m.span() for m in terms.treatment.finditer(text)]
    return spans


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)
