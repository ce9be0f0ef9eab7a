"""Small parsers shared by the commands. Each raises UsageError with what to type instead."""

from __future__ import annotations

from bot.commands.context import UsageError
from bot.scheduling import WEEKDAYS

_WEEKDAY_ALIASES = {name[:3]: index for index, name in enumerate(WEEKDAYS)} | {
    name: index for index, name in enumerate(WEEKDAYS)
}
_WEEKDAY_ALIASES |= {"tues": 1, "thur": 3, "thurs": 3}


# The largest id any table can hold (PostgreSQL's integer); a bigger number names nothing.
LARGEST_ID = 2**31 - 1


def parse_id(text: str, *, what: str, example: str) -> int:
    """'12' or '#12' -> 12."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) > LARGEST_ID:
        raise UsageError(f"I need a {what} number there, for example `{example}`.")
    return int(cleaned)


def parse_weekday(text: str) -> int:
    index = _WEEKDAY_ALIASES.get(text.strip().casefold())
    if index is None:
        raise UsageError(
            f"“{text[:20]}” isn't a day of the week I know. Use a day name like `monday` or `mon`."
        )
    return index
