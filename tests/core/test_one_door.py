"""One door, one list: every event kind has a route, every list of commands is the table's.

These are the change tests: a new command is a file plus a table line and every
platform's list follows; a new kind of event is a type plus a route; the console
(a whole platform) talks to the core through ``Huddle.handle`` alone.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from adapters.console.app import ConsoleChat, console_help
from bot import commands as command_table
from bot.commands import COMMANDS, Command
from bot.handlers import ROUTES
from bot.model import Event, Incoming, Person, Reaction, Reply, StoryPosted

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_of_event_has_exactly_one_route():
    assert set(ROUTES) == set(typing.get_args(Event))


def test_the_readme_command_table_lists_every_command_of_the_table_and_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `/([a-z]+)\b", section, flags=re.MULTILINE))
    assert listed == set(COMMANDS)


def test_the_console_help_lists_every_command_of_the_table():
    text = console_help()
    for name, command in COMMANDS.items():
        assert f"`/{name}`: {command.summary}" in text


def test_command_summaries_fit_every_platform_s_command_menu():
    for command in COMMANDS.values():
        assert re.fullmatch(r"[a-z]{1,32}", command.name)  # Slack's and Teams' command names
        assert 0 < len(command.summary) <= 80  # Teams allows 128, Slack shows about 80
        assert 0 < len(command.usage) <= 100
        assert command.handle.__module__ == f"bot.commands.{command.name}"  # one file each


def _bonus(ctx) -> list[Reply]:
    return [Reply(text=f"bonus for {ctx.incoming.user_name}: {ctx.incoming.text}")]


def test_a_new_command_is_one_table_line_and_every_list_follows(monkeypatch, chat, huddle, out):
    monkeypatch.setitem(
        command_table.COMMANDS, "bonus", Command("bonus", _bonus, "Say thanks", "<who>")
    )
    assert chat("/bonus Priya") == "bonus for Alex: Priya"
    assert "`/bonus`: Say thanks" in console_help()
    assert "`/bonus help`" in chat("/nonsense")
    ConsoleChat(huddle, out).say("/bonus Sam")
    assert "bonus for Alex: Sam" in out.getvalue()


def test_an_unknown_command_names_the_table_s_commands(chat):
    reply = chat("/defekt list")
    assert "I don't know the command “defekt”" in reply
    for name in COMMANDS:
        assert f"`/{name} help`" in reply


def test_a_reaction_that_cannot_be_stored_is_not_lost_without_a_word(chat, huddle, monkeypatch):
    [post] = chat.replies("/wow @Priya drove Mrs K home")
    huddle.handle(StoryPosted("slack", chat.workspace, chat.channel, post.story_id, "1.1"))

    def broken(*args, **kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr("bot.handlers.reaction.vote", broken)
    reaction = Reaction(
        "slack", chat.workspace, chat.channel, "1.1", "U-jo", "Jo", "star-struck", True
    )
    [reply] = huddle.handle(reaction)
    assert "couldn't record your nomination" in reply.text
    assert reply.visibility.value == "private"
    removed = Reaction(
        "slack", chat.workspace, chat.channel, "1.1", "U-jo", "Jo", "star-struck", False
    )
    assert huddle.handle(removed) == []


def test_a_redelivered_command_runs_once(chat, huddle, engine):
    from sqlmodel import Session, select

    from bot.storage.models import Story

    incoming = Incoming(
        "slack",
        chat.workspace,
        chat.channel,
        "U1",
        "Alex",
        "wow",
        "@Jo was kind",
        event_id="E1",
        mentions=(Person("U-jo", "Jo"),),
    )
    assert len(huddle.handle(incoming)) == 1
    assert huddle.handle(incoming) == []
    with Session(engine) as session:
        assert len(session.exec(select(Story)).all()) == 1


@pytest.fixture
def out():
    import io

    return io.StringIO()
