"""Changing a practice's own stages: their names, their six lists, their order, retiring.

What a dashboard form and the chat both call; see ``bot.blueprint.checks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlmodel import Session

from bot.blueprint.checks import (
    LISTS,
    SINGLE,
    BlueprintError,
    Editor,
    require_editor,
    save_own,
    set_lists,
)
from bot.blueprint.library import ContentLibrary
from bot.content import Content, Stage


def save_stage(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    stage: Mapping,
) -> Stage:
    """Save the practice's own version of a stage (a new id adds a stage at the end).

    Example: ``save_stage(..., stage={"id": "arrival", "name": "Welcome", ...})``.
    """
    return save_own(session, library, workspace_id, editor, now, "stage", stage)


def current_stage(
    *, session: Session, library: ContentLibrary, workspace_id: int, stage_id: str
) -> Stage:
    """The stage as the workspace sees it now (retired ones too)."""
    content = library.for_workspace(session=session, workspace_id=workspace_id)
    stage = content.stage(stage_id)
    if stage is None:
        raise BlueprintError([("id", f"no stage has the id '{stage_id}'")])
    return stage


def update_stage(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    stage_id: str,
    **changes,
) -> Stage:
    """Change some of a stage: ``name``, ``aliases``, ``retired`` or any of ``LISTS``.

    Example: rename and retire in one go: ``update_stage(..., stage_id="booking",
    name="Bookings", retired=True)``.
    """
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    stage = current_stage(
        session=session, library=library, workspace_id=workspace_id, stage_id=stage_id
    )
    body = stage.model_dump(mode="json")
    unknown = set(changes) - {"name", "aliases", "retired", *LISTS}
    if unknown:
        raise BlueprintError([(name, "not a field of a stage") for name in sorted(unknown)])
    for key, value in changes.items():
        if key in LISTS:
            body["blueprint"][key] = value
        else:
            body[key] = value
    return save_stage(
        session=session,
        library=library,
        workspace_id=workspace_id,
        editor=editor,
        now=now,
        stage=body,
    )


def _items(session: Session, library, workspace_id: int, stage_id: str, list_name: str):
    """One of the stage's lists as the practice has it now; a list that isn't one is refused."""
    if list_name not in LISTS:
        raise BlueprintError([("list", f"no list is called '{list_name}'")])
    stage = current_stage(
        session=session, library=library, workspace_id=workspace_id, stage_id=stage_id
    )
    return getattr(stage.blueprint, list_name)


def add_item(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    stage_id: str,
    list_name: str,
    text: str,
) -> Stage:
    """Add ``text`` at the end of one of a stage's lists (``offer_the_offer``: replace it)."""
    items = _items(session, library, workspace_id, stage_id, list_name)
    value = text if list_name == SINGLE else [*items, text]
    return update_stage(
        session=session,
        library=library,
        workspace_id=workspace_id,
        editor=editor,
        now=now,
        stage_id=stage_id,
        **{list_name: value},
    )


def remove_item(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    stage_id: str,
    list_name: str,
    index: int,
) -> Stage:
    """Take the item at ``index`` (from 0) out of one of a stage's lists."""
    items = _items(session, library, workspace_id, stage_id, list_name)
    if list_name == SINGLE:
        value = None
    elif 0 <= index < len(items):
        value = [item for i, item in enumerate(items) if i != index]
    else:
        raise BlueprintError([(f"blueprint.{list_name}", f"there is no item {index + 1}")])
    return update_stage(
        session=session,
        library=library,
        workspace_id=workspace_id,
        editor=editor,
        now=now,
        stage_id=stage_id,
        **{list_name: value},
    )


def set_stage_order(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    order: Iterable[str],
) -> Content:
    """Put the stages in this order (stages it leaves out follow, as in ``stages.yaml``)."""
    return set_lists(session, library, workspace_id, editor, now, stage_order=tuple(order))
