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
from datetime import datetime
from typing import NamedTuple

from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError, Messenger, Unconfirmed, can_find

log = logging.getLogger("huddle.clock")

Sleep = Callable[[float], Awaitable[None]]


class Delivery(NamedTuple):  # immutable; made per channel, faster than a frozen dataclass
    """One message to send: which row it settles, where, and what."""

    row_id: int
    ref: ConversationRef
    reply: Reply | None  # None: only settling (if the post is not there, nothing to say)
    attempts: int = 0  # earlier attempts of this row (for back-off)
    claim: str = ""  # the tag its post carries, to find it again ("monday-meeting/2026-W49/7")
    since: datetime | None = None  # set: an uncertain post, looked for from then first
    lease: datetime | None = None  # an uncertain post's hold (its row's ``next_attempt_at``)


@dataclass(frozen=True)
class Sent:
    """What the platform said about one delivery."""

    delivery: Delivery
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None
    rate_limited: int = 0  # 429s received for this delivery
    unconfirmed: bool = False  # sent, but no answer: it may have been posted
    found: bool = False  # an uncertain post that was there after all (``message_id``)
    not_mine: bool = False  # another clock took the row over first: not sent


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
    before_send: Callable[[Delivery], Awaitable[bool]] | None = None,
    monotonic: Callable[[], float] | None = None,
    sleep: Sleep | None = None,
) -> None:
    """Send every delivery through its platform's messenger; report each result to ``on_sent``.

    ``before_send`` is awaited just before each delivery's post (after that, it may have
    been posted even if no answer ever comes), again after a 429; False: don't send it.
    A delivery with ``since`` is first looked for (``messenger.find``) and sent only if
    it is not there. A timeout or an ``Unconfirmed`` error comes back ``unconfirmed``.

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
                    try:
                        if rate_limited == 0:
                            try:
                                found = await _settled(messenger, delivery, send_timeout)
                            except Exception as error:  # asked again on the next run
                                return Sent(delivery, error=_looked(ref, error), unconfirmed=True)
                            if found is not None or delivery.reply is None:
                                return Sent(delivery, message_id=found, found=found is not None)
                        # Again after a 429, so the row stays held through a long Retry-After.
                        if before_send is not None and not await before_send(delivery):
                            return Sent(delivery, not_mine=True, rate_limited=rate_limited)
                        message_id = await asyncio.wait_for(
                            _send(messenger, delivery), send_timeout
                        )
                        return Sent(delivery, message_id=message_id, rate_limited=rate_limited)
                    except Unconfirmed as error:
                        return Sent(delivery, error=str(error), unconfirmed=True)
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
                            unconfirmed=True,
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

    deliveries = list(deliveries)
    await _prepare(deliveries, messengers, send_timeout)
    async with asyncio.TaskGroup() as group:
        for delivery in deliveries:
            group.create_task(run(delivery))


async def _prepare(
    deliveries: list[Delivery], messengers: Mapping[str, Messenger], timeout: float
) -> None:
    """Tell each messenger that can ``prepare`` every reference it is about to post to.

    So it can read what it needs for all of them at once (Slack: every workspace's bot
    token in one query, where each workspace's first post would read its own). Only an
    optimisation: a messenger that fails here still sends each post on its own.
    """
    refs: dict[str, list[ConversationRef]] = defaultdict(list)
    for delivery in deliveries:
        refs[delivery.ref.platform].append(delivery.ref)
    for platform, platform_refs in refs.items():
        prepare = getattr(messengers.get(platform), "prepare", None)
        if prepare is None:
            continue
        try:
            await asyncio.wait_for(prepare(platform_refs), timeout)
        except Exception as error:
            log.warning(
                "messenger %r could not prepare the fan-out: %s", platform, type(error).__name__
            )


async def _settled(messenger: Messenger, delivery: Delivery, timeout: float) -> str | None:
    """An uncertain delivery's post, if the platform has it (``find``); else None."""
    if delivery.since is None:
        return None
    assert can_find(messenger)  # the engine gives up on uncertain posts it cannot find
    return await asyncio.wait_for(
        messenger.find(delivery.ref, delivery.claim, delivery.since),  # type: ignore[attr-defined]
        timeout,
    )


def _looked(ref: ConversationRef, error: Exception) -> str:
    return f"could not ask {ref.platform} whether the post exists: {type(error).__name__}"


async def _send(messenger: Messenger, delivery: Delivery) -> str | None:
    assert delivery.reply is not None
    if can_find(messenger):  # it tags the post, to find it again if no answer comes
        return await messenger.send(delivery.ref, delivery.reply, claim=delivery.claim)  # type: ignore[call-arg]
    return await messenger.send(delivery.ref, delivery.reply)
