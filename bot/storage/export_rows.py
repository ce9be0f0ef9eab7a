"""What an export reads: one workspace's defects (with their recovery actions) or its
stories (with their heroes) logged in a stretch of time, oldest first."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, select

from bot.storage.db import chunked
from bot.storage.defects import DefectView
from bot.storage.fail_to_attends import FTA_STAGE
from bot.storage.heroes import Hero, heroes_of
from bot.storage.models import Defect, RecoveryAction, Story

BATCH = 1000


def _between(column, since: datetime | None, until: datetime | None) -> list:
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def defects_for_export(
    *,
    session: Session,
    workspace_id: int,
    since: datetime | None,
    until: datetime | None,
    fail_to_attends_only: bool = False,
) -> list[DefectView]:
    """The defects logged in [since, until) (None: open-ended), each with its actions."""
    conditions = [Defect.workspace_id == workspace_id, *_between(Defect.created_at, since, until)]
    if fail_to_attends_only:
        conditions.append(Defect.stage == FTA_STAGE)
    found = list(
        session.exec(select(Defect).where(*conditions).order_by(Defect.created_at, Defect.id))
    )
    by_defect: dict[int, list[RecoveryAction]] = defaultdict(list)
    for ids in chunked([d.id for d in found], BATCH):
        actions = session.exec(
            select(RecoveryAction)
            .where(RecoveryAction.workspace_id == workspace_id, RecoveryAction.defect_id.in_(ids))
            .order_by(RecoveryAction.created_at, RecoveryAction.id)
        )
        for action in actions:
            by_defect[action.defect_id].append(action)
    return [DefectView(d, tuple(by_defect.get(d.id, ()))) for d in found]


def stories_for_export(
    *, session: Session, workspace_id: int, since: datetime | None, until: datetime | None
) -> list[tuple[Story, list[Hero]]]:
    """The stories shared in [since, until), each with its heroes in the order named."""
    conditions = [Story.workspace_id == workspace_id, *_between(Story.created_at, since, until)]
    found = list(
        session.exec(select(Story).where(*conditions).order_by(Story.created_at, Story.id))
    )
    heroes: dict[int, list[Hero]] = {}
    for ids in chunked([s.id for s in found], BATCH):
        heroes.update(heroes_of(session=session, workspace_id=workspace_id, story_ids=ids))
    return [(story, heroes.get(story.id, [])) for story in found]
