"""Timezones as people name them: `Sydney`, `New Zealand`, `AEST`, `Australia/Sydney`.

Everything resolves to an IANA zone, never a fixed offset, so a meeting at 8:00 stays
at 8:00 when the clocks change. zoneinfo's own names match case-insensitively, whole
or by their last part (`perth`, `new york`); a small table adds the places and
abbreviations zoneinfo does not name.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from bot.commands.context import UsageError
from bot.wording import zone_in_words

ZONE_EXAMPLES = (
    "a city like `Sydney`, `London` or `New York`, or an IANA name like `Australia/Sydney`"
)

# Places zoneinfo has no zone of their own name for.
_PLACES = {
    "new zealand": "Pacific/Auckland",
    "nz": "Pacific/Auckland",
    "aotearoa": "Pacific/Auckland",
    "wellington": "Pacific/Auckland",
    "christchurch": "Pacific/Auckland",
    "queenstown": "Pacific/Auckland",
    "dunedin": "Pacific/Auckland",
    "canberra": "Australia/Sydney",
    "act": "Australia/Sydney",
    "nsw": "Australia/Sydney",
    "new south wales": "Australia/Sydney",
    "newcastle": "Australia/Sydney",
    "wollongong": "Australia/Sydney",
    "victoria": "Australia/Melbourne",
    "geelong": "Australia/Melbourne",
    "queensland": "Australia/Brisbane",
    "qld": "Australia/Brisbane",
    "gold coast": "Australia/Brisbane",
    "sunshine coast": "Australia/Brisbane",
    "cairns": "Australia/Brisbane",
    "townsville": "Australia/Brisbane",
    "tasmania": "Australia/Hobart",
    "south australia": "Australia/Adelaide",
    "western australia": "Australia/Perth",
    "northern territory": "Australia/Darwin",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "england": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "northern ireland": "Europe/London",
    "manchester": "Europe/London",
    "birmingham": "Europe/London",
    "edinburgh": "Europe/London",
    "glasgow": "Europe/London",
    "cardiff": "Europe/London",
    "ireland": "Europe/Dublin",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "calgary": "America/Edmonton",
    "germany": "Europe/Berlin",
    "france": "Europe/Paris",
    "netherlands": "Europe/Amsterdam",
    "italy": "Europe/Rome",
    "japan": "Asia/Tokyo",
    "india": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "philippines": "Asia/Manila",
    "south africa": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "uae": "Asia/Dubai",
}

# Countries with more than one zone: the person picks a city.
_SEVERAL = {
    "australia": ("Sydney", "Melbourne", "Brisbane", "Adelaide", "Perth", "Darwin", "Hobart"),
    "usa": ("New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Honolulu"),
    "us": ("New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Honolulu"),
    "united states": ("New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Honolulu"),
    "america": ("New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Honolulu"),
    "canada": ("Toronto", "Vancouver", "Edmonton", "Winnipeg", "Halifax", "St Johns"),
}

# Abbreviations, read as the zone people most likely mean, with a hint for the rest.
_ABBREVIATIONS = {
    "AEST": ("Australia/Sydney", "Queensland has no daylight saving: there, type `Brisbane`."),
    "AEDT": ("Australia/Sydney", None),
    "ACST": ("Australia/Adelaide", "The Northern Territory has no daylight saving: type `Darwin`."),
    "ACDT": ("Australia/Adelaide", None),
    "AWST": ("Australia/Perth", None),
    "NZST": ("Pacific/Auckland", None),
    "NZDT": ("Pacific/Auckland", None),
    "GMT": ("Europe/London", "For UTC all year, with no summer time, type `UTC`."),
    "BST": ("Europe/London", None),
    "IST": ("Asia/Kolkata", "For Irish time type `Dublin`; for Israel type `Jerusalem`."),
    "CET": ("Europe/Paris", None),
    "CEST": ("Europe/Paris", None),
    "EST": ("America/New_York", None),
    "EDT": ("America/New_York", None),
    "ET": ("America/New_York", None),
    "CST": ("America/Chicago", "For China Standard Time type `Shanghai`."),
    "CDT": ("America/Chicago", None),
    "CT": ("America/Chicago", None),
    "MST": ("America/Denver", "Arizona has no daylight saving: there, type `Phoenix`."),
    "MDT": ("America/Denver", None),
    "MT": ("America/Denver", None),
    "PST": ("America/Los_Angeles", None),
    "PDT": ("America/Los_Angeles", None),
    "PT": ("America/Los_Angeles", None),
    "AKST": ("America/Anchorage", None),
    "HST": ("Pacific/Honolulu", None),
    "JST": ("Asia/Tokyo", None),
    "SGT": ("Asia/Singapore", None),
}

# The regions of zoneinfo's current names; other names (`US/Eastern`, `Etc/…`) are
# matched only whole.
_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe")
_REGIONS += ("Indian", "Pacific")
_ETC_GMT = re.compile(r"etc/gmt([+-])(\d{1,2})", re.IGNORECASE)
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)

# The US and its territories write month first; everywhere else here, day first.
_MONTH_FIRST_PREFIXES = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")
_MONTH_FIRST = frozenset(
    [
        "America/New_York",
        "America/Detroit",
        "America/Chicago",
        "America/Menominee",
        "America/Denver",
        "America/Boise",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Juneau",
        "America/Sitka",
        "America/Metlakatla",
        "America/Yakutat",
        "America/Nome",
        "America/Adak",
        "America/Indianapolis",
        "America/Louisville",
        "America/Fort_Wayne",
        "America/Knox_IN",
        "America/Atka",
        "America/Shiprock",
        "Navajo",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
        "America/St_Thomas",
        "Pacific/Guam",
        "Pacific/Saipan",
        "Pacific/Pago_Pago",
        "EST5EDT",
        "CST6CDT",
        "MST7MDT",
        "PST8PDT",
    ]
)


def month_first(zone: str) -> bool:
    """Whether a practice in ``zone`` writes dates month first (12/25): the US does."""
    return zone in _MONTH_FIRST or zone.startswith(_MONTH_FIRST_PREFIXES)


@dataclass(frozen=True)
class ZoneReading:
    """The IANA zone understood, and a note when it was read from an abbreviation."""

    zone: str
    note: str | None = None


@functools.cache
def _names() -> dict[str, str]:
    """Every zoneinfo name, and each current zone's last part, casefolded -> the zone."""
    names: dict[str, str] = {}
    for zone in sorted(available_timezones(), reverse=True):  # the first name wins a clash
        if zone.split("/", 1)[0] in _REGIONS:
            names[zone.rsplit("/", 1)[-1].replace("_", " ").casefold()] = zone
    names.update({zone.casefold(): zone for zone in available_timezones()})
    return names


