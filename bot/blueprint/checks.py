"""What every change to a practice's blueprint goes through: who may, and the checks.

Every change is checked exactly as the YAML loader checks ``content/`` (the same
pydantic models, then the same merge with its cross-checks), so a form can show each
problem beside its field: ``BlueprintError.problems`` is ``(field, message)`` pairs.
Only the practice's admins change anything (``NotAllowed`` otherwise), and every
change is audited: who, which kind, when; never the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session

from bot.blueprint.library import ContentLibrary, stored_overlay
from bot.content import Content, ContentError, Overlay, Rule, Stage, apply_overlay
from bot.storage import admins, blueprints
from bot.storage.audit import record_audit

# The six lists of a stage's blueprint, by their field in ``content/stages.yaml``.
LISTS: dict[str, str] = {
    "operational_standards": "Operational standards",
    "common_defects": "Likely service defects",
    "experiential_standards": "Experiential standards",
    "above_and_beyond": "Above-and-beyond opportunities",
    "recovery_moves": "Service recovery moves",
    "offer_the_offer": "Offer the offer",
}
SINGLE = "offer_the_offer"  # one sentence in stages.yaml, not a list


@dataclass(frozen=True)
class Editor:
    """Who makes a change. ``platform_admin``: the platform says they administer the
    workspace; ``operator``: the server's operator on the command line."""

    user_id: str
    name: str
    platform_admin: bool = False
    operator: bool = False


OPERATOR = Editor("cli", "Server operator", operator=True)


class NotAllowed(Exception):
    """The editor is not one of the practice's admins: nothing was changed."""


class BlueprintError(ValueError):
    """A change that the content's schema refuses; ``problems``: (field, message) pairs."""

    def __init__(self, problems: Iterable[tuple[str, str]]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"field '{f}': {m}" if f else m for f, m in self.problems))


def problems_of(error: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """A pydantic error as (field, message) pairs: ``blueprint.common_defects.2``."""
    found = []
    for item in error.errors():
        where = ".".join(str(part) for part in (prefix, *item["loc"]) if part != "")
        found.append((where, item["msg"]))
    return found


def content_problems(error: ContentError) -> list[tuple[str, str]]:
    pairs = re.findall(r"field '([^']+)': ([^;]+)", str(error))
    return [(f, m.strip()) for f, m in pairs] or [("", str(error))]


def require_editor(*, session: Session, workspace_id: int, editor: Editor) -> None:
    """Raise ``NotAllowed`` unless the editor may change this practice's blueprint."""
    if editor.operator or editor.platform_admin:
        return
    if admins.get_admin(session=session, workspace_id=workspace_id, user_id=editor.user_id):
        return
    raise NotAllowed("Only the practice's admins change its blueprint and rules.")


def audit_edit(session: Session, workspace_id: int, editor: Editor, action: str, now) -> None:
    record_audit(
        session=session,
        workspace_id=workspace_id,
        actor_id=editor.user_id,
        actor_name=editor.name,
        action=action,
        record_count=1,
        now=now,
    )


def merged_with(library: ContentLibrary, session: Session, workspace_id: int, **change) -> Content:
    """The workspace's content as it would be with ``change`` (Overlay fields) applied."""
    current = stored_overlay(session=session, workspace_id=workspace_id, base=library.base)
    if "stage" in change:
        stage = change.pop("stage")
        change["stages"] = (*(s for s in current.stages if s.id != stage.id), stage)
    if "rule" in change:
        rule = change.pop("rule")
        change["rules"] = (*(r for r in current.rules if r.id != rule.id), rule)
    candidate = dataclasses.replace(current, **change)
    try:
        return apply_overlay(library.base, candidate, where="blueprint")
    except ContentError as error:
        raise BlueprintError(content_problems(error)) from None


OWN_KINDS = {"stage": Stage, "rule": Rule}  # the two kinds a practice writes its own of


def validated(kind: str, data: Mapping) -> Stage | Rule:
    """A stage or a rule from a form or a file, checked as ``stages.yaml`` or
    ``rules/*.yaml`` is."""
    try:
        return OWN_KINDS[kind].model_validate(dict(data))
    except ValidationError as error:
        raise BlueprintError(problems_of(error)) from None


def body_of(item: Stage | Rule) -> dict:
    """A stage or a rule as ``content/`` holds it (what is stored, and exported)."""
    return item.model_dump(mode="json", exclude_defaults=True)


def save_own(
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    kind: str,
    data: Mapping,
) -> Stage | Rule:
    """Save the practice's own version of a stage or a rule (``kind``): who may, checked
    alone and then merged with the rest, stored, audited."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    checked = validated(kind, data)
    merged_with(library, session, workspace_id, **{kind: checked})
    blueprints.save_own(
        session=session,
        kind=kind,
        workspace_id=workspace_id,
        item_id=checked.id,
        body=body_of(checked),
        by=editor.user_id,
        now=now,
    )
    audit_edit(session, workspace_id, editor, f"blueprint.{kind}", now)
    return checked


def own_layer(*, session: Session, library: ContentLibrary, workspace_id: int) -> Overlay:
    """What the practice changed: its own layer over the server's content."""
    return stored_overlay(session=session, workspace_id=workspace_id, base=library.base)


def set_lists(
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    **lists: tuple[str, ...],
) -> Content:
    """Set any of ``stage_order``, ``curriculum`` and ``skip``, checked and audited."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    for name, ids in lists.items():
        twice = sorted({i for i in ids if list(ids).count(i) > 1})
        field_name = "order" if name in ("stage_order", "curriculum") else name
        if twice:
            raise BlueprintError([(field_name, f"listed twice: {', '.join(twice)}")])
    merged = merged_with(library, session, workspace_id, **lists)
    blueprints.save_orders(
        session=session,
        workspace_id=workspace_id,
        by=editor.user_id,
        now=now,
        # An empty order means the defaults' order; an empty skip list skips nothing.
        **{name: list(ids) if name == "skip" or ids else None for name, ids in lists.items()},
    )
    audit_edit(session, workspace_id, editor, f"blueprint.{next(iter(lists))}", now)
    return merged
