"""``huddle blueprint export|import``: a practice's own blueprint as the folder
``HUDDLE_CONTENT_DIR`` reads, so nothing a practice builds is locked in the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session, select

from bot.blueprint import OPERATOR, ContentLibrary
from bot.blueprint.transfer import export_layer, import_folder, write_folder
from bot.config import Settings
from bot.content import ContentError, load_content
from bot.scheduling import utc_now
from bot.storage import db
from bot.storage.db import transaction
from bot.storage.models import Workspace
from bot.wiring import StartupError


def register(commands: argparse._SubParsersAction) -> None:
    blueprint = commands.add_parser(
        "blueprint", help="a practice's own service blueprint and rules, as YAML files"
    )
    sub = blueprint.add_subparsers(dest="blueprint_command", required=True)
    export = sub.add_parser("export", help="write a practice's own layer as a content folder")
    _workspace_arguments(export)
    export.add_argument("--out", type=Path, help="a new or empty folder (default: ./blueprint-W)")
    export.set_defaults(run=_export)
    load = sub.add_parser("import", help="replace a practice's own layer with a content folder")
    _workspace_arguments(load)
    load.add_argument("folder", type=Path, help="a folder laid out as HUDDLE_CONTENT_DIR is")
    load.set_defaults(run=_import)


def _workspace_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", required=True, help="the workspace's id on its platform (Slack: T…)"
    )
    parser.add_argument("--platform", help="slack, teams or console, when the id is on several")


def _library(settings: Settings) -> ContentLibrary:
    try:
        return ContentLibrary(load_content(settings.content_dir))
    except ContentError as error:
        raise StartupError(f"Content problem: {error}") from error


def _workspace_id(session: Session, args: argparse.Namespace) -> int:
    statement = select(Workspace).where(Workspace.external_id == args.workspace)
    if args.platform:
        statement = statement.where(Workspace.platform == args.platform)
    found = list(session.exec(statement))
    if not found:
        raise StartupError(f"No workspace has the id {args.workspace}.")
    if len(found) > 1:
        platforms = ", ".join(sorted(w.platform for w in found))
        raise StartupError(f"{args.workspace} is on {platforms}: say which with --platform.")
    return found[0].id


def _export(settings: Settings, args: argparse.Namespace) -> int:
    library = _library(settings)
    out: Path = args.out or Path(f"blueprint-{args.workspace}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StartupError(f"{out} is not an empty folder: choose a new one.")
    engine = db.make_engine(settings.database_url)
    with transaction(engine) as session:
        files = export_layer(
            session=session, library=library, workspace_id=_workspace_id(session, args)
        )
    out.mkdir(parents=True, exist_ok=True)
    written = write_folder(files, out)
    if not written:
        print(f"{args.workspace} has no blueprint of its own yet: {out} is empty.")
    for path in written:
        print(path)
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    library = _library(settings)
    engine = db.make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            done = import_folder(
                session=session,
                library=library,
                workspace_id=_workspace_id(session, args),
                editor=OPERATOR,
                now=utc_now(),
                folder=args.folder,
            )
    except ContentError as error:
        print(f"huddle: nothing was imported: {error}", file=sys.stderr)
        return 1
    print(done.summary())
    return 0