def read_zone(text: str) -> ZoneReading:
    """The IANA zone ``text`` names. Raises UsageError saying what to type instead.

    >>> read_zone("Sydney").zone
    'Australia/Sydney'
    """
    name = " ".join(text.split()).strip(" .,")
    key = re.sub(r"\s+time$", "", name, flags=re.IGNORECASE).casefold()
    if key in ("utc", "etc/utc"):
        return ZoneReading("UTC")
    _refuse_fixed_offsets(name, key)
    if key.upper() in _ABBREVIATIONS:
        zone, hint = _ABBREVIATIONS[key.upper()]
        note = (
            f"I read {key.upper()} as {zone_in_words(zone)}. Huddle keeps the IANA zone, "
            "not a fixed offset, so daylight saving is kept right all year."
        )
        return ZoneReading(zone, f"{note} {hint}" if hint else note)
    if key in _SEVERAL:
        cities = ", ".join(f"`{city}`" for city in _SEVERAL[key])
        raise UsageError(
            f"{name[:1].upper()}{name[1:30]} has more than one timezone. Name the city instead: {cities}."
        )
    zone = _PLACES.get(key) or _names().get(key) or _names().get(key.replace(" ", "_"))
    if zone is not None:
        return ZoneReading(zone)
    near = difflib.get_close_matches(key, [*_PLACES, *_names()], n=1, cutoff=0.8)
    guess = ""
    if near:
        guess = f" Did you mean {zone_in_words(_PLACES.get(near[0]) or _names()[near[0]])}?"
    raise UsageError(f"“{name[:40]}” isn't a timezone I know.{guess} Use {ZONE_EXAMPLES}.")


def _refuse_fixed_offsets(name: str, key: str) -> None:
    """`Etc/GMT+10` (which means UTC−10) and `UTC+10` can't follow daylight saving."""
    inverted = _ETC_GMT.fullmatch(key)
    if inverted and int(inverted.group(2)):
        sign, hours = inverted.groups()
        meant = int(hours) if sign == "-" else -int(hours)
        raise UsageError(
            f"`{name}` means UTC{_signed(meant)}, not UTC{_signed(-meant)}: the sign in "
            "`Etc/GMT` names is inverted, and every date would shift. Name a city instead: "
            f"for UTC{_signed(-meant)} {_cities_at(-meant)}, for UTC{_signed(meant)} "
            f"{_cities_at(meant)}."
        )
    offset = _OFFSET.fullmatch(key)
    if offset:
        sign, hours, minutes = offset.groups()
        total = (int(hours) * 60 + int(minutes or 0)) * (1 if sign == "+" else -1)
        raise UsageError(
            f"`{name}` is a fixed offset, which can't follow daylight saving. Name a city "
            f"instead, for UTC{_signed(total / 60)} "
            f"for example {_cities_at(total / 60)}."
        )


def _signed(hours: float) -> str:
    text = (
        f"{abs(hours):g}"
        if hours % 1 == 0
        else f"{int(abs(hours))}:{round(abs(hours) % 1 * 60):02d}"
    )
    return f"+{text}" if hours >= 0 else f"−{text}"


def _cities_at(hours: float) -> str:
    """Well-known places at UTC+``hours`` in January or July, e.g. '`Brisbane` or `Sydney`'."""
    zones = dict.fromkeys([*(zone for zone, _ in _ABBREVIATIONS.values()), *_PLACES.values()])
    found = [
        zone.rsplit("/", 1)[-1].replace("_", " ")
        for zone in zones
        if any(
            ZoneInfo(zone).utcoffset(datetime(2026, month, 15)).total_seconds() == hours * 3600
            for month in (1, 7)
        )
    ]
    return " or ".join(f"`{city}`" for city in found[:2]) or "your nearest city"
