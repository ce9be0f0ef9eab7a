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

Nothing here stores or logs anything.
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
    "region_for_timezone",
    "split_ambiguous_ref",
]
