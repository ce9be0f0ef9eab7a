"""purge-tidbits: hourly, delete the patient tidbits that are past their retention date."""

from __future__ import annotations

from bot.clock.housekeeping import Housekeeping
from bot.storage.tidbits import purge_expired_tidbits

PURGE_TIDBITS = Housekeeping(
    name="purge-tidbits",
    purge=purge_expired_tidbits,
    removes="expired tidbit(s)",
    doc="Delete tidbits past their retention date.",
)
