"""The serving process's half of ``worker``: which acknowledged requests a worker finishes.

With the core in worker processes (``InWorkers``), a request's work after its ack is
shipped whole (``worker.Job``), so that this process, the one Slack waits on, does no
more per request than acknowledge it. Kept here: requests whose answer may need their
trigger id within 3 seconds (``Delivery.needs_its_trigger``: they run here at once, in
the first lane), and the listeners ``worker.SHIPPED`` leaves out.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Awaitable, Callable
from typing import Protocol

from adapters.core_processes import CoreDoor, InWorkers, WorkerLost
from adapters.slack import convert, worker
from adapters.slack.convert import Origin
from adapters.slack.lanes import CoreLanes
from adapters.slack.listeners import Delivery, Listener
from adapters.slack.posting import Poster
from adapters.slack.settings import SlackSettings
from bot.door import INTERRUPTED, private

log = logging.getLogger("huddle.slack")


class Shipper(Protocol):
    """What shipping needs of ``SlackAdapter``."""

    door: CoreDoor
    lanes: CoreLanes
    poster: Poster

    def forget_authorizations(self, team_id: str | None, enterprise_id: str | None = None): ...


def packed(settings: SlackSettings) -> bytes:
    """The settings as each job carries them: pickled once, compared as bytes in a worker."""
    return pickle.dumps(settings)


def shipped(
    adapter: Shipper, settings: bytes, what: str, listener: Listener, delivery: Delivery
) -> Callable[[Delivery], Awaitable[None]]:
    """``listener`` itself, or its shipping to a worker when the door is one."""
    if (
        not isinstance(adapter.door, InWorkers)
        or listener.__name__ not in worker.SHIPPED
        or delivery.needs_its_trigger
    ):
        return listener

    async def ship(delivery: Delivery) -> None:
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
        assert isinstance(adapter.door, InWorkers)
        try:
            async with adapter.lanes.slot(first=False):
                done = await adapter.door.call(worker.run, settings, job)
        except WorkerLost:
            log.error("slack %s: its worker process ended: workspace=%s", what, job.team_id)
            await _say_interrupted(adapter, delivery)
            return
        for team_id in done.gone:
            adapter.forget_authorizations(team_id)

    return ship


async def _say_interrupted(adapter: Shipper, delivery: Delivery) -> None:
    """The person whose command or click a dead worker held: told to check, privately."""
    origin = _origin(delivery.body)
    if origin is not None:
        await adapter.poster.say(origin, private(INTERRUPTED), delivery.client)


def _origin(body: dict) -> Origin | None:
    if body.get("command"):
        return convert.origin_from_command(body)
    if body.get("type") in ("block_actions", "view_submission"):
        return convert.origin_from_interaction(body)
    return None
