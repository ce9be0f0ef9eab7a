"""The audit log's reader: who read which patient's tidbits, who changed, deleted or
exported what, and when. Never any content: the log holds none.

``read_audit_log`` is shared by ``/huddle audit`` (admins, privately), ``huddle
audit`` (operators) and, later, a dashboard page. A patient reference is patient data:
it is decrypted only when the caller asks (``with_refs``), and that read is itself
audited (``audit.read``, with how many references were shown); otherwise an entry
names the patient by a short, stable tag of its lookup hash, so the same patient's
entries can be matched without revealing who it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.crypto import EncryptionKeyError, Vault
from bot.storage.audit import audit_page, record_audit
from bot.storage.models import AuditEntry

PAGE_SIZE = 20
_KINDS = {
    "tidbit": ("tidbit", "tidbits"),
    "defect": ("defect", "defects"),
    "recovery": ("recovery action", "recovery actions"),
    "story": ("WOW story", "WOW stories"),
    "admin": ("admin", "admins"),
    "fta": ("fail-to-attend", "fail-to-attends"),
    "stories": ("WOW story", "WOW stories"),
    "defects": ("defect", "defects"),
    "frontdesk": ("front-desk person", "front-desk people"),
}
_SETTINGS = {  # setting.<what>: a change of the practice's settings, no record
    "tidbits.on": "turned the practice's tidbits on",
    "tidbits.off": "turned the practice's tidbits off",
    "frontdesk.at": "changed the front desk's notice time",
    "frontdesk.deadline": "changed the front desk's confirmation deadline",
    "frontdesk.popups": "turned Open Dental popups on or off",
}
_VERBS = {
    "read": "read",
    "create": "saved",
    "edit": "edited",
    "delete": "deleted",
    "forget": "deleted",
    "undo": "undid",
    "add": "added",
    "remove": "removed",
    "export": "exported",
}


@dataclass(frozen=True)
class AuditLine:
    """One entry in words: when, who, what; the patient as a tag or (asked for) a reference."""

    at: datetime  # UTC
    actor_id: str
    actor_name: str
    action: str
    what: str
    patient: str | None  # "patient #a1b2c3" or the reference itself; None: no patient
    channel_id: str | None


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    offset: int
    more: bool  # another page follows

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.lines)


def describe(entry: AuditEntry) -> str:
    """``tidbit.read`` with 3 records -> "read 3 tidbits"; ``defect.delete`` #12 -> "deleted defect #12"."""
    kind, _, rest = entry.action.partition(".")
    verb_word, _, extra = rest.partition(".")
    if kind == "export":
        # export.<kind>[.refs]: the kind exported is the second word.
        one, many = _KINDS.get(verb_word, (verb_word, verb_word))
        noun = one if entry.record_count == 1 else many
        refs = " with patient references" if extra == "refs" else ""
        return f"exported {entry.record_count} {noun}{refs}"
    if kind == "setting":
        return _SETTINGS.get(rest, f"changed a setting ({rest})")
    if kind == "audit":
        return f"read the audit log ({entry.record_count} patient references shown)"
    one, many = _KINDS.get(kind, (kind, kind))
    verb = _VERBS.get(verb_word, verb_word or "did")
    if entry.record_id is not None:
        return f"{verb} {one} #{entry.record_id}"
    if entry.record_count and entry.record_count != 1:
        return f"{verb} {entry.record_count} {many}"
    if entry.record_count or kind in ("admin", "frontdesk"):
        return f"{verb} {'an' if one[0] in 'aeiou' else 'a'} {one}"
    return f"{verb} no {many}"


def patient_tag(ref_hash: str) -> str:
    """A short tag of a patient's lookup hash: the same patient, the same tag."""
    return f"patient #{ref_hash[:6]}"


def read_audit_log(
    *,
    session: Session,
    workspace_id: int,
    vault: Vault,
    reader_id: str,
    reader_name: str,
    now: datetime,
    since: datetime | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    with_refs: bool = False,
    channel_id: str | None = None,
) -> AuditPage:
    """A page of the log, newest first. ``with_refs`` decrypts the patient references
    shown, and records that read (``audit.read``) under ``reader_*``."""
    entries = audit_page(
        session=session, workspace_id=workspace_id, since=since, limit=limit + 1, offset=offset
    )
    more, entries = len(entries) > limit, entries[:limit]
    lines = [_line(entry, vault, with_refs) for entry in entries]
    shown = sum(1 for e in entries if with_refs and e.patient_ref_enc)
    if shown:
        record_audit(
            session=session,
            workspace_id=workspace_id,
            actor_id=reader_id,
            actor_name=reader_name,
            action="audit.read",
            record_count=shown,
            channel_id=channel_id,
            now=now,
        )
    return AuditPage(lines, offset, more)


def _line(entry: AuditEntry, vault: Vault, with_refs: bool) -> AuditLine:
    patient = None
    if entry.patient_ref_enc and with_refs:
        try:
            patient = vault.decrypt(entry.patient_ref_enc)
        except EncryptionKeyError:
            patient = "(reference unreadable with the current keys)"
    elif entry.patient_ref_hash:
        patient = patient_tag(entry.patient_ref_hash)
    return AuditLine(
        at=entry.created_at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        what=describe(entry),
        patient=patient,
        channel_id=entry.channel_id,
    )
