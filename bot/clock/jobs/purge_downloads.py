"""purge-downloads: hourly, delete the download links (and their files) never taken in time."""

from __future__ import annotations

from bot.clock.housekeeping import Housekeeping
from bot.storage.downloads import purge_downloads

PURGE_DOWNLOADS = Housekeeping(
    name="purge-downloads",
    purge=purge_downloads,
    removes="expired download(s)",
    doc="Delete download links past their 15 minutes, with their files.",
)
