"""Changing a practice's own rules: its versions of them, their order, the ones it skips.

What a dashboard form and the chat both call; see ``bot.blueprint.checks``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlmodel import Session

from bot.blueprint.checks import (
    BlueprintError,
    Editor,
    audit_edit,
    body_of,
    content_problems,
    require_editor,
    save_own,
    set_lists,
)
from bot.blueprint.library import ContentLibrary, stored_overlay
from bot.content import Content, ContentError, Rule, apply_overlay
from bot.storage import blueprints, meetings


def set_curriculum(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    order: Iterable[str],
) -> Content:
    """The order of the weekly rules (rules it leaves out follow, as in ``curriculum.yaml``)."""
    return set_lists(session, library, workspace_id, editor, now, curriculum=tuple(order))


def set_skipped(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    rule_ids: Iterable[str],
) -> Content:
    """The rules the practice's meeting skips from now on (the whole list)."""
    return set_lists(session, library, workspace_id, editor, now, skip=tuple(rule_ids))


def save_rule(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    rule: Mapping,
) -> Rule:
    """Save the practice's own version of a rule (a new id adds it to the year's rules)."""
    return save_own(session, library, workspace_id, editor, now, "rule", rule)


def add_rule(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    rule: Mapping,
) -> Rule:
    """A new rule of the practice's own; an id a rule already has is refused (edit that
    one instead). A rule it removed that past meetings used may be added again."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    content = library.for_workspace(session=session, workspace_id=workspace_id)
    rule_id = str(rule.get("id") or "").strip()
    known = content.rules.get(rule_id)
    if known is not None and not known.retired:
        raise BlueprintError([("id", f"a rule already has the id '{rule_id}': edit it instead")])
    return save_rule(
        session=session,
        library=library,
        workspace_id=workspace_id,
        editor=editor,
        now=now,
        rule={**rule, "id": rule_id},
    )


def current_rule(
    *, session: Session, library: ContentLibrary, workspace_id: int, rule_id: str
) -> Rule | None:
    """The rule as the workspace sees it now, or None (a removed one too)."""
    content = library.for_workspace(session=session, workspace_id=workspace_id)
    rule = content.rules.get(rule_id)
    return None if rule is None or rule.retired else rule


class Forgotten(enum.Enum):
    """What forgetting a rule of the practice did."""

    NOTHING = "the practice had no version of its own"
    DEFAULT = "the default rule shows again"
    REMOVED = "the rule is gone"
    RETIRED = "the rule is in no meeting any more; past meetings still show it"


def forget_rule(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    rule_id: str,
) -> Forgotten:
    """Drop the practice's own version of a rule: the default shows again, or, for a rule
    of its own, the rule goes. A rule of its own that a meeting has had stays stored,
    retired, so that meeting still reads it (the home screen, ``/huddle rules``, the
    next meeting's "last week's challenge")."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    current = stored_overlay(session=session, workspace_id=workspace_id, base=library.base)
    mine = next((r for r in current.rules if r.id == rule_id), None)
    if mine is None or (mine.retired and rule_id not in library.base.rules):
        return Forgotten.NOTHING  # (a removed rule of its own is kept for its meetings)
    if rule_id in library.base.rules:
        change = {"rules": tuple(r for r in current.rules if r.id != rule_id)}
    elif meetings.rule_was_used(session=session, workspace_id=workspace_id, rule_id=rule_id):
        return _retire(session, library, workspace_id, editor, now, mine)
    else:  # its own rule goes from its orders too, or they would name a rule that is gone
        change = {
            "rules": tuple(r for r in current.rules if r.id != rule_id),
            "curriculum": tuple(r for r in current.curriculum if r != rule_id),
            "skip": None
            if current.skip is None
            else tuple(r for r in current.skip if r != rule_id),
        }
    try:
        apply_overlay(library.base, dataclasses.replace(current, **change), where="blueprint")
    except ContentError as error:
        raise BlueprintError(content_problems(error)) from None
    blueprints.remove_rule(
        session=session, workspace_id=workspace_id, rule_id=rule_id, by=editor.user_id, now=now
    )
    audit_edit(session, workspace_id, editor, "blueprint.rule", now)
    return Forgotten.DEFAULT if rule_id in library.base.rules else Forgotten.REMOVED


def _retire(session, library, workspace_id, editor, now, rule: Rule) -> Forgotten:
    save_own(
        session, library, workspace_id, editor, now, "rule", {**body_of(rule), "retired": True}
    )
    return Forgotten.RETIRED
