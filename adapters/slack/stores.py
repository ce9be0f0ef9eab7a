"""OAuth installations and state in Huddle's own database, through slack-sdk's SQLAlchemy stores.

slack-sdk's stores are synchronous (they take the same ``sa.Engine`` as the core);
bolt's async app wants async stores, so these thin facades run each call off the
event loop. The tables are created by the Alembic migration ``0002_slack``, never here.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

log = logging.getLogger("huddle.slack.oauth")

STATE_EXPIRATION_SECONDS = 600


class DatabaseInstallationStore(AsyncInstallationStore):
    """slack-sdk's SQLAlchemyInstallationStore, awaited."""

    def __init__(self, *, engine: sa.Engine, client_id: str):
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation):
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot):
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.store.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None):
        await asyncio.to_thread(self.store.delete_all, enterprise_id=enterprise_id, team_id=team_id)


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
