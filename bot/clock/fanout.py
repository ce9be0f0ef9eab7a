"""Posting to many channels at once, politely.

At most ``concurrency`` posts are in flight overall and ``workspace_concurrency``
per workspace. When a workspace answers 429 (``DeliveryError.retry_after``) only
that workspace waits; its waiting posts hold no global slot, so a slow or failing
workspace never delays or stops the others. Time is injected (``monotonic``,
``sleep``) so tests never sleep.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError, Messenger

log = logging.getLogger("huddle.clock")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """One message to send: which row it settles, where, and what."""

    row_id: int
    ref: ConversationRef
    reply: Reply
    attempts: int = 0  # earlier attempts of this row (for back-off)


@dataclass(frozen=True)
class Sent:
    """What the platform said about one delivery."""

    delivery: Delivery
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None
    rate_limited: int = 0  # 429s received for this delivery


class WorkspacePacer:
    """Per-workspace slots and Retry-After pauses, keyed by (platform, workspace)."""

    def __init__(self, per_workspace: int, monotonic: Callable[[], float], sleep: Sleep):
        self._per_workspace = per_workspace
        self._monotonic = monotonic
        self._sleep = sleep
        self._slots: dict[tuple[str, str], asyncio.Semaphore] = {}
        self._blocked_until: dict[tuple[str, str], float] = defaultdict(float)

    @asynccontextmanager
    async def slot(self, key: tuple[str, str]):
        semaphore = self._slots.get(key)
        if semaphore is None:
            semaphore = self._slots[key] = asyncio.Semaphore(self._per_workspace)
        async with semaphore:
            yield

    def block(self, key: tuple[str, str], seconds: float) -> None:
        until = self._monotonic() + max(0.0, seconds)
        self._blocked_until[key] = max(self._blocked_until[key], until)

    async def wait(self, key: tuple[str, str]) -> None:
        while (delay := self._blocked_until[key] - self._monotonic()) > 0:
            await self._sleep(delay)


async def deliver_all(
    deliveries: Iterable[Delivery],
    messengers: Mapping[str, Messenger],
    *,
    concurrency: int,
    workspace_concurrency: int,
    send_timeout: float,
    rate_limit_retries: int,
    on_sent: Callable[[Sent], Awaitable[None]],
    on_start: Callable[[Delivery], None] | None = None,
    monotonic: Callable[[], float] | None = None,
    sleep: Sleep | None = None,
) -> None:
    """Send every delivery through its platform's messenger; report each result to ``on_sent``.

    ``on_start`` hears of each delivery just before its first platform call (after
    that, it may have been posted even if no answer ever comes).

    Never raises for a platform failure: each failure comes back as a ``Sent``
    with ``error`` set. Every delivery's platform must be in ``messengers``.
    """
    loop = asyncio.get_running_loop()
    pacer = WorkspacePacer(workspace_concurrency, monotonic or loop.time, sleep or asyncio.sleep)
    overall = asyncio.Semaphore(concurrency)

    async def send_one(delivery: Delivery) -> Sent:
        ref = delivery.ref
        messenger = messengers[ref.platform]
        key = (ref.platform, ref.workspace_id)
        rate_limited = 0
        async with pacer.slot(key):
            while True:
                await pacer.wait(key)
                async with overall:
                    if on_start is not None and rate_limited == 0:
                        on_start(delivery)
                    try:
                        message_id = await asyncio.wait_for(
                            messenger.send(ref, delivery.reply), send_timeout
                        )
                        return Sent(delivery, message_id=message_id, rate_limited=rate_limited)
                    except DeliveryError as error:
                        if error.retry_after is not None and not error.permanent:
                            rate_limited += 1
                            pacer.block(key, error.retry_after)
                            if rate_limited <= rate_limit_retries:
                                continue
                        return Sent(
                            delivery,
                            error=str(error) or type(error).__name__,
                            permanent=error.permanent,
                            retry_after=error.retry_after,
                            rate_limited=rate_limited,
                        )
                    except TimeoutError:
                        return Sent(
                            delivery,
                            error=f"no answer from {ref.platform} within {send_timeout:g}s",
                            rate_limited=rate_limited,
                        )
                    except Exception as error:
                        # A bug in a messenger must not stop the other channels.
                        log.exception(
                            "messenger raised: platform=%s workspace=%s channel=%s",
                            ref.platform,
                            ref.workspace_id,
                            ref.channel_id,
                        )
                        return Sent(
                            delivery,
                            error=f"{type(error).__name__}: {error}",
                            rate_limited=rate_limited,
                        )

    async def run(delivery: Delivery) -> None:
        await on_sent(await send_one(delivery))

    async with asyncio.TaskGroup() as group:
        for delivery in deliveries:
            group.create_task(run(delivery))
