"""Schedule sources for the clock, from the ``huddle.schedule_sources`` entry-point group.

The one entry point, ``open = "module:open_source"``, is the adapters' way to open a
practice's stored source: ``async with open_source(stored, vault) as source`` gives a
``bot.appointments.ScheduleSource``. The clock never imports an adapter itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from importlib.metadata import entry_points

from bot.appointments import ScheduleSource
from bot.crypto import Vault
from bot.storage.appointments import StoredSource

log = logging.getLogger("huddle.clock")

GROUP = "huddle.schedule_sources"

Opener = Callable[[StoredSource, Vault], AbstractAsyncContextManager[ScheduleSource]]


def load_source_opener(*, group: str = GROUP) -> Opener | None:
    """The installed opener, or None (no adapters installed: nothing is synced)."""
    for entry in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            return entry.load()
        except Exception:
            log.exception("schedule sources %r (%s) failed to load", entry.name, entry.value)
    return None
