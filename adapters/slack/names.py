"""People's display names, from users.info, remembered for a while in this process.

Slack's message events carry a user id, not a name, and a story needs its teller's
name. Looking it up on every thread reply would spend users.info's rate limit on
the same few people, so each name is kept for ``ttl`` seconds (a renamed person is
seen by the next lookup after that), at most ``size`` of them, oldest out first.
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
NAMES_KEPT = 5000


class UserNames:
    """``await names.name(client, team_id, user_id)``: the person's display name."""

    def __init__(
        self,
        *,
        ttl: float = NAME_TTL_SECONDS,
        size: int = NAMES_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._names: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    async def name(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        """The name Slack shows for ``user_id``; the id itself when Slack can't say."""
        key = (team_id, user_id)
        kept = self._names.get(key)
        if kept is not None and kept[0] > self.clock():
            return kept[1]
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
            return user_id
        name = display_name(response.get("user") or {}) or user_id
        self._remember(key, name)
        return name

    def _remember(self, key: tuple[str, str], name: str) -> None:
        self._names[key] = (self.clock() + self.ttl, name)
        self._names.move_to_end(key)
        while len(self._names) > self.size:
            self._names.popitem(last=False)


def display_name(user: dict) -> str | None:
    """A users.info ``user`` object's name as Slack shows it."""
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
