"""The clock's way into Slack: ``SlackMessenger.send(ref, reply)`` -> chat.postMessage.

Entry point ``huddle.messengers: slack``. One AsyncWebClient and one aiohttp session
for every workspace; the token is chosen per call (single-workspace: SLACK_BOT_TOKEN;
multi-workspace: the installation store, by team id). 5xx and dropped connections
are retried here; a 429 goes straight back to the caller as
``DeliveryError(retry_after=...)`` so the clock paces its own fan-out.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.slack.posting import post_message
from adapters.slack.settings import SlackMode, SlackSettings
from adapters.slack.stores import DatabaseInstallationStore
from adapters.slack.webapi import (
    build_web_client,
    error_code,
    guard_sdk_loggers,
    is_permanent,
    retry_after,
)
from bot.config import Settings
from bot.huddle import Huddle
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError

log = logging.getLogger("huddle.slack.messenger")


class SlackMessenger:
    platform = "slack"

    def __init__(self, settings: SlackSettings, *, installation_store=None):
        guard_sdk_loggers()
        self.settings = settings
        self.installation_store: DatabaseInstallationStore | None = installation_store
        self.client = build_web_client(settings, rate_limit_retries=0)
        self._session: aiohttp.ClientSession | None = None
        self._session_lock = asyncio.Lock()

    async def _ensure_session(self) -> None:
        # Made lazily, inside the running loop, and then shared by every send.
        if self._session is None or self._session.closed:
            async with self._session_lock:
                if self._session is None or self._session.closed:
                    self._session = aiohttp.ClientSession(
                        timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout)
                    )
                    self.client.session = self._session

    async def token_for(self, workspace_id: str) -> str:
        if self.settings.mode is SlackMode.SINGLE:
            assert self.settings.bot_token is not None
            return self.settings.bot_token.get_secret_value()
        assert self.installation_store is not None
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None or not bot.bot_token:
            raise DeliveryError(
                f"Huddle is not installed in Slack workspace {workspace_id}", permanent=True
            )
        return bot.bot_token

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None:
        """Post ``reply`` in ``ref``'s channel (or thread); returns the message ts."""
        if reply.sensitive:
            raise DeliveryError("refusing to post patient data in a channel", permanent=True)
        await self._ensure_session()
        token = await self.token_for(ref.workspace_id)
        try:
            return await post_message(
                self.client, ref.channel_id, reply, token=token, thread=ref.thread_id
            )
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            code = error_code(error)
            log.warning(
                "slack post failed: workspace=%s channel=%s error=%s",
                ref.workspace_id,
                ref.channel_id,
                code,
            )
            raise DeliveryError(
                f"Slack chat.postMessage failed in workspace {ref.workspace_id} "
                f"channel {ref.channel_id}: {code}",
                retry_after=retry_after(error),
                permanent=is_permanent(error),
            ) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def build_messenger(settings: Settings, huddle: Huddle) -> SlackMessenger | None:
    """Entry point ``huddle.messengers: slack``: None when Slack isn't configured."""
    slack = SlackSettings()
    return messenger_for(slack, huddle)


def messenger_for(slack: SlackSettings, huddle: Huddle) -> SlackMessenger | None:
    if not slack.configured:
        return None
    slack.check()
    store = None
    if slack.mode is SlackMode.MULTI:
        assert slack.client_id is not None
        store = DatabaseInstallationStore(engine=huddle.engine, client_id=slack.client_id)
    return SlackMessenger(slack, installation_store=store)
