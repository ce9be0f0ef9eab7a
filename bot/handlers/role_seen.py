"""The platform's word on a person's role, heard at a dashboard sign-in (``RoleSeen``).

The chat's rule (``bot.roles.note_platform_admin``): a platform admin is listed while
the platform says so and dropped when it stops; an admin added in chat stays one.
"""

from __future__ import annotations

from bot.door import Route, Turn
from bot.model import Reply, RoleSeen
from bot.roles import note_platform_admin


def handle(turn: Turn) -> list[Reply]:
    seen = turn.event
    assert isinstance(seen, RoleSeen)
    note_platform_admin(
        session=turn.session, workspace_id=turn.workspace_id, incoming=seen, now=turn.now
    )
    return []


ROUTE = Route(handle, "role seen", creates_workspace=False)
