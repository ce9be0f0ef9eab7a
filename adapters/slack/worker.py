"""Slack's work after the ack, in a core worker process: the serving process only acks.

Under ``huddle serve`` with worker processes (``adapters.core_processes.InWorkers``), the
serving process checks, dispatches and acknowledges each request, as a bare bolt app
does, and ships the rest here as a ``Job``: the body bolt routed, the part of it the
listener takes, and what bolt's authorize found (the workspace and its bot token). The
worker runs the very same listener (``adapters.slack.listeners``) on an event loop of
its own, with a Web API client, an HTTP session and a names cache of its own, and the
core of this process (``worker_core``); the replies go to Slack from here.

A failure is logged here, as the serving process would log it (never the payload). A
token Slack says is dead is reported back in ``Done``, so the serving process evicts the
authorization it keeps for that workspace (``SlackAdapter.failure``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import pickle
import threading
from dataclasses import dataclass

import aiohttp
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.core_processes import worker_core
from adapters.slack import listeners
from adapters.slack.names import UserNames
from adapters.slack.posting import Poster
from adapters.slack.settings import SlackSettings
from adapters.slack.webapi import (
    TOKEN_GONE,
    build_web_client,
    error_code,
    guard_sdk_loggers,
    with_token,
)
from bot.model import Event, Reply

log = logging.getLogger("huddle.slack")

# The listeners a worker runs. Not: opening a prompt's modal (it needs the request's
# trigger id at once) and the uninstall (the installation store is the serving process's).
SHIPPED = frozenset(
    {"slash_command", "button", "prompt_answer", "form", "reaction", "message", "home_opened"}
)


@dataclass(frozen=True)
class Job:
    """One acknowledged request, for a worker to finish."""

    what: str  # the listener's name in log lines
    listener: str  # its function's name in ``listeners`` (one of ``SHIPPED``)
    body: dict
    payload: dict
    team_id: str | None
    enterprise_id: str | None
    bot_token: str | None


@dataclass(frozen=True)
class Done:
    failed: bool  # the listener raised (logged in the worker)
    gone: tuple[str | None, ...] = ()  # workspaces whose token Slack called dead


def run(settings: bytes, job: bytes) -> Done:
    """In a worker (``InWorkers.call``): finish ``job`` (a pickled ``Job``). ``settings``:
    the pickled ``SlackSettings``, compared as bytes so the worker's Slack side is built
    once."""
    worker = _workers.get(settings)
    if worker is None:
        worker = _workers[settings] = SlackWorker(pickle.loads(settings))
    return worker.run(pickle.loads(job))


_workers: dict[bytes, SlackWorker] = {}


class SlackWorker:
    """What a listener reaches through (``listeners.Adapter``), in a worker process."""

    def __init__(self, settings: SlackSettings):
        guard_sdk_loggers()
        self.settings = settings
        self.huddle = worker_core()
        self.names = UserNames()
        self._gone: list[str | None] = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True, name="huddle-slack").start()
        self.client = build_web_client(settings, rate_limit_retries=settings.max_retries)
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result()
        # The worker ends when the serving process shuts its pool: close the session then,
        # or asyncio reports it unclosed (in an error line) as the process exits.
        atexit.register(self._close)
        self.poster = Poster(
            client=self.client,
            http_timeout=settings.http_timeout,
            handle=self.handle,
            failure=self.failure,
        )

    async def _open(self) -> None:
        self.client.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout)
        )

    def _close(self) -> None:
        if self.client.session is not None and self.loop.is_running():
            closing = asyncio.run_coroutine_threadsafe(self.client.session.close(), self.loop)
            with contextlib.suppress(Exception):
                closing.result(timeout=5)
            self.loop.call_soon_threadsafe(self.loop.stop)

    def run(self, job: Job) -> Done:
        """One job at a time (the pool gives a worker one call at a time)."""
        return asyncio.run_coroutine_threadsafe(self._run(job), self.loop).result()

    async def _run(self, job: Job) -> Done:
        self._gone = []
        delivery = listeners.Delivery(job.body, job.payload, self._context(job), self)
        try:
            await getattr(listeners, job.listener)(delivery)
        except Exception:
            # Never log the payload: it may hold patient data.
            log.exception("slack %s failed: workspace=%s", job.what, job.team_id or "?")
            return Done(failed=True, gone=tuple(self._gone))
        return Done(failed=False, gone=tuple(self._gone))

    def _context(self, job: Job) -> AsyncBoltContext:
        """What the listener reads of bolt's context: the workspace and a client with its
        token, sharing this worker's session and retry handlers (as bolt's own does)."""
        return AsyncBoltContext(
            team_id=job.team_id,
            enterprise_id=job.enterprise_id,
            bot_token=job.bot_token,
            client=with_token(self.client, job.bot_token),
        )

    # -- listeners.Adapter --------------------------------------------------------------

    async def handle(self, event: Event, *, first: bool = False) -> list[Reply]:
        return await asyncio.to_thread(self.huddle.handle, event)

    async def forget_workspace(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._gone.append(team_id)  # the uninstall itself is never shipped (``SHIPPED``)

    def failure(self, team_id: str | None, error: Exception) -> str:
        code = error_code(error)
        if code in TOKEN_GONE:
            self._gone.append(team_id)
        return code
