"""purge-events: hourly, forget platform delivery ids older than any redelivery (7 days).

``processed_event`` remembers each delivery so a redelivered event counts once. Slack
retries an event at most 3 times within about 5 minutes (a replayed slash command is
only accepted within Slack's 5-minute signature window) and the Bot Connector
redelivers within minutes, so an id older than that can never come again. The window
is a week (``bot.storage.events.KEEP_EVENTS_FOR``): a wide margin for a clock that
was down, and the table stays a week deep instead of growing forever.
"""

from __future__ import annotations

from bot.clock.housekeeping import Housekeeping
from bot.storage.events import forget_old_events

PURGE_EVENTS = Housekeeping(
    name="purge-events",
    purge=forget_old_events,
    removes="processed event id(s)",
    doc="Forget delivery ids older than 7 days: no platform redelivers that late.",
)
