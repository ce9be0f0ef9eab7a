"""A command or a form submission (``Incoming``): run it through the command table."""

from __future__ import annotations

from bot.commands import COMMANDS, command_help
from bot.commands.context import Context
from bot.door import SORRY, Route, Turn, private
from bot.model import Incoming, Reply
from bot.roles import note_platform_admin

# Longest command text accepted at all; each command has tighter limits of its own.
MAX_INPUT = 4000


def handle(turn: Turn) -> list[Reply]:
    incoming = turn.event
    assert isinstance(incoming, Incoming)
    name = incoming.command.strip().lstrip("/").casefold()
    command = COMMANDS.get(name)
    if command is None:
        return [private(f"I don't know the command “{name[:30]}”. {command_help()}")]
    if len(incoming.text) > MAX_INPUT:
        return [
            private(
                f"That's {len(incoming.text)} characters, more than I can take in one go "
                f"({MAX_INPUT}). Please shorten it and send it again."
            )
        ]
    note_platform_admin(
        session=turn.session, workspace_id=turn.workspace_id, incoming=incoming, now=turn.now
    )
    context = Context(
        session=turn.session,
        workspace=turn.workspace,
        incoming=incoming,
        content=turn.content,
        vault=turn.vault,
        settings=turn.settings,
        now=turn.now,
        library=turn.library,
    )
    return command.handle(context)


ROUTE = Route(handle, "command", on_failure=lambda event: [private(SORRY)], answers_malformed=True)
