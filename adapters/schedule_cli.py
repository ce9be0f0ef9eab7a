"""``huddle appointments``: an operator's way to set a practice's schedule source,
import a CSV day sheet and sync a day (entry point ``huddle.commands: appointments``).

Configuring a source is an admin's act; on the command line the operator is that
admin. Secrets are read from the terminal without echo (or from stdin when piped),
stored encrypted, and shown back only as "set".

    huddle appointments import content/examples/day_sheet.csv --workspace console
    huddle appointments source set --workspace slack:T0123 --kind opendental --confirmed 19,21
    huddle appointments sync --workspace slack:T0123
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from adapters.daysheet.source import ColumnMapping, days_in_sheet
from adapters.ical.source import FeedPractice
from adapters.opendental.source import OpenDentalPractice
from adapters.schedule_sources import sync_days
from bot.appointments import ScheduleSourceError, SourceWorkspace
from bot.config import Settings
from bot.crypto import EncryptionKeyError, Vault, console_vault
from bot.source_config import (
    feed_settings,
    opendental_settings,
    save_source,
    sheet_columns,
    source_status,
)
from bot.storage import appointments as stored_sources
from bot.storage import db, workspaces
from bot.storage.appointment_models import SOURCE_KINDS
from bot.storage.models import Workspace
from bot.wiring import StartupError, clock_vault


class CliError(Exception):
    """A problem for the operator, said in words."""


def parse_workspace(value: str) -> tuple[str, str]:
    try:
        return workspaces.parse_workspace(value)
    except workspaces.WorkspaceSpecError as error:
        raise CliError(str(error)) from None


def _vault(settings: Settings, platform: str) -> Vault:
    if platform == workspaces.CONSOLE[0]:
        secret = settings.encryption_key.get_secret_value() if settings.encryption_key else None
        vault, notice = console_vault(secret, settings.key_file)
        if notice:
            print(notice)
        return vault
    return clock_vault(settings)


def _workspace(engine: sa.Engine, settings: Settings, value: str, now: datetime) -> Workspace:
    platform, external_id = parse_workspace(value)
    with db.transaction(engine) as session:
        if (platform, external_id) == workspaces.CONSOLE:
            found = workspaces.ensure_workspace(
                session=session,
                platform=platform,
                external_id=external_id,
                default_timezone=settings.default_timezone,
                now=now,
                name="Console practice",
            )
        else:
            found = workspaces.get_workspace(
                session=session, platform=platform, external_id=external_id
            )
        if found is None:
            raise CliError(
                f"No workspace {value}: Huddle learns a workspace when it is installed there."
            )
        session.expunge(found)
        return found


def _columns(pairs: list[str]) -> dict[str, str]:
    columns = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise CliError(f"--column {pair!r}: write it as name=Header, e.g. reference='Chart #'.")
        columns[name.strip()] = header.strip()
    return columns


def _secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt).strip()
    return sys.stdin.readline().strip()


def _practice_settings(args: argparse.Namespace) -> tuple[dict, bool]:
    """The source's plain settings, checked as `/huddle source` checks them, and whether
    it takes a secret."""
    if args.kind == "opendental":
        if not (args.confirmed or "").strip():
            raise CliError(
                "Say which of the practice's Confirmed statuses count as confirmed: "
                "--confirmed 19,21 (their DefNums, in Setup > Definitions > Appt Confirmed)."
            )
        settings = opendental_settings(
            confirmed=args.confirmed or "",
            reference=args.reference,
            birthdays=not args.no_birthdays,
            base_url=args.base_url,
        )
        OpenDentalPractice.from_settings(settings)
        return settings, True
    if args.kind == "ical":
        settings = feed_settings(
            pattern=args.pattern, marker=args.marker, provider_from=args.provider_from
        )
        FeedPractice.from_settings(settings)
        return settings, True
    return ColumnMapping(sheet_columns(_columns(args.column or []))).as_settings(), False


def run_source_set(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    practice, takes_secret = _practice_settings(args)
    engine = db.make_engine(settings.database_url)
    workspace = _workspace(engine, settings, args.workspace, now)
    vault = _vault(settings, workspace.platform)
    secret = None
    if takes_secret:
        what = "customer key" if args.kind == "opendental" else "private feed address (https://)"
        secret = _secret(f"The practice's {what} (not shown): ")
    with db.transaction(engine) as session:
        save_source(
            session=session,
            vault=vault,
            workspace_id=workspace.id,
            kind=args.kind,
            settings=practice,
            secret=secret,
            updated_by="operator (huddle CLI)",
            now=now,
        )
    print(f"{args.workspace}: the schedule source is now {args.kind}.")
    return 0


def run_source_show(settings: Settings, args: argparse.Namespace) -> int:
    engine = db.make_engine(settings.database_url)
    workspace = _workspace(engine, settings, args.workspace, datetime.now(UTC))
    with db.transaction(engine) as session:
        found = source_status(session=session, workspace_id=workspace.id)
    if found is None:
        print(f"{args.workspace}: no schedule source set.")
        return 0
    secret = "set (never shown)" if found.has_secret else "none"
    print(f"{args.workspace}: {found.kind}; secret: {secret}")
    synced = (
        found.last_synced_at.isoformat(timespec="seconds") if found.last_synced_at else "not yet"
    )
    print(f"last good sync: {synced}; last problem: {found.last_problem or 'none'}")
    print(json.dumps(found.settings, indent=2, sort_keys=True))
    return 0


def _days(
    workspace: Workspace, when: str | None, now: datetime, sheet: list[date] | None
) -> list[date]:
    """--date, else the days a day sheet covers (today if it has no date column), else
    today and tomorrow."""
    if when:
        try:
            return [date.fromisoformat(when)]
        except ValueError as error:
            raise CliError(f"--date {when!r}: write it as YYYY-MM-DD.") from error
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    if sheet is not None:
        return sheet or [today]
    return [today, today + timedelta(days=1)]


async def _sync(settings, args, day_sheet: bytes | None) -> int:
    now = datetime.now(UTC)
    engine = db.make_engine(settings.database_url)
    workspace = _workspace(engine, settings, args.workspace, now)
    vault = _vault(settings, workspace.platform)
    with db.transaction(engine) as session:
        found = stored_sources.get_source(session=session, workspace_id=workspace.id)
    if day_sheet is not None:
        mapping = (
            ColumnMapping(_columns(args.column))
            if args.column
            else ColumnMapping.from_settings(found.settings)
            if found is not None and found.kind == "daysheet"
            else None
        )
        if mapping is None:
            raise CliError(
                "Map the day sheet's columns once: --column time=Time --column "
                "reference='Chart #' (and provider=, status=, new_patient=, date=)."
            )
        found = stored_sources.StoredSource("daysheet", mapping.as_settings(), None, now)
        sheet_days = days_in_sheet(day_sheet, mapping)
    else:
        sheet_days = None
    if found is None:
        raise CliError(
            f"{args.workspace}: no schedule source set (huddle appointments source set)."
        )
    target = SourceWorkspace(workspace.id, workspace.timezone, workspace.patient_salt)
    results = await sync_days(
        found,
        vault,
        engine=engine,
        workspace=target,
        days=_days(workspace, args.date, now, sheet_days),
        now=now,
        day_sheet=day_sheet,
    )
    for result in results:
        print(result.summary())
    failed = not all(result.ok for result in results)
    if day_sheet is not None and args.column and not failed:
        with db.transaction(engine) as session:  # the mapping is set once, then remembered
            stored_sources.set_source(
                session=session,
                workspace_id=workspace.id,
                kind="daysheet",
                settings=found.settings,
                secret_enc=None,
                updated_by="operator (huddle CLI)",
                now=now,
            )
    return 1 if failed else 0


def run_import(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file.")
    return asyncio.run(_sync(settings, args, path.read_bytes()))


def run_sync(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_sync(settings, args, None))


def _guarded(run):
    def guarded(settings: Settings, args: argparse.Namespace) -> int:
        logging.getLogger("alembic").setLevel(logging.WARNING)
        try:
            db.upgrade(db.make_engine(settings.database_url))
            return run(settings, args)
        except (CliError, ScheduleSourceError, EncryptionKeyError, StartupError) as error:
            print(f"huddle: {error}", file=sys.stderr)
            return 2

    return guarded


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle appointments`` (entry point ``huddle.commands: appointments``)."""
    parser = commands.add_parser("appointments", help="schedule sources: import, sync, set")
    sub = parser.add_subparsers(dest="appointments_command", required=True)

    imported = sub.add_parser("import", help="import a CSV day sheet")
    imported.add_argument("file", help="the CSV export (UTF-8 or cp1252; delimiter sniffed)")
    imported.add_argument("--date", help="the sheet's day, YYYY-MM-DD (default: today+tomorrow)")
    imported.set_defaults(run=_guarded(run_import))

    synced = sub.add_parser("sync", help="sync today and tomorrow from the practice's source")
    synced.add_argument("--date", help="only this day, YYYY-MM-DD")
    synced.set_defaults(run=_guarded(run_sync))

    source = sub.add_parser("source", help="the practice's schedule source")
    source_sub = source.add_subparsers(dest="source_command", required=True)
    shown = source_sub.add_parser("show", help="what is set (secrets never shown)")
    shown.set_defaults(run=_guarded(run_source_show))
    setting = source_sub.add_parser("set", help="set the source; secrets are asked for")
    setting.add_argument("--kind", required=True, choices=SOURCE_KINDS)
    setting.add_argument("--confirmed", help="opendental: DefNums that count as confirmed")
    setting.add_argument("--reference", choices=("PatNum", "ChartNumber"), help="opendental")
    setting.add_argument("--no-birthdays", action="store_true", help="opendental: no birthdays")
    setting.add_argument("--base-url", help="opendental: Local or API Service address")
    setting.add_argument("--pattern", help="ical: regex for the reference in SUMMARY")
    setting.add_argument("--marker", help="ical: new-patient marker in SUMMARY, e.g. (NP)")
    setting.add_argument("--provider-from", choices=("LOCATION", "CATEGORIES", ""), help="ical")
    setting.set_defaults(run=_guarded(run_source_set))

    for command in (imported, synced, setting, shown):
        command.add_argument(
            "--workspace", required=True, help="console, or platform:id (slack:T0123)"
        )
    for command in (imported, setting):
        command.add_argument(
            "--column", action="append", help="daysheet: name=Header, once per column"
        )
