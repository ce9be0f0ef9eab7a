"""A practice's own blueprint layer and the team's suggestions: plain queries by workspace.

Bodies are JSON text (a stage or a rule as ``content/`` holds it); ``bot.blueprint``
validates them before they get here. Every change counts the workspace's revision up
in SQL (``revision = revision + 1``), so two edits at once never share a revision and
a cached merge is never mistaken for the current one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.blueprint_models import (
    BlueprintRule,
    BlueprintSettings,
    BlueprintStage,
    BlueprintSuggestion,
)
from bot.storage.db import id_batches, in_ids

__all__ = [
    "BlueprintRule",
    "BlueprintSettings",
    "BlueprintStage",
    "BlueprintSuggestion",
]


def revision(*, session: Session, workspace_id: int) -> int:
    """The workspace's blueprint revision: 0 when it has never had a layer of its own."""
    statement = select(BlueprintSettings.revision).where(
        BlueprintSettings.workspace_id == workspace_id
    )
    return session.exec(statement).first() or 0


def revisions(
    *, session: Session, workspace_ids: Iterable[int], batch: int = 500
) -> dict[int, int]:
    """The revisions of many workspaces at once (those never customised are left out)."""
    b = BlueprintSettings.__table__.c
    found: dict[int, int] = {}
    for ids in id_batches(session, workspace_ids, batch):
        statement = sa.select(b.workspace_id, b.revision).where(
            in_ids(session, b.workspace_id, ids)
        )
        found.update(dict(session.execute(statement).all()))
    return found


def get_settings(*, session: Session, workspace_id: int) -> BlueprintSettings | None:
    return session.get(BlueprintSettings, workspace_id)


def stage_rows(*, session: Session, workspace_id: int) -> list[BlueprintStage]:
    statement = (
        select(BlueprintStage)
        .where(BlueprintStage.workspace_id == workspace_id)
        .order_by(BlueprintStage.id)
    )
    return list(session.exec(statement))


def rule_rows(*, session: Session, workspace_id: int) -> list[BlueprintRule]:
    statement = (
        select(BlueprintRule)
        .where(BlueprintRule.workspace_id == workspace_id)
        .order_by(BlueprintRule.id)
    )
    return list(session.exec(statement))


CHANGED = "blueprint_changed"  # session.info: workspaces changed in this transaction


def changed_here(session: Session, workspace_id: int) -> bool:
    """Whether this session changed the workspace's blueprint (not yet committed)."""
    return workspace_id in session.info.get(CHANGED, ())


def _bump(*, session: Session, workspace_id: int, by: str, now: datetime) -> BlueprintSettings:
    session.info.setdefault(CHANGED, set()).add(workspace_id)
    row = session.get(BlueprintSettings, workspace_id)
    if row is None:
        row = BlueprintSettings(
            workspace_id=workspace_id, revision=1, updated_by=by, updated_at=now
        )
        session.add(row)
        session.flush()
        return row
    session.execute(
        sa.update(BlueprintSettings)
        .where(BlueprintSettings.workspace_id == workspace_id)
        .values(revision=BlueprintSettings.revision + 1, updated_by=by, updated_at=now)
    )
    session.refresh(row)
    return row


OWN_TABLES = {"stage": (BlueprintStage, "stage_id"), "rule": (BlueprintRule, "rule_id")}


def save_own(
    *,
    session: Session,
    kind: str,
    workspace_id: int,
    item_id: str,
    body: dict,
    by: str,
    now: datetime,
) -> None:
    """The practice's own version of a stage or a rule (``kind``), replacing any it had."""
    table, key = OWN_TABLES[kind]
    _save(session, table, key, workspace_id, item_id, body, by, now)


def save_stage(
    *, session: Session, workspace_id: int, stage_id: str, body: dict, by: str, now: datetime
) -> None:
    """The practice's own version of a stage, replacing any it had."""
    _save(session, BlueprintStage, "stage_id", workspace_id, stage_id, body, by, now)


def save_rule(
    *, session: Session, workspace_id: int, rule_id: str, body: dict, by: str, now: datetime
) -> None:
    """The practice's own version of a rule, replacing any it had."""
    _save(session, BlueprintRule, "rule_id", workspace_id, rule_id, body, by, now)


