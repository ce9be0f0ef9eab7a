"""The team's suggestions for a stage's lists, waiting for an admin to accept, edit or decline.

Anyone may suggest (its text has passed the privacy check in chat first); accepting
adds the item to the stage's list through the same checked edit an admin's form makes.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session

from bot.blueprint.checks import (
    LISTS,
    SINGLE,
    BlueprintError,
    Editor,
    audit_edit,
    problems_of,
    require_editor,
)
from bot.blueprint.library import ContentLibrary
from bot.blueprint.stages import add_item
from bot.content import Blueprint, Stage
from bot.model import Person
from bot.storage import blueprints
from bot.storage.blueprint_models import SUGGESTION_MAX, BlueprintSuggestion


def checked_item(list_name: str, text: str) -> str:
    """``text`` as an item of that list, checked as ``stages.yaml`` checks it."""
    if list_name not in LISTS:
        raise BlueprintError([("list", f"no list is called '{list_name}'")])
    text = " ".join(text.split())
    if len(text) > SUGGESTION_MAX:
        raise BlueprintError([("text", f"at most {SUGGESTION_MAX} characters")])
    try:
        Blueprint.model_validate({list_name: text if list_name == SINGLE else [text]})
    except ValidationError as error:
        raise BlueprintError(problems_of(error, prefix="blueprint")) from None
    return text


def suggest(
    *,
    session: Session,
    workspace_id: int,
    stage: Stage,
    list_name: str,
    text: str,
    author: Person,
    now: datetime,
) -> BlueprintSuggestion:
    """Keep a suggestion for ``stage``'s list, pending, for the admins."""
    return blueprints.add_suggestion(
        session=session,
        suggestion=BlueprintSuggestion(
            workspace_id=workspace_id,
            stage_id=stage.id,
            list_name=list_name,
            text=checked_item(list_name, text),
            author_id=author.user_id,
            author_name=author.name[:120],
            created_at=now,
        ),
    )


def pending(*, session: Session, workspace_id: int) -> list[BlueprintSuggestion]:
    """The workspace's suggestions waiting for an admin, oldest first."""
    return blueprints.pending_suggestions(session=session, workspace_id=workspace_id)


def _pending_one(session: Session, workspace_id: int, suggestion_id: int) -> BlueprintSuggestion:
    found = blueprints.get_suggestion(
        session=session, workspace_id=workspace_id, suggestion_id=suggestion_id
    )
    if found is None:
        raise BlueprintError([("suggestion", f"there is no suggestion #{suggestion_id}")])
    if found.state != "pending":
        raise BlueprintError(
            [("suggestion", f"suggestion #{suggestion_id} is already {found.state}")]
        )
    return found


def accept(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    suggestion_id: int,
    text: str | None = None,
) -> tuple[BlueprintSuggestion, Stage]:
    """Add the suggestion (or the admin's edit of it, ``text``) to its stage's list."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    found = _pending_one(session, workspace_id, suggestion_id)
    item = checked_item(found.list_name, text if text is not None else found.text)
    stage = add_item(
        session=session,
        library=library,
        workspace_id=workspace_id,
        editor=editor,
        now=now,
        stage_id=found.stage_id,
        list_name=found.list_name,
        text=item,
    )
    blueprints.decide_suggestion(
        session=session, suggestion=found, state="accepted", by=editor.user_id, now=now
    )
    audit_edit(session, workspace_id, editor, "blueprint.suggestion.accept", now)
    return found, stage


def decline(
    *, session: Session, workspace_id: int, editor: Editor, now: datetime, suggestion_id: int
) -> BlueprintSuggestion:
    """Decline a suggestion: it stays on record, decided, and changes nothing."""
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    found = _pending_one(session, workspace_id, suggestion_id)
    blueprints.decide_suggestion(
        session=session, suggestion=found, state="declined", by=editor.user_id, now=now
    )
    audit_edit(session, workspace_id, editor, "blueprint.suggestion.decline", now)
    return found
