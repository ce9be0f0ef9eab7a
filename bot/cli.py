"""The ``huddle`` command line: reads the settings once and runs one subcommand.

Each subcommand builds the core through the composition root (``bot.wiring``). Platform subcommands (``console``,
``serve``, ``teams package``) come from adapters registered as entry points in
the ``huddle.commands`` group, so the core never imports an adapter.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from bot.clock.cli import register as register_clock
from bot.config import Settings
from bot.crypto import EncryptionKeyError, generate_key
from bot.keys import check_keys, rotate_keys
from bot.logs import configure_logging
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


def build_parser() -> argparse.ArgumentParser:
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

    for entry in sorted(entry_points(group="huddle.commands"), key=lambda e: e.name):
        entry.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