def _save(session, table, key: str, workspace_id: int, item_id: str, body, by, now) -> None:
    statement = select(table).where(
        table.workspace_id == workspace_id, getattr(table, key) == item_id
    )
    row = session.exec(statement).first()
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    if row is None:
        row = table(workspace_id=workspace_id, body_json=text, updated_by=by, updated_at=now)
        setattr(row, key, item_id)
    else:
        row.body_json, row.updated_by, row.updated_at = text, by, now
    session.add(row)
    _bump(session=session, workspace_id=workspace_id, by=by, now=now)


def remove_rule(
    *, session: Session, workspace_id: int, rule_id: str, by: str, now: datetime
) -> bool:
    """Drop the practice's own version of a rule (the default, if any, shows again)."""
    statement = sa.delete(BlueprintRule).where(
        BlueprintRule.workspace_id == workspace_id, BlueprintRule.rule_id == rule_id
    )
    gone = session.execute(statement).rowcount
    if gone:
        _bump(session=session, workspace_id=workspace_id, by=by, now=now)
    return bool(gone)


def save_orders(
    *,
    session: Session,
    workspace_id: int,
    by: str,
    now: datetime,
    **lists: list[str] | None,
) -> None:
    """Set any of ``stage_order``, ``curriculum`` and ``skip`` (None: the defaults')."""
    row = _bump(session=session, workspace_id=workspace_id, by=by, now=now)
    for name, value in lists.items():
        setattr(row, f"{name}_json", None if value is None else json.dumps(list(value)))
    session.add(row)


def orders(*, session: Session, workspace_id: int) -> dict[str, list[str] | None]:
    """The workspace's ``stage_order``, ``curriculum`` and ``skip`` (None where not set)."""
    row = session.get(BlueprintSettings, workspace_id)
    names = ("stage_order", "curriculum", "skip")
    if row is None:
        return dict.fromkeys(names)
    found = {name: getattr(row, f"{name}_json") for name in names}
    return {name: None if text is None else json.loads(text) for name, text in found.items()}


def replace_layer(
    *,
    session: Session,
    workspace_id: int,
    stages: Iterable[tuple[str, dict]],
    rules: Iterable[tuple[str, dict]],
    by: str,
    now: datetime,
    **lists: list[str] | None,
) -> None:
    """The workspace's whole layer, replaced (an import)."""
    for table in (BlueprintStage, BlueprintRule):
        session.execute(sa.delete(table).where(table.workspace_id == workspace_id))
    for stage_id, body in stages:
        _save(session, BlueprintStage, "stage_id", workspace_id, stage_id, body, by, now)
    for rule_id, body in rules:
        _save(session, BlueprintRule, "rule_id", workspace_id, rule_id, body, by, now)
    save_orders(session=session, workspace_id=workspace_id, by=by, now=now, **lists)


# -- suggestions -----------------------------------------------------------------------


def add_suggestion(*, session: Session, suggestion: BlueprintSuggestion) -> BlueprintSuggestion:
    session.add(suggestion)
    session.flush()
    return suggestion


def pending_suggestions(
    *, session: Session, workspace_id: int, limit: int = 50
) -> list[BlueprintSuggestion]:
    """The suggestions waiting for an admin, oldest first."""
    statement = (
        select(BlueprintSuggestion)
        .where(
            BlueprintSuggestion.workspace_id == workspace_id,
            BlueprintSuggestion.state == "pending",
        )
        .order_by(BlueprintSuggestion.id)
        .limit(limit)
    )
    return list(session.exec(statement))


def get_suggestion(
    *, session: Session, workspace_id: int, suggestion_id: int
) -> BlueprintSuggestion | None:
    """One of the workspace's suggestions; another workspace's id finds nothing."""
    statement = select(BlueprintSuggestion).where(
        BlueprintSuggestion.workspace_id == workspace_id, BlueprintSuggestion.id == suggestion_id
    )
    return session.exec(statement).first()


def decide_suggestion(
    *, session: Session, suggestion: BlueprintSuggestion, state: str, by: str, now: datetime
) -> None:
    suggestion.state, suggestion.decided_by, suggestion.decided_at = state, by, now
    session.add(suggestion)
