"""A practice's own service blueprint and rules: its layer over ``content/``, per workspace.

A stage or rule row holds the whole stage or rule as ``content/`` would (its JSON),
replacing the default with its id or adding a new one, exactly as a practice's
``HUDDLE_CONTENT_DIR`` does. ``blueprint_settings`` holds the orders, the skipped rules
and a revision counted up on every edit, so every process sees an edit at once.
Suggestions from chat wait here for an admin; their text passed the privacy check.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.models import ID_MAX, NAME_MAX, _ts

SLUG_MAX = 64
LIST_MAX = 32
SUGGESTION_MAX = 400
SUGGESTION_STATES = ("pending", "accepted", "declined")


class BlueprintSettings(SQLModel, table=True):
    """One per customised workspace: its orders, its skips and its edit revision."""

    __tablename__ = "blueprint_settings"

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    revision: int = 0
    stage_order_json: str | None = None  # a JSON list of stage ids, or none: the defaults'
    curriculum_json: str | None = None  # a JSON list of rule ids, or none: the defaults'
    skip_json: str | None = None  # a JSON list of rule ids, or none: the defaults'
    updated_by: str = Field(max_length=ID_MAX)
    updated_at: datetime = _ts()


class BlueprintStage(SQLModel, table=True):
    """A practice's own version of a stage (or a new stage), as ``stages.yaml`` holds one."""

    __tablename__ = "blueprint_stage"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "stage_id", name="uq_blueprint_stage"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    stage_id: str = Field(max_length=SLUG_MAX)
    body_json: str
    updated_by: str = Field(max_length=ID_MAX)
    updated_at: datetime = _ts()


class BlueprintRule(SQLModel, table=True):
    """A practice's own version of a rule (or a new rule), as ``rules/*.yaml`` holds one."""

    __tablename__ = "blueprint_rule"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "rule_id", name="uq_blueprint_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    rule_id: str = Field(max_length=SLUG_MAX)
    body_json: str
    updated_by: str = Field(max_length=ID_MAX)
    updated_at: datetime = _ts()


class BlueprintSuggestion(SQLModel, table=True):
    """An item someone suggested for a stage's list, waiting for an admin (or decided)."""

    __tablename__ = "blueprint_suggestion"
    __table_args__ = (sa.Index("ix_blueprint_suggestion_state", "workspace_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    stage_id: str = Field(max_length=SLUG_MAX)
    list_name: str = Field(max_length=LIST_MAX)  # a field of content's Blueprint
    text: str = Field(max_length=SUGGESTION_MAX)
    author_id: str = Field(max_length=ID_MAX)
    author_name: str = Field(max_length=NAME_MAX)
    created_at: datetime = _ts()
    state: str = Field(default="pending", max_length=16)  # one of SUGGESTION_STATES
    decided_by: str | None = Field(default=None, max_length=ID_MAX)
    decided_at: datetime | None = _ts(nullable=True)
