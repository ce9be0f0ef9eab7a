"""The ``huddle`` command line: reads the settings once and runs one subcommand.

Each subcommand builds the core through the composition root (``bot.wiring``). Platform subcommands (``console``,
``serve``, ``teams package``) come from adapters registered as entry points in
the ``huddle.commands`` group, so the core never imports an adapter; only the one
named on the command line is loaded.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Collection, Sequence
from importlib.metadata import entry_points

from bot.blueprint_cli import register as register_blueprint
from bot.clock.cli import register as register_clock
from bot.config import Settings
from bot.crypto import EncryptionKeyError, generate_key
from bot.keys import check_keys, rotate_keys
from bot.logs import configure_logging
from bot.records_cli import register as register_records
from bot.storage import db
from bot.wiring import StartupError, server_vault

log = logging.getLogger("huddle")


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0


def _keys_generate(settings: Settings, args: argparse.Namespace) -> int:
    print(generate_key())
    return 0


def _keys_rotate(settings: Settings, args: argparse.Namespace) -> int:
    vault = server_vault(settings)
    engine = db.make_engine(settings.database_url)
    try:
        check_keys(engine=engine, vault=vault)
    except EncryptionKeyError as error:
        raise StartupError(str(error)) from None
    result = rotate_keys(engine=engine, vault=vault)
    print(result.summary(vault))
    return 0 if result.complete else 1


def plugin_commands(argv: Sequence[str], core: Collection[str]) -> list:
    """The ``huddle.commands`` entry points to load for ``argv``, by name.

    An entry point's name is the subcommand it adds (``serve``, ``console``, ``teams``),
    so ``huddle serve`` loads only the web process's module and a ``core`` command
    (``huddle clock``) none: neither pays for the console's or the others' imports.
    Help, no command or an unknown one load them all, so every subcommand is listed.
    """
    command = next((word for word in argv if not word.startswith("-")), None)
    if command in core:
        return []
    entries = sorted(entry_points(group="huddle.commands"), key=lambda e: e.name)
    return [entry for entry in entries if entry.name == command] or entries


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``huddle`` parser, with the platform subcommands ``argv`` needs (default: all)."""
    parser = argparse.ArgumentParser(
        prog="huddle", description="Huddle: the weekly team huddle for dental practices."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    database = commands.add_parser("db", help="database schema")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)

    keys = commands.add_parser("keys", help="encryption keys for patient data")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser("generate", help="print a new key").set_defaults(run=_keys_generate)
    key_commands.add_parser(
        "rotate", help="re-encrypt patient data under the first key"
    ).set_defaults(run=_keys_rotate)

    register_clock(commands)  # core, not a platform: `huddle clock`, `huddle jobs`
    register_records(commands)  # `huddle export`, `huddle audit`
    register_blueprint(commands)  # `huddle blueprint export|import`

    for entry in plugin_commands(argv or [], core=set(commands.choices)):
        entry.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        settings = Settings()
    except ValueError as error:
        print(f"huddle: configuration problem: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return int(args.run(settings, args) or 0)
    except StartupError as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
