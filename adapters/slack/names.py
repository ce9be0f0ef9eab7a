"""People's display names and admin flags, from users.info, remembered for a while in this process.

Slack's message events carry a user id, not a name, and a story needs its teller's
name; a command needs to know whether its sender administers the workspace
(``is_owner``, ``is_admin``, ``is_primary_owner``). Looking it up on every thread
reply or command would spend users.info's rate limit on the same few people, so
each answer is kept: the name for ``ttl`` seconds (a renamed person is seen by the
next lookup after that), the admin flag for ``admin_ttl`` (a demoted admin stops
being one here within minutes), at most ``size`` people, oldest out first.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.webapi import SLACK_FAILURES, error_code

log = logging.getLogger("huddle.slack")

NAME_TTL_SECONDS = 3600.0
ADMIN_TTL_SECONDS = 300.0
NAMES_KEPT = 5000


class UserNames:
    """``await names.name(client, team_id, user_id)``: the person's display name."""

    def __init__(
        self,
        *,
        ttl: float = NAME_TTL_SECONDS,
        admin_ttl: float = ADMIN_TTL_SECONDS,
        size: int = NAMES_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.admin_ttl = admin_ttl
        self.size = size
        self.clock = clock
        # (team, user) -> (when looked up, name, is a workspace owner or admin)
        self._names: OrderedDict[tuple[str, str], tuple[float, str, bool]] = OrderedDict()

    async def name(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        """The name Slack shows for ``user_id``; the id itself when Slack can't say."""
        kept = self._names.get((team_id, user_id))
        if kept is not None and kept[0] + self.ttl > self.clock():
            return kept[1]
        found = await self._look_up(client, team_id, user_id)
        return found[1] if found is not None else user_id

    async def is_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool | None:
        """Whether ``user_id`` owns or administers the workspace; None when Slack can't say."""
        kept = self._names.get((team_id, user_id))
        if kept is not None and kept[0] + self.admin_ttl > self.clock():
            return kept[2]
        found = await self._look_up(client, team_id, user_id)
        return found[2] if found is not None else None

    async def _look_up(
        self, client: AsyncWebClient, team_id: str, user_id: str
    ) -> tuple[float, str, bool] | None:
        key = (team_id, user_id)
        try:
            response = await client.users_info(user=user_id)
        except SLACK_FAILURES as error:
            # Not remembered: the next reply asks again.
            log.info(
                "slack users.info failed: workspace=%s user=%s error=%s",
                team_id,
                user_id,
                error_code(error),
            )
            return None
        user = response.get("user") or {}
        admin = any(bool(user.get(flag)) for flag in ("is_owner", "is_admin", "is_primary_owner"))
        found = (self.clock(), display_name(user) or user_id, admin)
        self._names[key] = found
        self._names.move_to_end(key)
        while len(self._names) > self.size:
            self._names.popitem(last=False)
        return found


def display_name(user: dict) -> str | None:
    """A users.info ``user`` object's name as Slack shows it."""
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
