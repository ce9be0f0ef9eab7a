"""Changing a practice's own rules: its versions of them, their order, the ones it skips.

What a dashboard form and the chat both call; see ``bot.blueprint.checks``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlmodel import Session

from bot.blueprint.checks import (
    BlueprintError,
    Editor,
    audit_edit,
    content_problems,
    merged_with,
    require_editor,
    rule_body,
    set_lists,
    validated_rule,
)
from bot.blueprint.library import ContentLibrary, stored_overlay
from bot.content import Content, ContentError, Rule, apply_overlay
from bot.storage import blueprints


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
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    checked = validated_rule(rule)
    merged_with(library, session, workspace_id, rule=checked)
    blueprints.save_rule(
        session=session,
        workspace_id=workspace_id,
        rule_id=checked.id,
        body=rule_body(checked),
        by=editor.user_id,
        now=now,
    )
    audit_edit(session, workspace_id, editor, "blueprint.rule", now)
    return checked


def forget_rule(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    rule_id: str,
) -> bool:
    """Drop the practice's own version of a rule: the default shows again (or, for a rule
    of its own, the rule goes). False when it had none."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    current = stored_overlay(session=session, workspace_id=workspace_id, base=library.base)
    rest = tuple(r for r in current.rules if r.id != rule_id)
    candidate = dataclasses.replace(current, rules=rest)
    if rule_id not in library.base.rules:
        # Its own rule goes from its orders too, or they would name a rule that is gone.
        candidate = dataclasses.replace(
            candidate,
            curriculum=tuple(r for r in candidate.curriculum if r != rule_id),
            skip=None
            if candidate.skip is None
            else tuple(r for r in candidate.skip if r != rule_id),
        )
    try:
        apply_overlay(library.base, candidate, where="blueprint")
    except ContentError as error:
        raise BlueprintError(content_problems(error)) from None
    gone = blueprints.remove_rule(
        session=session, workspace_id=workspace_id, rule_id=rule_id, by=editor.user_id, now=now
    )
    if gone:
        audit_edit(session, workspace_id, editor, "blueprint.rule", now)
    return gone
