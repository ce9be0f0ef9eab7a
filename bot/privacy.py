"""Gentle checks that keep patient data minimal in tidbits and patient references.

Nothing here blocks anything or logs anything: it returns warnings to show the
person who typed the text, saying what belongs where.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")
_MONTHS_AND_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "new", "mr", "mrs", "ms", "dr",
}  # fmt: skip
_FULL_NAME = re.compile(r"\b([A-Z][a-z'’-]{1,})\s+([A-Z][a-z'’-]{1,})\b")
_CLINICAL = re.compile(
    r"\b(medications?|meds|prescri\w*|\d+\s?mg|antibiotics?|amoxicillin|penicillin|ibuprofen|"
    r"paracetamol|acetaminophen|codeine|warfarin|aspirin|insulin|allerg\w*|diagnos\w*|"
    r"diabet\w*|cancer|chemo\w*|pregnan\w*|hiv|hepatitis|asthma\w*|epilep\w*|"
    r"blood pressure|heart condition|anxiety|depress\w*|root canal|extractions?|implants?|"
    r"crowns?|fillings?|periodont\w*|gingivitis|caries|cavit(?:y|ies)|abscess\w*|"
    r"x-?rays?|surgery|treatment plan|dentures?)\b",
    re.IGNORECASE,
)

_NAME_ADVICE = (
    "Use a chart number or initials as the patient reference (like `JS-1042`), not a full name."
)


def _looks_like_full_name(text: str) -> bool:
    for first, second in _FULL_NAME.findall(text):
        if first.casefold() not in _MONTHS_AND_DAYS and second.casefold() not in _MONTHS_AND_DAYS:
            return True
    return False


def patient_ref_warnings(ref: str) -> list[str]:
    """Warnings for a patient reference that looks like more than a chart number."""
    warnings = []
    if _EMAIL.search(ref):
        warnings.append("That patient reference looks like an email address. " + _NAME_ADVICE)
    elif _PHONE.search(ref) and not re.search(r"[A-Za-z]", ref):
        warnings.append("That patient reference looks like a phone number. " + _NAME_ADVICE)
    elif re.fullmatch(r"[A-Z][a-z]{2,}", ref.strip()):
        warnings.append("That patient reference looks like a name. " + _NAME_ADVICE)
    return warnings


def note_warnings(note: str) -> list[str]:
    """Warnings for a tidbit note that holds more than a personal, non-clinical detail."""
    warnings = []
    if _EMAIL.search(note) or _PHONE.search(note):
        warnings.append(
            "That note seems to include contact details. Phone numbers and email addresses "
            "belong in the practice management system, not in a tidbit."
        )
    if _looks_like_full_name(note):
        warnings.append(
            "That note seems to include a full name. A first name or a relationship "
            "(“her daughter”) is plenty for a friendly chat."
        )
    if _CLINICAL.search(note):
        warnings.append(
            "That note looks clinical. Medications, diagnoses and treatment belong in the "
            "clinical record; tidbits are for personal things to chat about, like a trip "
            "or a new puppy."
        )
    return warnings
