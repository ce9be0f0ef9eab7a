"""The one privacy check the commands call before they store any free text.

    >>> [f.kind for f in check("Jane Smith on 0412 345 678", region="AU", kind="defect")]
    ['name', 'phone']

A finding says what looks sensitive (its kind and a masked excerpt, so the reply itself does not
repeat the detail), why it matters in this kind of text, and what to write instead. The caller
shows the findings with "Save as written" and "Edit" and stores nothing until the person picks.
Nothing here stores or logs anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.privacy import detectors
from bot.privacy.names import full_names
from bot.privacy.refs import check_patient_ref, find_patient_ref_spans

FindingKind = Literal["name", "phone", "email", "birthdate", "clinical", "address"]
TextKind = Literal["defect", "recovery", "story", "tidbit"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "name",
    "phone",
    "email",
    "birthdate",
    "clinical",
    "address",
)
TEXT_KINDS: tuple[TextKind, ...] = ("defect", "recovery", "story", "tidbit")


@dataclass(frozen=True)
class Finding:
    """One thing in a text that looks like patient detail.

    ``start``/``end`` index the checked text (for highlighting in an edit form); ``excerpt`` is
    the same stretch masked, safe to show in a reply; ``where`` says who would see the text,
    ``why`` what this looks like and ``instead`` what to write: all three are for people.
    """

    kind: FindingKind
    start: int
    end: int
    excerpt: str
    where: str
    why: str
    instead: str

    @property
    def message(self) -> str:
        """The whole advice for this finding, ready for a bullet."""
        return f"{self.where} {self.why} {self.instead}"


def advice(findings: list[Finding]) -> list[str]:
    """The findings as lines to show: who would see the text, then one line per kind.

    >>> advice(check("on metformin, watch her sugar", region="AU", kind="tidbit"))[1]
    'That looks clinical (metformin, her sugar). Medications, diagnoses and treatment belong in the clinical record.'
    """
    if not findings:
        return []
    lines = [findings[0].where]
    for kind in dict.fromkeys(f.kind for f in findings):
        same = [f for f in findings if f.kind == kind]
        excerpts = ", ".join(dict.fromkeys(f.excerpt for f in same))
        lines.append(f"{_WHY[kind].format(excerpt=excerpts)} {same[0].instead}")
    return lines


_WHERE = {
    "defect": "Everyone in the channel sees defects in `/defect list`.",
    "recovery": "Everyone in the channel sees recovery actions in `/defect list`.",
    "story": "Stories are shared with the whole team and read out at the meeting.",
    "tidbit": "Tidbits are for personal things to chat about, like a trip or a new puppy.",
}
_LINK = "To link the patient, add their chart number: `patient: JS-1042`."
_WHY: dict[FindingKind, str] = {
    "name": "That looks like a full name ({excerpt}).",
    "phone": "That looks like a phone number ({excerpt}).",
    "email": "That looks like an email address ({excerpt}).",
    "birthdate": "That looks like a date of birth ({excerpt}).",
    "clinical": "That looks clinical ({excerpt}).",
    "address": "That looks like a home address ({excerpt}).",
}
_INSTEAD: dict[FindingKind, str] = {
    "name": "Initials (“Mrs K”) or a first name are enough.",
    "phone": "Contact details belong in the practice management system.",
    "email": "Contact details belong in the practice management system.",
    "birthdate": "Dates of birth belong in the practice management system.",
    "clinical": "Medications, diagnoses and treatment belong in the clinical record.",
    "address": "Addresses belong in the practice management system.",
}


def check(text: str, *, region: str | None, kind: TextKind) -> list[Finding]:
    """What in ``text`` looks like patient detail, in the order it appears.

    ``region`` is the practice's ISO country code (see ``region_for_timezone``), used to read
    phone numbers as people there write them; ``None`` falls back to any 8+ digit run.
    ``kind`` is which free text this is: dental treatment words count as clinical only in a
    tidbit, and the advice says who would see the text.
    """
    if kind not in TEXT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TEXT_KINDS)}, not {kind!r}")
    # A chart reference (JS-1042) is what we ask for: never flag it; a name after
    # `patient:` is still a name.
    refs = [s for s in find_patient_ref_spans(text) if check_patient_ref(text[s[0] : s[1]]) is None]
    found: list[tuple[FindingKind, tuple[int, int]]] = []
    found += [("email", span) for span in detectors.emails(text)]
    found += [("birthdate", span) for span in detectors.birthdates(text)]
    found += [("phone", span) for span in detectors.phones(text, region)]
    found += [("address", span) for span in detectors.addresses(text)]
    found += [("name", span) for span in full_names(text, person_context=kind == "tidbit")]
    include_treatment = kind == "tidbit"
    found += [
        ("clinical", span) for span in detectors.clinical(text, include_treatment=include_treatment)
    ]
    kept: list[tuple[FindingKind, tuple[int, int]]] = []
    for finding_kind, span in sorted(found, key=lambda item: (item[1][0], -item[1][1])):
        if _overlaps(span, refs) or _overlaps(span, [s for _, s in kept]):
            continue
        kept.append((finding_kind, span))
    return [_finding(text, finding_kind, span, kind) for finding_kind, span in kept]


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _finding(text: str, kind: FindingKind, span: tuple[int, int], text_kind: TextKind) -> Finding:
    excerpt = mask(text[span[0] : span[1]], kind)
    instead = _INSTEAD[kind]
    if kind in ("name", "phone", "email", "birthdate", "address") and text_kind != "tidbit":
        instead += " " + _LINK
    return Finding(
        kind=kind,
        start=span[0],
        end=span[1],
        excerpt=excerpt,
        where=_WHERE[text_kind],
        why=_WHY[kind].format(excerpt=excerpt),
        instead=instead,
    )


def mask(raw: str, kind: FindingKind) -> str:
    """``Jane Smith`` -> ``J… S…``; ``0412 345 678`` -> ``04•• ••• •78``; terms shown as typed."""
    if kind == "clinical":
        return raw
    if kind == "email":
        local, _, domain = raw.partition("@")
        return f"{local[:1]}…@{domain}"
    if kind in ("phone", "birthdate", "address"):
        digits = [i for i, ch in enumerate(raw) if ch.isdigit()]
        keep = set(digits[:2] + digits[-2:]) if kind == "phone" else set()
        masked = "".join("•" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(raw))
        if kind == "address":
            masked = re.sub(r"(?<=\b[A-Za-z])[a-z'’-]+", "…", masked)
        return masked
    return re.sub(r"(?<=\b[A-Za-z])[A-Za-z'’-]+", "…", raw)
