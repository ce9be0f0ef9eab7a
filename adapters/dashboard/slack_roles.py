"""At Sign in with Slack: is this person a workspace owner or admin? Slack's ``users.info``.

The workspace's bot token comes from the installation store the Slack adapter keeps
(slack-sdk's tables in Huddle's database, by ``SLACK_CLIENT_ID``); the call goes to
``SLACK_API_URL``. Slack's answer enters the core as a ``RoleSeen``, where the chat's
rule applies (``bot.roles.note_platform_admin``). A lookup that fails changes nothing:
the person keeps what Huddle knew, and signs in all the same.
"""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.dashboard.settings import DashboardSettings
from bot.huddle import Huddle
from bot.model import RoleSeen

log = logging.getLogger("huddle.dashboard")

ADMIN_FLAGS = ("is_owner", "is_admin", "is_primary_owner")
TIMEOUT_SECONDS = 10


def bot_token(huddle: Huddle, settings: DashboardSettings, team: str) -> str | None:
    """The workspace's latest bot token (a workspace-level install), or None."""
    store = SQLAlchemyInstallationStore(
        client_id=str(settings.slack_client_id), engine=huddle.engine, logger=log
    )
    bot = store.find_bot(enterprise_id=None, team_id=team)
    return bot.bot_token if bot is not None else None


async def platform_admin(
    huddle: Huddle, settings: DashboardSettings, *, team: str, user_id: str
) -> bool | None:
    """Slack's word on whether ``user_id`` owns or administers ``team``; None: no word."""
    try:
        token = await asyncio.to_thread(bot_token, huddle, settings, team)
        if not token:
            log.info("dashboard: no Slack bot token to look a person up: workspace=%s", team)
            return None
        client = AsyncWebClient(
            base_url=settings.slack_api_url, token=token, timeout=TIMEOUT_SECONDS
        )
        response = await client.users_info(user=user_id)
    except (SlackApiError, ClientError, OSError, TimeoutError, sa.exc.SQLAlchemyError) as error:
        log.info(
            "dashboard: Slack users.info failed: workspace=%s error=%s",
            team,
            type(error).__name__,
        )
        return None
    user = response.get("user") or {}
    if user.get("id") not in (None, user_id):
        return None  # an answer about someone else is no answer
    return any(bool(user.get(flag)) for flag in ADMIN_FLAGS)


async def note_slack_role(
    huddle: Huddle, settings: DashboardSettings, *, team: str, user_id: str, name: str
) -> None:
    """Tell the core what Slack says this person is, when Slack says."""
    admin = await platform_admin(huddle, settings, team=team, user_id=user_id)
    if admin is None:
        return
    await asyncio.to_thread(huddle.handle, RoleSeen("slack", team, user_id, name, admin))
