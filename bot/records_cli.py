"""``huddle export`` and ``huddle audit``: the practice's records and its audit log, for operators.

Both go through the same core functions as ``/huddle export`` and ``/huddle audit``
(``bot.exports``, ``bot.audit_log``); the operator is the actor the audit log names
(``operator:<login>``). Patient references are shown or exported only with
``--with-refs``, and that is audited like everything else.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.audit_log import read_audit_log
from bot.config import Settings
from bot.exports import DEFAULT_PERIOD, FORMATS, KINDS, Actor, ExportRequest, build_export
from bot.huddle import Huddle
from bot.periods import PeriodError, read_period
from bot.storage import workspaces
from bot.storage.db import transaction
from bot.storage.models import Workspace
from bot.storage.workspaces import get_workspace
from bot.wiring import build_huddle, clock_vault


class RecordsError(Exception):
    """A problem for the operator, said in words."""


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export", help="export a practice's defects, stories or fail-to-attends to a spreadsheet"
    )
    export.add_argument("kind", choices=KINDS, help="what to export")
    export.add_argument("--workspace", required=True, help="console, or platform:id (slack:T0123)")
    export.add_argument(
        "--period",
        default=DEFAULT_PERIOD,
        help="week, month, quarter, year, all (default) or YYYY-MM, in the practice's timezone",
    )
    export.add_argument("--format", choices=FORMATS, default="csv", dest="file_format")
    export.add_argument(
        "--with-refs", action="store_true", help="include patient references (audited)"
    )
    export.add_argument("--out", type=Path, help="file to write (default: its name, here)")
    export.set_defaults(run=_export)

    audit = commands.add_parser("audit", help="read the audit log (never any content)")
    audit.add_argument("--workspace", help="console, or platform:id (default: every workspace)")
    audit.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, practice's timezone")
    audit.add_argument("--limit", type=int, default=100, help="entries per workspace (100)")
    audit.add_argument("--with-refs", action="store_true", help="show patient references (audited)")
    audit.set_defaults(run=_audit)


def parse_workspace(value: str) -> tuple[str, str]:
    try:
        return workspaces.parse_workspace(value)
    except workspaces.WorkspaceSpecError as error:
        raise RecordsError(str(error)) from None


def _operator() -> Actor:
    login = getpass.getuser()
    return Actor(f"operator:{login}"[:128], f"{login} (operator)")


def _run(job) -> int:
    try:
        return job()
    except RecordsError as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2


def _export(settings: Settings, args: argparse.Namespace) -> int:
    return _run(lambda: _write_export(build_huddle(settings, clock_vault(settings)), args))


def _write_export(huddle: Huddle, args: argparse.Namespace) -> int:
    now = huddle.clock()
    with transaction(huddle.engine) as session:
        workspace = _workspace(session, args.workspace)
        try:
            period = read_period(
                args.period, now=now, tz=workspace.timezone, default=DEFAULT_PERIOD
            )
        except PeriodError as error:
            raise RecordsError(f"--period: {error}".replace("`", "")) from None
        done = build_export(
            session=session,
            workspace=workspace,
            content=huddle.content,
            vault=huddle.vault,
            request=ExportRequest(args.kind, period, args.file_format, args.with_refs),
            actor=_operator(),
            now=now,
        )
    out = args.out or Path(done.file.name)
    # Only the operator reads it: it may hold patient references.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(done.file.data)
    refs = "with patient references" if done.with_refs else "no patient references"
    print(f"{args.workspace}: {done.rows} row(s) written to {out} ({refs}); audited.")
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    return _run(lambda: _print_audit(build_huddle(settings, clock_vault(settings)), args))


def _print_audit(huddle: Huddle, args: argparse.Namespace) -> int:
    now, actor = huddle.clock(), _operator()
    with transaction(huddle.engine) as session:
        if args.workspace:
            chosen = [_workspace(session, args.workspace)]
        else:
            chosen = list(session.exec(select(Workspace).order_by(Workspace.id)))
        for workspace in chosen:
            zone = ZoneInfo(workspace.timezone)
            since = datetime.combine(args.since, time(0), tzinfo=zone) if args.since else None
            page = read_audit_log(
                session=session,
                workspace_id=workspace.id,
                vault=huddle.vault,
                reader_id=actor.user_id,
                reader_name=actor.name,
                now=now,
                since=since,
                limit=max(1, args.limit),
                with_refs=args.with_refs,
            )
            print(f"{workspace.platform}:{workspace.external_id} ({workspace.name or 'unnamed'})")
            if not page.lines:
                print("  nothing logged")
            for line in page.lines:
                patient = f" ({line.patient})" if line.patient else ""
                print(
                    f"  {line.at.astimezone(zone):%Y-%m-%d %H:%M %Z}  {line.actor_name} "
                    f"[{line.actor_id}] {line.what}{patient}"
                )
            if page.more:
                print(f"  … older entries not shown (--limit {args.limit})")
    return 0


def _workspace(session, value: str) -> Workspace:
    platform, external_id = parse_workspace(value)
    found = get_workspace(session=session, platform=platform, external_id=external_id)
    if found is None:
        raise RecordsError(
            f"No workspace {value}: Huddle learns a workspace when it is installed there."
        )
    return found
