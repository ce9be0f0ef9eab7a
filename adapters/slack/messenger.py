"""The clock's way into Slack: ``SlackMessenger.send(ref, reply)`` -> chat.postMessage.

Entry point ``huddle.messengers: slack``. One AsyncWebClient and one aiohttp session
for every workspace; the token is chosen per call (single-workspace: SLACK_BOT_TOKEN;
multi-workspace: the installation store, by team id, kept for a few minutes in
``BotTokens``; before a fan-out the clock calls ``prepare`` with every post's reference,
and the tokens of all their workspaces are read in one query). 5xx answers are
retried here; a 429 goes straight back to the caller as ``DeliveryError(retry_after=...)``
so the clock paces its own fan-out. A post that may have reached Slack without its
answer coming back (a timeout, a dropped connection) is never retried blindly: it is
``Unconfirmed``, and the clock settles it later with ``find``, which looks in the
channel's history for the post's message metadata (``event_type: huddle_post`` and the
clock's claim).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler

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
from bot.ports import DeliveryError, Unconfirmed

log = logging.getLogger("huddle.slack.messenger")

# Slack's answers when the token itself is no good: revoked, uninstalled, or replaced by
# a reinstall. The store may hold a newer one, so it is read again (once) before giving up.
DEAD_TOKEN_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})
# How long a bot token read from the store is trusted without being read again. Short:
# a workspace that uninstalls or reinstalls is seen within minutes even without an error.
TOKEN_LIFETIME = 300.0

_FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError)
# What a post can raise after its request may have reached Slack: retrying could post twice.
_UNANSWERED = (TimeoutError, aiohttp.ClientConnectionError)
# The type of the metadata every clock post carries, to find it again (``find``).
POST_EVENT = "huddle_post"
# Looked for from this long before the claim: our clock and Slack's may disagree a little.
CLOCK_SKEW = 120.0
# Slack allows apps outside its Marketplace (since 2025) one conversations.history or
# .replies call a minute and 15 messages a page: few pages, from just before the claim.
HISTORY_PAGE = 15
HISTORY_PAGES = 10


class BotTokens:
    """Bot tokens by Slack team, read from the installation store and kept ``lifetime`` seconds.

    Concurrent posts to one workspace share one read. ``reread`` is for a token Slack
    refused: it reads the store again, unless another post already did.
    """

    def __init__(
        self,
        store: DatabaseInstallationStore,
        *,
        lifetime: float = TOKEN_LIFETIME,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.lifetime = lifetime
        self._monotonic = monotonic
        self._tokens: dict[str, tuple[str, float]] = {}  # team -> (token, read at)
        self._locks: dict[str, asyncio.Lock] = {}

    def _cached(self, team_id: str) -> str | None:
        entry = self._tokens.get(team_id)
        if entry is None:
            return None
        token, read_at = entry
        if self._monotonic() - read_at >= self.lifetime:
            del self._tokens[team_id]
            return None
        return token

    async def _read(self, team_id: str) -> str | None:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        token = bot.bot_token if bot is not None else None
        if token:
            self._tokens[team_id] = (token, self._monotonic())
        else:
            self._tokens.pop(team_id, None)
        return token or None

    async def preload(self, team_ids: set[str]) -> None:
        """Read the tokens of every team here not already kept, in one query (a fan-out's).

        A team the store has no token for is left to ``token``, which reads it alone (and
        finds nothing). A post already reading its team's token is not raced.
        """
        wanted = sorted(t for t in team_ids if self._cached(t) is None)
        if not wanted:
            return
        found = await self.store.async_find_bot_tokens(wanted)
        read_at = self._monotonic()
        for team_id, token in found.items():
            if team_id not in self._tokens:  # a read of its own may have finished meanwhile
                self._tokens[team_id] = (token, read_at)

    async def token(self, team_id: str) -> str | None:
        """The workspace's bot token, or None when Huddle is not installed there."""
        token = self._cached(team_id)
        if token is not None:
            return token
        async with self._locks.setdefault(team_id, asyncio.Lock()):
            return self._cached(team_id) or await self._read(team_id)

    async def reread(self, team_id: str, *, refused: str) -> str | None:
        """Slack refused ``refused``: forget it and read the store again (a reinstall?)."""
        async with self._locks.setdefault(team_id, asyncio.Lock()):
            token = self._cached(team_id)
            if token is not None and token != refused:
                return token  # another post has read the new one already
            fresh = await self._read(team_id)
            if fresh == refused:
                self._tokens.pop(team_id, None)  # still the dead one: read afresh next time
            return fresh


class SlackMessenger:
    platform = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        *,
        installation_store: DatabaseInstallationStore | None = None,
        token_lifetime: float = TOKEN_LIFETIME,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        guard_sdk_loggers()
        self.settings = settings
        self.installation_store = installation_store
        self.tokens = (
            None
            if installation_store is None
            else BotTokens(installation_store, lifetime=token_lifetime, monotonic=monotonic)
        )
        self.client = build_web_client(settings, rate_limit_retries=0)
        # A dropped connection or a timeout may come after Slack took the post: never
        # resent here (the clock settles it with ``find``); 5xx answers are still retried.
        self.client.retry_handlers = [
            h
            for h in self.client.retry_handlers
            if not isinstance(h, AsyncConnectionErrorRetryHandler)
        ]
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

    async def prepare(self, refs: Iterable[ConversationRef]) -> None:
        """Before a fan-out: the bot tokens of all its workspaces, in one store read.

        Multi-workspace mode only; a token Slack refuses is still evicted and read again
        on its own (``BotTokens.reread``).
        """
        if self.tokens is not None:
            await self.tokens.preload({ref.workspace_id for ref in refs})

    async def token_for(self, workspace_id: str) -> str:
        if self.settings.mode is SlackMode.SINGLE:
            assert self.settings.bot_token is not None
            return self.settings.bot_token.get_secret_value()
        assert self.tokens is not None
        token = await self.tokens.token(workspace_id)
        if token is None:
            raise DeliveryError(
                f"Huddle is not installed in Slack workspace {workspace_id}", permanent=True
            )
        return token

    async def send(
        self, ref: ConversationRef, reply: Reply, *, claim: str | None = None
    ) -> str | None:
        """Post ``reply`` in ``ref``'s channel (or thread); returns the message ts.

        ``claim``: the clock's tag for the post, kept as its message metadata.
        """
        if reply.sensitive and reply.to is None:  # privately to one person (a DM) is fine
            raise DeliveryError("refusing to post patient data in a channel", permanent=True)
        await self._ensure_session()
        token = await self.token_for(ref.workspace_id)
        metadata = None
        if claim:
            metadata = {"event_type": POST_EVENT, "event_payload": {"claim": claim}}
        try:
            return await self._post(ref, reply, token, metadata)
        except _FAILURES as error:
            if self.tokens is None or error_code(error) not in DEAD_TOKEN_ERRORS:
                raise _delivery_error(ref, error) from None
            refusal = error
        # The token is dead. A reinstall stores a new one: post again only if it changed.
        fresh = await self.tokens.reread(ref.workspace_id, refused=token)
        if fresh is None or fresh == token:
            raise _delivery_error(ref, refusal) from None
        try:
            return await self._post(ref, reply, fresh, metadata)
        except _FAILURES as error:
            raise _delivery_error(ref, error) from None

    async def find(self, ref: ConversationRef, claim: str, since: datetime) -> str | None:
        """The ts of the post tagged ``claim`` in ``ref``'s channel (or thread), or None.

        conversations.history (conversations.replies in a thread) from ``since``, with
        ``include_all_metadata``; at most ``HISTORY_PAGES`` pages.
        """
        await self._ensure_session()
        token = await self.token_for(ref.workspace_id)
        arguments = dict(
            channel=ref.channel_id,
            oldest=f"{since.timestamp() - CLOCK_SKEW:.6f}",
            include_all_metadata=True,
            limit=HISTORY_PAGE,
            token=token,
        )
        if ref.thread_id:
            arguments["ts"] = ref.thread_id
        read = (
            self.client.conversations_replies
            if ref.thread_id
            else self.client.conversations_history
        )
        cursor = None
        try:
            for _ in range(HISTORY_PAGES):
                try:
                    page = await read(**arguments, **({"cursor": cursor} if cursor else {}))
                except SlackApiError as error:
                    # A public channel the bot posts to (chat:write.public) without being in
                    # it: join it (channels:join) to read its history, once.
                    if error_code(error) != "not_in_channel" or cursor is not None:
                        raise
                    await self.client.conversations_join(channel=ref.channel_id, token=token)
                    page = await read(**arguments)
                for message in page.get("messages") or []:
                    metadata = message.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if metadata.get("event_type") == POST_EVENT and payload.get("claim") == claim:
                        return message.get("ts")
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None
        except _FAILURES as error:
            raise _delivery_error(ref, error, "conversations.history") from None
        raise DeliveryError(f"Slack channel {ref.channel_id}: too much history to look through")

    async def _post(
        self, ref: ConversationRef, reply: Reply, token: str, metadata: dict | None = None
    ) -> str | None:
        if reply.to is not None:  # privately: their direct messages with Huddle
            return await post_message(
                self.client, reply.to.user_id, reply, token=token, metadata=metadata, person=True
            )
        return await post_message(
            self.client,
            ref.channel_id,
            reply,
            token=token,
            thread=ref.thread_id,
            metadata=metadata,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _delivery_error(
    ref: ConversationRef, error: Exception, method: str = "chat.postMessage"
) -> DeliveryError:
    code = error_code(error)
    log.warning(
        "slack %s failed: workspace=%s channel=%s error=%s",
        method,
        ref.workspace_id,
        ref.channel_id,
        code,
    )
    text = f"Slack {method} failed in workspace {ref.workspace_id} channel {ref.channel_id}: {code}"
    if isinstance(error, _UNANSWERED) and method == "chat.postMessage":
        return Unconfirmed(f"{text} (Slack may have posted it)")
    return DeliveryError(text, retry_after=retry_after(error), permanent=is_permanent(error))


def build_messenger(settings: Settings, huddle: Huddle) -> SlackMessenger | None:
    """Entry point ``huddle.messengers: slack``: None when Slack isn't configured."""
    slack = SlackSettings()
    return messenger_for(slack, huddle)


def messenger_for(slack: SlackSettings, huddle: Huddle, **options) -> SlackMessenger | None:
    """The messenger for these settings; ``options`` go to ``SlackMessenger`` (token lifetime)."""
    if not slack.configured:
        return None
    slack.check()
    store = None
    if slack.mode is SlackMode.MULTI:
        assert slack.client_id is not None
        store = DatabaseInstallationStore(engine=huddle.engine, client_id=slack.client_id)
    return SlackMessenger(slack, installation_store=store, **options)
