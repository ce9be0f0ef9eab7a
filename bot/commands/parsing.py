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


def parse_ids(text: str, *, what: str, example: str) -> list[int]:
    """'8 9 10', '#8, #9' -> [8, 9, 10] (each once, in the order given)."""
    words = text.replace(",", " ").split()
    if not words:
        raise UsageError(f"Say which {what}, like `{example}`.")
    ids = [parse_id(word, what=what, example=example) for word in words]
    return list(dict.fromkeys(ids))


def looks_like_id(word: str) -> bool:
    """'12' or '#12': a word that names a record rather than starting a sentence."""
    cleaned = word.strip().lstrip("#").rstrip(",")
    return cleaned.isascii() and cleaned.isdigit()


def parse_weekday(text: str) -> int:
    index = _WEEKDAY_ALIASES.get(text.strip().casefold())
    if index is None:
        raise UsageError(
            f"“{text[:20]}” isn't a day of the week I know. Use a day name like `monday` or `mon`."
        )
    return index
