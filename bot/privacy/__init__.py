"""Privacy checks that keep patient detail out of the free texts everyone can read.

The API the commands call before they store anything:

- ``check(text, region=..., kind=...)`` -> ``list[Finding]``: what in a defect, recovery action,
  story or tidbit looks like patient detail, each with a masked excerpt, why and what instead.
  An empty list means save; otherwise show ``advice(findings)`` (who would see the text, then
  one line per kind of detail) with "Save as written" and "Edit", and store nothing until the
  person picks. The findings' ``start``/``end`` can highlight the words in the edit form.
- ``region_for_timezone(tz)``: the practice's country from its workspace timezone, for ``region``.
- ``find_patient_refs(text)``: ``patient: JS-1042``, ``pt JS-1042``, ``(JS-1042)`` anywhere.
- ``check_patient_ref(ref)``: a hint when a reference looks like a name, email or phone.
- ``split_ambiguous_ref(text)``: the two readings of ``JS 1042 loves …``, so the command can ask.

``note_warnings`` and ``patient_ref_warnings`` are the older list-of-strings form, kept for the
tidbit and defect commands. Nothing here stores or logs anything.
"""

from __future__ import annotations

from bot.privacy.check import (
    FINDING_KINDS,
    TEXT_KINDS,
    Finding,
    FindingKind,
    TextKind,
    advice,
    check,
    mask,
)
from bot.privacy.refs import (
    NAME_ADVICE,
    RefReading,
    check_patient_ref,
    find_patient_refs,
    split_ambiguous_ref,
)
from bot.privacy.regions import region_for_timezone

__all__ = [
    "FINDING_KINDS",
    "NAME_ADVICE",
    "TEXT_KINDS",
    "Finding",
    "FindingKind",
    "RefReading",
    "TextKind",
    "advice",
    "check",
    "check_patient_ref",
    "find_patient_refs",
    "mask",
    "note_warnings",
    "patient_ref_warnings",
    "region_for_timezone",
    "split_ambiguous_ref",
]

_NOTE_WARNINGS: dict[str, str] = {
    "contact": (
        "That note seems to include contact details. Phone numbers and email addresses "
        "belong in the practice management system, not in a tidbit."
    ),
    "address": (
        "That note seems to include an address. Addresses belong in the practice "
        "management system, not in a tidbit."
    ),
    "birthdate": (
        "That note seems to include a date of birth. Dates of birth belong in the practice "
        "management system, not in a tidbit."
    ),
    "name": (
        "That note seems to include a full name. A first name or a relationship "
        "(“her daughter”) is plenty for a friendly chat."
    ),
    "clinical": (
        "That note looks clinical. Medications, diagnoses and treatment belong in the "
        "clinical record; tidbits are for personal things to chat about, like a trip "
        "or a new puppy."
    ),
}
_NOTE_GROUP = {"phone": "contact", "email": "contact"}


def patient_ref_warnings(ref: str) -> list[str]:
    """Warnings for a patient reference that looks like more than a chart number."""
    hint = check_patient_ref(ref)
    return [hint] if hint else []


def note_warnings(note: str, *, region: str | None = None) -> list[str]:
    """Warnings for a tidbit note, one per kind of detail, from ``check(kind="tidbit")``."""
    groups = {_NOTE_GROUP.get(f.kind, f.kind) for f in check(note, region=region, kind="tidbit")}
    return [message for group, message in _NOTE_WARNINGS.items() if group in groups]
