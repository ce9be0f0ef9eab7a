"""OAuth installations and state in Huddle's own database, through slack-sdk's SQLAlchemy stores.

slack-sdk's stores are synchronous (they take the same ``sa.Engine`` as the core);
bolt's async app wants async stores, so these thin facades run each call off the
event loop. The tables are created by the Alembic migration ``0002_slack``, never here.

``WorkspaceAuthorize`` remembers bolt's answer per workspace, so an ack does not wait
on the installation store (and the threads the core's work runs on) for every request.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

log = logging.getLogger("huddle.slack.oauth")

STATE_EXPIRATION_SECONDS = 600
# How long a workspace's authorization is trusted without reading the store again. The
# hooks of this process (uninstall, revocation, a refused token, a reinstall) evict at
# once; this bounds how long another worker's uninstall can go unseen here.
AUTHORIZE_TTL_SECONDS = 60.0
# Team ids per SELECT when many workspaces' bot tokens are read at once (bound parameters
# stay far below SQLite's and PostgreSQL's limits).
TOKEN_BATCH = 1000

Changed = Callable[[str | None, str | None], None]  # (enterprise_id, team_id)


class DatabaseInstallationStore(AsyncInstallationStore):
    """slack-sdk's SQLAlchemyInstallationStore, awaited.

    Its calls run on threads of their own, so a workspace's first request (an authorize
    the cache can't answer) never queues behind the core's work on the default pool.
    """

    def __init__(self, *, engine: sa.Engine, client_id: str, threads: int = 2):
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
        self.changed: list[Changed] = []  # told of every save and delete, after it
        # Told of each installation saved (an OAuth install or reinstall), after it.
        self.installed: list[Callable[[Installation], Awaitable[None]]] = []
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="huddle-slack-store")

    def _off_loop(self, function, /, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._threads, functools.partial(function, *args, **kwargs))

    def close(self) -> None:
        """Let its threads go (the server is stopping)."""
        self._threads.shutdown(wait=False)

    @property
    def logger(self) -> logging.Logger:
        return log

    def _tell(self, enterprise_id: str | None, team_id: str | None) -> None:
        for listener in self.changed:
            listener(enterprise_id, team_id)

    async def async_save(self, installation: Installation):
        await self._off_loop(self.store.save, installation)
        self._tell(installation.enterprise_id, installation.team_id)
        for listener in self.installed:
            await listener(installation)

    async def async_save_bot(self, bot: Bot):
        await self._off_loop(self.store.save_bot, bot)
        self._tell(bot.enterprise_id, bot.team_id)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await self._off_loop(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_bot_tokens(self, team_ids: list[str]) -> dict[str, str]:
        """The latest bot token of each of these workspaces (no enterprise), by team id.

        One SELECT per ``TOKEN_BATCH`` teams on slack-sdk's own table, where ``find_bot``
        would make one per team: the clock's fan-out asks for every workspace it is about
        to post to. A team with no token is left out.
        """
        return await self._off_loop(self._bot_tokens, team_ids)

    def _bot_tokens(self, team_ids: list[str]) -> dict[str, str]:
        bots = self.store.bots.c
        tokens: dict[str, str] = {}
        with self.store.engine.connect() as connection:
            for start in range(0, len(team_ids), TOKEN_BATCH):
                rows = connection.execute(
                    sa.select(bots.team_id, bots.bot_token)
                    .where(
                        bots.client_id == self.store.client_id,
                        bots.enterprise_id.is_(None),
                        bots.team_id.in_(team_ids[start : start + TOKEN_BATCH]),
                        bots.bot_token.is_not(None),
                    )
                    .order_by(bots.team_id, bots.installed_at.desc())
                )
                for team_id, token in rows:
                    tokens.setdefault(team_id, token)  # the latest install comes first
        return tokens

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await self._off_loop(
            self.store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._off_loop(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)
        self._tell(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self._off_loop(
            self.store.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )
        self._tell(enterprise_id, team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None):
        await self._off_loop(self.store.delete_all, enterprise_id=enterprise_id, team_id=team_id)
        self._tell(enterprise_id, team_id)


Key = tuple[str | None, str | None, bool]  # (enterprise_id, team_id, is_enterprise_install)


class WorkspaceAuthorize(AsyncAuthorize):
    """bolt's ``AsyncInstallationStoreAuthorize``, its answer kept per workspace in the process.

    A hit costs no store read and no thread: the ack goes out without queueing behind
    the core's work. Concurrent first requests of one workspace share one read. A
    workspace is read afresh after ``ttl`` seconds or once ``forget`` is called (the
    adapter calls it on an uninstall, a revocation, a token Slack refuses, and on every
    save to the store, so a reinstall's new token is used at once). A read that an
    eviction overtook is not kept. Nothing is cached for a workspace with no token.
    """

    def __init__(
        self,
        inner: AsyncInstallationStoreAuthorize,
        *,
        ttl: float = AUTHORIZE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.inner = inner
        self.ttl = ttl
        self.clock = clock
        self._results: dict[Key, tuple[float, AuthorizeResult]] = {}
        self._reads: dict[Key, asyncio.Future] = {}
        self._evictions: dict[Key, int] = {}

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **actor,
    ) -> AuthorizeResult | None:
        key = (enterprise_id, team_id, bool(context.is_enterprise_install))
        kept = self._results.get(key)
        if kept is not None and self.clock() < kept[0]:
            return kept[1]
        reading = self._reads.get(key)
        if reading is None:
            call = self.inner(
                context=context,
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                **actor,
            )
            reading = asyncio.ensure_future(self._read(key, call))
            self._reads[key] = reading
        return await asyncio.shield(reading)

    async def _read(self, key: Key, call) -> AuthorizeResult | None:
        evictions = self._evictions.get(key, 0)
        try:
            result = await call
        finally:
            if self._reads.get(key) is asyncio.current_task():
                del self._reads[key]
        if result is not None and self._evictions.get(key, 0) == evictions:
            self._results[key] = (self.clock() + self.ttl, result)
        return result

    def forget(self, *, enterprise_id: str | None = None, team_id: str | None) -> None:
        """The workspace's next request reads the store (and checks its token) afresh."""
        if team_id is None and enterprise_id is None:
            return
        keys = {*self._results, *self._reads, *self._evictions}
        for key in keys:
            if (key[1] == team_id) if team_id is not None else (key[0] == enterprise_id):
                self._evictions[key] = self._evictions.get(key, 0) + 1
                self._results.pop(key, None)
                self._reads.pop(key, None)
        cache = self.inner.authorize_result_cache  # bolt's auth.test results, per token
        for token in [t for t, result in cache.items() if result.team_id == team_id]:
            del cache[token]

    def cached(self) -> int:
        """How many workspaces are answered without a store read (for tests and logs)."""
        now = self.clock()
        return sum(1 for expires, _ in self._results.values() if now < expires)


class DatabaseStateStore(AsyncOAuthStateStore):
    """slack-sdk's SQLAlchemyOAuthStateStore, awaited."""

    def __init__(self, *, engine: sa.Engine, expiration_seconds: int = STATE_EXPIRATION_SECONDS):
        self.store = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, logger=log
        )

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args, **kwargs) -> str:
        return await asyncio.to_thread(self._issue, *args, **kwargs)

    def _issue(self, *args, **kwargs) -> str:
        # Anyone can load the install page, and each load issues a state; the ones never
        # used expire. Dropping the expired ones here keeps the table at what the last
        # few minutes issued, whoever loads the page how often.
        self.purge_expired()
        return self.store.issue(*args, **kwargs)

    def purge_expired(self) -> int:
        """Delete every OAuth state past its expiry. Returns how many went."""
        table = self.store.oauth_states
        now = normalize_datetime_for_db(datetime.now(tz=UTC))
        with self.store.engine.begin() as connection:
            result = connection.execute(table.delete().where(table.c.expire_at <= now))
        return result.rowcount or 0

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)
