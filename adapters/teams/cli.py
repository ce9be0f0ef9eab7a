"""``huddle teams package``: the Teams app package to sideload or upload to the Teams admin center."""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

from pydantic import ValidationError

from adapters.teams.settings import TeamsSettings
from bot.config import Settings

MANIFEST_DIR = Path(__file__).parent / "manifest"
PLACEHOLDER = "${MICROSOFT_APP_ID}"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class PackageError(Exception):
    """Why the package cannot be built, for people."""


def manifest_for(app_id: str) -> dict:
    """manifest.json with the bot's app id filled in."""
    if not _GUID.match(app_id):
        raise PackageError(
            f"MICROSOFT_APP_ID={app_id!r} is not an app id: it looks like "
            "00000000-0000-0000-0000-000000000000 (the Azure Bot's Microsoft App ID)."
        )
    text = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    return json.loads(text.replace(PLACEHOLDER, app_id))


def build_package(app_id: str, out: Path) -> Path:
    """Zip manifest.json and the two icons, flat, as Teams expects."""
    manifest = manifest_for(app_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in (manifest["icons"]["color"], manifest["icons"]["outline"]):
            package.write(MANIFEST_DIR / icon, arcname=icon)
    return out


def run_package(settings: Settings, args: argparse.Namespace) -> int:
    try:
        app_id = TeamsSettings().app_id
    except ValidationError as error:
        print(f"huddle: Teams configuration problem: {error}", file=sys.stderr)
        return 2
    if not app_id:
        print(
            "huddle: set MICROSOFT_APP_ID (the Azure Bot's Microsoft App ID) to build the "
            "Teams app package.",
            file=sys.stderr,
        )
        return 2
    try:
        out = build_package(app_id, Path(args.out))
    except PackageError as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {out}. Upload it in Teams: Apps > Manage your apps > Upload an app.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle teams package`` (entry point ``huddle.commands: teams``)."""
    parser = commands.add_parser("teams", help="Microsoft Teams: the app package")
    teams_commands = parser.add_subparsers(dest="teams_command", required=True)
    package = teams_commands.add_parser("package", help="zip the Teams app package")
    package.add_argument(
        "--out", default="huddle-teams.zip", help="where to write it (default huddle-teams.zip)"
    )
    package.set_defaults(run=run_package)
