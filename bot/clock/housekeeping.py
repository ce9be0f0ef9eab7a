"""The clock's hourly clean-ups: each a purge in one transaction, returning a count."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from bot.clock.engine import HOURLY
from bot.huddle import Huddle
from bot.ports import Messenger
from bot.storage.db import transaction

log = logging.getLogger("huddle.clock")


@dataclass
class HousekeepingReport:
    job: str
    removed: int = 0
    what: str = "row(s)"
    problems: int = 0  # a purge that fails raises instead

    def summary(self) -> str:
        return f"{self.job}: {self.removed} {self.what} removed"


@dataclass(frozen=True)
class Housekeeping:
    """An hourly clean-up: ``purge(session=..., now=...)`` in one transaction, returning a count."""

    name: str
    purge: Callable[..., int]
    removes: str  # what it deletes, for logs: "expired tidbit(s)"
    doc: str = ""
    cadence: ClassVar[str] = HOURLY

    async def __call__(
        self, huddle: Huddle, messengers: Mapping[str, Messenger], now: datetime, **_: Any
    ) -> HousekeepingReport:
        def purge() -> int:
            with transaction(huddle.engine) as session:
                return self.purge(session=session, now=now)

        removed = await asyncio.to_thread(purge)
        if removed:
            log.info("%s: removed %d %s", self.name, removed, self.removes)
        return HousekeepingReport(self.name, removed, self.removes)
