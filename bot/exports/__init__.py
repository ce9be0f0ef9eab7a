"""Exports: a workspace's defects, stories or fail-to-attends as a CSV or XLSX file.

``build_export`` is the one way in, shared by ``/huddle export`` and ``huddle
export``: it reads the rows, builds the file and audits the export (``export.<kind>``,
with ``.refs`` when patient references were included, and how many rows). Patient
references are decrypted only when asked for; tidbits are never exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.content import Content
from bot.crypto import Vault
from bot.exports.files import CSV_MIME, XLSX_MIME, Table, to_csv, to_xlsx
from bot.exports.tables import defect_table, fta_table, story_table
from bot.model import Attachment
from bot.periods import Period
from bot.storage.audit import record_audit
from bot.storage.export_rows import defects_for_export, stories_for_export
from bot.storage.models import Workspace

KINDS = ("defects", "stories", "fta")
DEFAULT_PERIOD = "all"  # an export of everything unless a period is asked for
FORMATS = ("csv", "xlsx")
KIND_NAMES = {"defects": "defects", "stories": "WOW stories", "fta": "fail-to-attends"}


@dataclass(frozen=True)
class ExportRequest:
    kind: str  # one of KINDS
    period: Period
    file_format: str = "csv"  # one of FORMATS
    with_refs: bool = False


@dataclass(frozen=True)
class Actor:
    """Who exports, for the audit log: a person in chat, or an operator on the CLI."""

    user_id: str
    name: str
    channel_id: str | None = None


@dataclass(frozen=True)
class Export:
    file: Attachment
    rows: int
    with_refs: bool


def build_export(
    *,
    session: Session,
    workspace: Workspace,
    content: Content,
    vault: Vault,
    request: ExportRequest,
    actor: Actor,
    now: datetime,
) -> Export:
    """The export's file, audited. ``request.kind`` and ``file_format`` must be known."""
    assert workspace.id is not None
    if request.kind not in KINDS or request.file_format not in FORMATS:
        raise ValueError(f"unknown export {request.kind} as {request.file_format}")
    table = _table(session, workspace, content, vault, request)
    with_refs = request.with_refs and request.kind != "stories"  # stories hold no patient
    record_audit(
        session=session,
        workspace_id=workspace.id,
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=f"export.{request.kind}" + (".refs" if with_refs else ""),
        record_count=len(table.rows),
        channel_id=actor.channel_id,
        now=now,
    )
    name = f"huddle-{request.kind}-{request.period.key}.{request.file_format}"
    if request.file_format == "xlsx":
        data, mime = to_xlsx(table), XLSX_MIME
    else:
        data, mime = to_csv(table), CSV_MIME
    title = f"Huddle {KIND_NAMES[request.kind]} ({request.period.key})"
    return Export(Attachment(name, data, mime, title), len(table.rows), with_refs)


def _table(
    session: Session, workspace: Workspace, content: Content, vault: Vault, request: ExportRequest
) -> Table:
    since, until = request.period.since, request.period.until
    if request.kind == "stories":
        found = stories_for_export(
            session=session, workspace_id=workspace.id, since=since, until=until
        )
        return story_table(found, tz=workspace.timezone)
    views = defects_for_export(
        session=session,
        workspace_id=workspace.id,
        since=since,
        until=until,
        fail_to_attends_only=request.kind == "fta",
    )
    refs = (lambda d: vault.decrypt(d.patient_ref_enc)) if request.with_refs else None
    build = fta_table if request.kind == "fta" else defect_table
    return build(views, content=content, tz=workspace.timezone, refs=refs)
