"""The command table: the only list of command names.

One file per command, one line per command here. A handler takes a ``Context`` and
returns the replies; its module docstring is its help text. Everything else that
names commands is derived from this table or checked against it by a test: Slack's
listener registrations and manifest, Teams' parser, help and manifest, the console's
help, the property tests and the README's command table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.commands import defect, fta, huddle, tidbit, wow
from bot.commands.context import Context
from bot.model import Reply


@dataclass(frozen=True)
class Command:
    """One command: its name (no slash), its handler and how menus describe it.

    ``summary`` is the one line a command menu shows (Slack's slash-command
    description, Teams' command list: at most 80 characters, as Teams' manifest
    allows 128 and Slack shows about that much); ``usage`` is the hint after the
    name (Slack's ``usage_hint``).
    """

    name: str
    handle: Callable[[Context], list[Reply]]
    summary: str
    usage: str


_TABLE = (
    Command(
        "defect",
        defect.handle,
        "Log a service defect and follow its recovery",
        "<stage>: <text> | <id> | list [closed|mine|<stage>|@owner|more] | recover <id> <text> | close <ids>",
    ),
    Command(
        "tidbit",
        tidbit.handle,
        "Remember a personal detail a patient shared (only you see it)",
        "<patient-ref> <note> | <patient-ref> [more] | forget <id>",
    ),
    Command(
        "fta",
        fta.handle,
        "Record a fail-to-attend with its root cause",
        "<patient-ref> [cause] [booked by @person]",
    ),
    Command(
        "wow",
        wow.handle,
        "Share a WOW story about a teammate",
        "@teammate <what they did> | nominate <ids>",
    ),
    Command(
        "huddle",
        huddle.handle,
        "Schedule and follow the weekly Monday Morning Meeting",
        "schedule monday 08:00 | status | leaderboard | help",
    ),
)

COMMANDS: dict[str, Command] = {command.name: command for command in _TABLE}


def command_help() -> str:
    """'Try `/defect help`, `/tidbit help`, …': the pointer shown after an unknown command."""
    return "Try " + ", ".join(f"`/{name} help`" for name in COMMANDS) + "."


def command_menu(prefix: str = "/") -> str:
    """Every command with its summary, one per line: what a help screen lists."""
    return "\n".join(f"- `{prefix}{c.name}`: {c.summary}" for c in COMMANDS.values())
