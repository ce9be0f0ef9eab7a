"""purge-story-drafts: hourly, forget stories left a week without their hero.

A story that mentions nobody waits, seen only by its teller, until they say who it
was about. One they never finish is not posted and, after 7 days
(``bot.storage.heroes.KEEP_DRAFTS_FOR``), not kept either.
"""

from __future__ import annotations

from bot.clock.housekeeping import Housekeeping
from bot.storage.heroes import purge_drafts

PURGE_STORY_DRAFTS = Housekeeping(
    name="purge-story-drafts",
    purge=purge_drafts,
    removes="unfinished story draft(s)",
    doc="Forget stories left 7 days without saying who they were about.",
)
