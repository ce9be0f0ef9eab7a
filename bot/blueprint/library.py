"""Each workspace's content: the server's, with the practice's own layer merged over it.

``ContentLibrary.for_workspace`` is what a command or a clock job of one workspace
reads. The merge is cached per workspace under the workspace's blueprint revision,
which every edit counts up in the database, so an edit shows at once in every
process (the web process and the clock alike) and an unchanged workspace costs one
small query.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable

from pydantic import ValidationError
from sqlmodel import Session

from bot.content import Content, ContentError, Overlay, Rule, Stage, apply_overlay
from bot.storage import blueprints

log = logging.getLogger("huddle")

CACHE_SIZE = 1024


def stored_overlay(*, session: Session, workspace_id: int, base: Content) -> Overlay:
    """The workspace's own layer as stored. Order and skip ids no longer known are dropped,
    so a server update that retires a default rule never breaks a practice's meeting."""
    stages = tuple(
        Stage.model_validate(json.loads(row.body_json))
        for row in blueprints.stage_rows(session=session, workspace_id=workspace_id)
    )
    rules = tuple(
        Rule.model_validate(json.loads(row.body_json))
        for row in blueprints.rule_rows(session=session, workspace_id=workspace_id)
    )
    lists = blueprints.orders(session=session, workspace_id=workspace_id)
    stage_ids = {s.id for s in (*base.stages, *base.retired_stages, *stages)}
    rule_ids = set(base.rules) | {r.id for r in rules}
    skip = lists["skip"]
    return Overlay(
        stages=stages,
        stage_order=tuple(s for s in lists["stage_order"] or () if s in stage_ids),
        rules=rules,
        curriculum=tuple(r for r in lists["curriculum"] or () if r in rule_ids),
        skip=None if skip is None else tuple(r for r in skip if r in rule_ids),
    )


class ContentLibrary:
    """The server's content (``base``) and each workspace's merge over it, cached."""

    def __init__(self, base: Content, *, size: int = CACHE_SIZE):
        self.base = base
        self._size = size
        self._cache: dict[int, tuple[int, Content]] = {}
        self._lock = threading.Lock()

    def for_workspaces(
        self, *, session: Session, workspace_ids: Iterable[int]
    ) -> dict[int, Content]:
        """Many workspaces' content with one query for their revisions (the clock's batch)."""
        ids = set(workspace_ids)
        found = blueprints.revisions(session=session, workspace_ids=ids)
        return {wid: self._at(session, wid, found.get(wid, 0)) for wid in ids}

    def for_workspace(
        self, *, session: Session, workspace_id: int, revision: int | None = None
    ) -> Content:
        """The content this workspace's commands and jobs use now (``revision``: its
        blueprint revision, if the caller read it in this transaction)."""
        if revision is None:
            revision = blueprints.revision(session=session, workspace_id=workspace_id)
        return self._at(session, workspace_id, revision)

    def _at(self, session: Session, workspace_id: int, revision: int) -> Content:
        if revision == 0:
            return self.base
        hit = self._cache.get(workspace_id)
        if hit is not None and hit[0] == revision:
            return hit[1]
        content = self._merge(session, workspace_id)
        if blueprints.changed_here(session, workspace_id):
            return content  # not committed yet: it may still be rolled back
        with self._lock:
            if len(self._cache) >= self._size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[workspace_id] = (revision, content)
        return content

    def _merge(self, session: Session, workspace_id: int) -> Content:
        try:
            overlay = stored_overlay(session=session, workspace_id=workspace_id, base=self.base)
            return apply_overlay(self.base, overlay, where=f"workspace {workspace_id}")
        except (ContentError, ValidationError, ValueError):
            # Stored edits were checked when made; a server update can still clash with
            # them (a stage a rule names is gone). The practice gets the server's content.
            log.warning(
                "blueprint of workspace %s no longer merges; using the defaults", workspace_id
            )
            return self.base
