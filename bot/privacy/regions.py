"""The practice's country, for reading phone numbers as people there write them."""

from __future__ import annotations

import zoneinfo
from functools import cache
from pathlib import Path

# Used when the system's tz database has no zone.tab; covers the zones practices are set to most.
_KNOWN = {
    "Australia": "AU",
    "Pacific/Auckland": "NZ",
    "Pacific/Chatham": "NZ",
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Phoenix": "US",
    "America/Los_Angeles": "US",
    "America/Anchorage": "US",
    "Pacific/Honolulu": "US",
    "America/Toronto": "CA",
    "America/Vancouver": "CA",
    "America/Edmonton": "CA",
    "America/Winnipeg": "CA",
    "America/Halifax": "CA",
    "Asia/Singapore": "SG",
}


@cache
def _zone_countries() -> dict[str, str]:
    zones: dict[str, str] = {}
    for folder in zoneinfo.TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            for line in table.read_text(encoding="utf-8").splitlines():
                fields = line.split("\t")
                if len(fields) >= 3 and not line.startswith("#"):
                    zones[fields[2]] = fields[0]
            break
    return zones


def region_for_timezone(tz: str) -> str | None:
    """The ISO country code for an IANA zone, or None for a zone of no one country.

    >>> region_for_timezone("Australia/Sydney"), region_for_timezone("Etc/UTC")
    ('AU', None)
    """
    found = _zone_countries().get(tz) or _KNOWN.get(tz)
    if found is None and tz.startswith("Australia/"):
        found = "AU"
    return found
