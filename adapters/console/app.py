"""``huddle console``: a chat with Huddle in the terminal, on the embedded database.

Reads one message per line from standard input, so it works typed and piped:

    printf '/defect arrival: waited 25 minutes\\n/defect list\\n' | huddle console

The person who starts the console administers its practice (as a Slack workspace
admin would); ``/as <name>`` speaks as someone who does not, unless an admin adds
them with ``/huddle admin add @Name``.

Console-only helpers: ``/as <name>`` speaks as someone else, ``/react <story-id>``
nominates a story (its Nominate button), ``/monday`` posts this week's meeting
here, ``/reply <text>`` replies in that meeting's thread, ``/quit`` leaves.
Everything goes into the core through its one door (``Huddle.handle``).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import uuid
from typing import TextIO

from adapters.console.convert import render
from adapters.console.files import file_lines, write_files
from bot.commands import command_menu
from bot.config import Settings
from bot.crypto import EncryptionKeyError, console_vault
from bot.huddle import Huddle
from bot.model import (
    Event,
    Incoming,
    MeetingShown,
    Person,
    Reply,
    StoryPosted,
    ThreadReply,
    Visibility,
)
from bot.storage import db
from bot.wiring import build_huddle

PLATFORM = "console"
WORKSPACE = "local"
CHANNEL = "team"

TOUR = """\
Welcome to Huddle, the weekly team huddle for your practice. Try these, one per line:
  /defect arrival: waited 25 minutes with no word from us    log a service defect
  /defect list                                               see what's open
  /wow @Priya rang Mrs K back on her day off                 a WOW story about Priya
  /as Sam                                                    speak as Sam
  /react 1                                                   nominate story 1
  /huddle leaderboard                                        the WOW leaderboard
  /monday                                                    this week's Monday Morning Meeting
  /reply @Jo stayed late to fix Mrs K's denture              a story in the meeting's thread
  /tidbit JS-1042 daughter's wedding in June                 remember a personal detail
  /tidbit JS-1042                                            recall it before the visit
  /help                                                      everything else;  /quit to leave
"""

CONSOLE_HELPERS = (
    "Console helpers: /as <name> (speak as someone), /react <story-id> (nominate a story, "
    "like its Nominate button), /monday (post this week's meeting here), /reply <text> "
    "(reply in the meeting's thread), /quit (leave)."
)


def console_help() -> str:
    """The console's /help: its own helpers, then every command of the command table."""
    return (
        f"{CONSOLE_HELPERS}\nCommands (add `help` for more, like `/defect help`):\n{command_menu()}"
    )


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "someone"


def mentions(text: str) -> tuple[Person, ...]:
    """``@Sam`` in typed text: Sam, as ``/as Sam`` speaks (each person once)."""
    found = dict.fromkeys(re.findall(r"@(\w+)", text))
    return tuple(Person(slug(name), name) for name in found)


class ConsoleChat:
    """One person at a time typing into one channel."""

    def __init__(self, huddle: Huddle, out: TextIO, *, user_name: str = "Alex"):
        self.huddle = huddle
        self.out = out
        self.user_name = user_name
        self.owner = user_name  # the one at the keyboard: the practice's admin
        self._meeting_id: str | None = None

    def say(self, line: str) -> bool:
        """Handle one line. Returns False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            self._show_text(
                "Commands start with a slash, like `/defect list`. /help shows them all."
            )
            return True
        command, _, text = line[1:].partition(" ")
        command = command.casefold()
        if command in {"quit", "exit"}:
            return False
        if command == "help":
            self._show_text(console_help())
        elif command == "as":
            self._switch_user(text.strip())
        elif command == "react":
            self._show(self._incoming("wow", f"nominate {text.strip()}"))  # the Nominate button
        elif command == "monday":
            self._meeting_id = self._next_id()
            self._show(MeetingShown(PLATFORM, WORKSPACE, CHANNEL, message_id=self._meeting_id))
        elif command == "reply":
            self._reply(text)
        else:
            self._show(self._incoming(command, text))
        return True

    def _reply(self, text: str) -> None:
        if self._meeting_id is None:
            self._show_text("Show this week's meeting first with `/monday`, then reply under it.")
            return
        message_id = self._next_id()
        replies = self.huddle.handle(
            ThreadReply(
                platform=PLATFORM,
                workspace_id=WORKSPACE,
                channel_id=CHANNEL,
                thread_id=self._meeting_id,
                message_id=message_id,
                user_id=slug(self.user_name),
                user_name=self.user_name,
                text=text,
                mentions=mentions(text),
            )
        )
        if not replies:
            self._show_text(
                "(Your reply is in the thread. Share stories with `/wow @name <story>`.)"
            )
        self._say(replies)

    def _incoming(self, command: str, text: str) -> Incoming:
        return Incoming(
            platform=PLATFORM,
            workspace_id=WORKSPACE,
            channel_id=CHANNEL,
            user_id=slug(self.user_name),
            user_name=self.user_name,
            command=command,
            text=text,
            workspace_name="Console practice",
            mentions=mentions(text),
            # The console's owner is its platform admin; of anyone else it says nothing.
            platform_admin=True if self.user_name == self.owner else None,
        )

    def _switch_user(self, name: str) -> None:
        name = " ".join(name.split())[:60]
        if not name:
            self._show_text("Say who to speak as, like `/as Sam`.")
            return
        self.user_name = name
        self._show_text(f"You are now {name}.")

    def _show(self, event: Event) -> None:
        self._say(self.huddle.handle(event))

    def _say(self, replies: list[Reply]) -> None:
        for reply in replies:
            message_id = self._print(reply)
            if reply.story_id is not None and reply.visibility is Visibility.CHANNEL:
                self.huddle.handle(
                    StoryPosted(PLATFORM, WORKSPACE, CHANNEL, reply.story_id, message_id)
                )

    def _print(self, reply: Reply) -> str:
        print(render(reply, channel=CHANNEL), file=self.out, flush=True)
        if reply.files:
            paths = write_files(reply, self.huddle.settings.files_dir)
            print(file_lines(reply, paths), file=self.out, flush=True)
        return self._next_id()

    def _next_id(self) -> str:
        # Unique across sessions on the same database: stories and meetings find them by it.
        return f"console-{uuid.uuid4().hex[:16]}"

    def _show_text(self, text: str) -> None:
        self._print(Reply(text=text))


def run_console(settings: Settings, args: argparse.Namespace) -> int:
    secret = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    try:
        vault, notice = console_vault(secret, settings.key_file)
    except EncryptionKeyError as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2
    engine = db.make_engine(settings.database_url)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # keep the chat uncluttered
    db.upgrade(engine)
    huddle = build_huddle(settings, vault, engine)
    huddle.purge_expired()
    interactive = sys.stdin.isatty()
    if notice:
        print(notice)
    if args.tour:
        print(TOUR)
    chat = ConsoleChat(huddle, sys.stdout, user_name=args.name)
    while True:
        if interactive:
            try:
                line = input(f"{chat.user_name}> ")
            except EOFError:
                print()
                break
        else:
            line = sys.stdin.readline()
            if not line:
                break
            if line.strip():
                print(f"{chat.user_name}> {line.rstrip()}")
        if not chat.say(line):
            break
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle console`` (entry point ``huddle.commands: console``)."""
    parser = commands.add_parser("console", help="chat with Huddle in the terminal")
    parser.add_argument("--tour", action="store_true", help="print a short tour first")
    parser.add_argument("--name", default="Alex", help="who you are at the start (default Alex)")
    parser.set_defaults(run=run_console)
