"""Workspaces (tenants): found or created on first contact."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.blueprint_models import BlueprintSettings
from bot.storage.models import Workspace

CONSOLE = ("console", "local")  # the console's own workspace (adapters/console)


class WorkspaceSpecError(ValueError):
    """A ``--workspace`` value that names no workspace's shape; the message says what to type."""


def parse_workspace(value: str) -> tuple[str, str]:
    """``console``, or ``platform:external_id`` (``slack:T0123``, ``teams:<tenant id>``)."""
    if value == "console":
        return CONSOLE
    platform, _, external_id = value.partition(":")
    if not platform or not external_id:
        raise WorkspaceSpecError(
            f"--workspace {value!r}: say console, or platform:id such as slack:T0123 or "
            "teams:<tenant id>."
        )
    return platform, external_id


def get_workspace(*, session: Session, platform: str, external_id: str) -> Workspace | None:
    statement = select(Workspace).where(
        Workspace.platform == platform, Workspace.external_id == external_id
    )
    return session.exec(statement).first()


def find_workspace(
    *, session: Session, platform: str, external_id: str
) -> tuple[Workspace, int] | None:
    """The workspace row and its blueprint revision (0: never customised) in one statement:
    what the door reads for every event."""
    params = {"platform": platform, "external_id": external_id}
    row = session.exec(_find_statement(), params=params).first()
    return None if row is None else (row[0], int(row[1]))


@lru_cache(maxsize=1)
def _find_statement():
    """Built once (the door runs it for every event; building it cost more than running it)."""
    return (
        select(Workspace, sa.func.coalesce(BlueprintSettings.revision, 0))
        .outerjoin(BlueprintSettings, BlueprintSettings.workspace_id == Workspace.id)
        .where(
            Workspace.platform == sa.bindparam("platform"),
            Workspace.external_id == sa.bindparam("external_id"),
        )
    )


def ensure_workspace(
    *,
    session: Session,
    platform: str,
    external_id: str,
    default_timezone: str,
    now: datetime,
    name: str | None = None,
    known: Workspace | None = None,
) -> Workspace:
    """The workspace row, created on first contact. Safe when two requests race.

    Runs in its own savepoint so a lost race does not spoil the caller's transaction.
    ``known``: the row, if the caller has just read it (it is not read again).
    """
    found = known or get_workspace(session=session, platform=platform, external_id=external_id)
    if found is not None:
        if name and found.name != name:
            found.name = name[:120]
            session.add(found)
        return found
    try:
        with session.begin_nested():
            workspace = Workspace(
                platform=platform,
                external_id=external_id,
                name=name[:120] if name else None,
                timezone=default_timezone,
                created_at=now,
            )
            session.add(workspace)
    except sa.exc.IntegrityError:
        workspace = get_workspace(session=session, platform=platform, external_id=external_id)
        assert workspace is not None
    return workspace


def update_workspace(
    *,
    session: Session,
    workspace: Workspace,
    timezone: str | None = None,
    nominate_emoji: str | None = None,
    tidbits: bool | None = None,
) -> Workspace:
    if timezone is not None:
        workspace.timezone = timezone
    if nominate_emoji is not None:
        workspace.nominate_emoji = nominate_emoji
    if tidbits is not None:
        workspace.tidbits = tidbits
    session.add(workspace)
    return workspace
