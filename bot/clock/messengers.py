"""Messengers by platform name, from the ``huddle.messengers`` entry-point group.

Each entry point is ``<platform> = "module:build_messenger"`` where
``build_messenger(settings, huddle) -> Messenger | None`` (None when that platform
is not configured). The clock never imports a platform SDK itself.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from importlib.metadata import entry_points

from bot.config import Settings
from bot.huddle import Huddle
from bot.ports import Messenger

log = logging.getLogger("huddle.clock")

GROUP = "huddle.messengers"


def load_messengers(
    settings: Settings, huddle: Huddle, *, group: str = GROUP
) -> dict[str, Messenger]:
    """Build every configured platform's messenger. A broken plugin is logged, not fatal."""
    messengers: dict[str, Messenger] = {}
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            messenger = entry.load()(settings, huddle)
        except Exception:
            log.exception(
                "messenger %r (%s) failed to start; its channels are skipped",
                entry.name,
                entry.value,
            )
            continue
        if messenger is None:
            log.info("messenger %r is not configured; its channels are skipped", entry.name)
            continue
        messengers[entry.name] = messenger
        log.info("posting to %r through %s", entry.name, type(messenger).__name__)
    return messengers


async def close_messengers(messengers: Mapping[str, Messenger]) -> None:
    """Let messengers that hold connections (an HTTP session) close them."""
    for name, messenger in messengers.items():
        close = getattr(messenger, "aclose", None) or getattr(messenger, "close", None)
        if close is None:
            continue
        try:
            result = close()
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("messenger %r failed to close", name)
