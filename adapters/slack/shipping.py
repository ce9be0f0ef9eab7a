"""The serving process's half of ``worker``: acknowledged requests waiting for a worker.

With the core in worker processes (``InWorkers``), a request's work after its ack is
shipped whole (``worker.Job``), so that this process, the one Slack waits on, does no
more per request than acknowledge it. Kept here: requests whose answer may need their
trigger id within 3 seconds (``Delivery.needs_its_trigger``: they run here at once, in
the first lane), and the listeners ``worker.SHIPPED`` leaves out.

A request waits for a worker in the ``Outbox`` as its job already pickled: bytes, which
the garbage collector never looks into, and nothing of bolt's context. When the workers
fall behind a burst, thousands of requests wait; held as tasks, each with its bolt
context and web client, they were 36 objects apiece for every collection to walk, and a
full collection over a backlog of 4,000 held the event loop for 165 to 218 ms while acks
waited (benchmarks/README.md). A few runners (as many as the core's shared
lane has slots) take the jobs in the order they came.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Callable
from typing import Protocol

from adapters.core_processes import CoreDoor, InWorkers, WorkerLost
from adapters.slack import convert, worker
from adapters.slack.convert import Origin
from adapters.slack.lanes import CoreLanes
from adapters.slack.listeners import Delivery, Listener
from adapters.slack.posting import Poster
from adapters.slack.settings import SlackSettings
from adapters.slack.webapi import with_token
from bot.door import INTERRUPTED, private

log = logging.getLogger("huddle.slack")


class Shipper(Protocol):
    """What shipping needs of ``SlackAdapter``."""

    door: CoreDoor
    lanes: CoreLanes
    poster: Poster

    def forget_authorizations(self, team_id: str | None, enterprise_id: str | None = None): ...


def outbox_for(
    adapter: Shipper, settings: SlackSettings, *, finished: Callable[[], None]
) -> Outbox | None:
    """An ``Outbox`` when the door is worker processes, else None (the work runs here)."""
    if not isinstance(adapter.door, InWorkers):
        return None
    return Outbox(adapter, settings, runners=settings.core_concurrency, finished=finished)


class Outbox:
    """Jobs for the workers, pickled as they are acknowledged, shipped ``runners`` at a time.

    ``finished`` is called once for every job put, when its work has ended however it
    ended (``SlackAdapter`` counts the work that is pending)."""

    def __init__(
        self,
        adapter: Shipper,
        settings: SlackSettings,
        *,
        runners: int,
        finished: Callable[[], None],
    ):
        assert isinstance(adapter.door, InWorkers)
        self.adapter = adapter
        self.door: InWorkers = adapter.door
        # Pickled once and compared as bytes in a worker, which builds its Slack side once.
        self.settings = pickle.dumps(settings)
        self.runners = runners
        self.finished = finished
        self._jobs: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._running: list[asyncio.Task] = []

    def waiting(self) -> int:
        """How many jobs wait for a runner (not counting those being shipped)."""
        return self._jobs.qsize()

    def takes(self, listener: Listener, delivery: Delivery) -> bool:
        return listener.__name__ in worker.SHIPPED and not delivery.needs_its_trigger

    def put(self, what: str, listener: Listener, delivery: Delivery) -> None:
        """Queue ``listener``'s work on ``delivery`` for a worker (called on the loop)."""
        context = delivery.context
        job = worker.Job(
            what=what,
            listener=listener.__name__,
            body=delivery.body,
            payload=delivery.payload,
            team_id=delivery.team_id or None,
            enterprise_id=context.enterprise_id,
            bot_token=context.bot_token,
        )
        self._jobs.put_nowait((what, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)))
        if not self._running:
            self._running = [asyncio.create_task(self._run()) for _ in range(self.runners)]

    async def close(self) -> None:
        """Stop the runners (once nothing is pending: ``SlackAdapter.drained``)."""
        running, self._running = self._running, []
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            what, job = await self._jobs.get()
            try:
                await self._ship(what, job)
            except Exception:
                # Never log the payload: it may hold patient data.
                log.exception("slack %s failed in shipping", what)
            finally:
                self.finished()

    async def _ship(self, what: str, packed: bytes) -> None:
        try:
            async with self.adapter.lanes.slot(first=False):
                done = await self.door.call(worker.run, self.settings, packed)
        except WorkerLost:
            job: worker.Job = pickle.loads(packed)
            log.error("slack %s: its worker process ended: workspace=%s", what, job.team_id)
            await _say_interrupted(self.adapter, job)
            return
        for team_id in done.gone:
            self.adapter.forget_authorizations(team_id)


async def _say_interrupted(adapter: Shipper, job: worker.Job) -> None:
    """The person whose command or click a dead worker held: told to check, privately."""
    origin = _origin(job.body)
    if origin is not None:
        client = with_token(adapter.poster.client, job.bot_token)
        await adapter.poster.say(origin, private(INTERRUPTED), client)


def _origin(body: dict) -> Origin | None:
    if body.get("command"):
        return convert.origin_from_command(body)
    if body.get("type") in ("block_actions", "view_submission"):
        return convert.origin_from_interaction(body)
    return None
