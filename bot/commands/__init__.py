"""The command table: one file per command, one line per command here.

A handler takes a ``Context`` and returns the replies. Its module docstring is
its help text.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.commands import defect, huddle, tidbit, wow
from bot.commands.context import Context
from bot.model import Reply

COMMANDS: dict[str, Callable[[Context], list[Reply]]] = {
    "defect": defect.handle,
    "tidbit": tidbit.handle,
    "wow": wow.handle,
    "huddle": huddle.handle,
}


def command_help() -> str:
    return "Try " + ", ".join(f"`/{name} help`" for name in COMMANDS) + "."
