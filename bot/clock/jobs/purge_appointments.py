"""purge-appointments: hourly, delete appointments a few days after their day."""

from __future__ import annotations

from bot.clock.housekeeping import Housekeeping
from bot.storage.appointments import purge_past_appointments

PURGE_APPOINTMENTS = Housekeeping(
    name="purge-appointments",
    purge=purge_past_appointments,
    removes="past appointment(s)",
    doc="Delete synced appointments a few days after they happen.",
)
