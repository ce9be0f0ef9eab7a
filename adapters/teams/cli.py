"""``huddle teams package``: the Teams app package to sideload or upload to the Teams admin center."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from adapters.teams.settings import TeamsConfigurationError, load_teams_settings
from bot.commands import COMMANDS
from bot.config import Settings

MANIFEST_DIR = Path(__file__).parent / "manifest"
PLACEHOLDER = "${MICROSOFT_APP_ID}"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Teams' manifest schema: a command list holds at most 10 commands, each with a title of
# at most 32 characters and a description of at most 128; the developer's name is at most
# 32 characters; the app's version is #.#.# (Teams refuses 1.0, 1.0.0rc1 or 1.0.0.4).
MAX_COMMANDS, MAX_TITLE, MAX_DESCRIPTION = 10, 32, 128
MAX_DEVELOPER_NAME = 32
TEAMS_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)(?:\+[0-9A-Za-z.]+)?$")


class PackageError(Exception):
    """Why the package cannot be built, for people."""


def manifest_commands() -> list[dict[str, str]]:
    """The manifest's command menu: the core's command table, as Teams' schema allows it."""
    commands = [{"title": c.name, "description": c.summary} for c in COMMANDS.values()]
    if len(commands) > MAX_COMMANDS:
        raise PackageError(
            f"Huddle has {len(commands)} commands and a Teams command menu takes at most "
            f"{MAX_COMMANDS}."
        )
    for command in commands:
        title, description = command["title"], command["description"]
        if not title or len(title) > MAX_TITLE:
            raise PackageError(
                f"The command name {title!r} does not fit Teams' command menu "
                f"(1 to {MAX_TITLE} characters)."
            )
        if not description or len(description) > MAX_DESCRIPTION:
            raise PackageError(
                f"The summary of the command {title!r} does not fit Teams' command menu "
                f"(1 to {MAX_DESCRIPTION} characters; it has {len(description)})."
            )
    return commands


def teams_version(release: str) -> str:
    """Huddle's version as Teams' #.#.#: ``0.2`` becomes ``0.2.0``, ``1.4.0+g1a2b`` ``1.4.0``.

    A pre-release, dev or post release, or a fourth number is refused: made into #.#.# it
    would be the same version as a release, and Teams takes an update only when the
    version goes up.
    """
    found = _RELEASE.match(release.strip())
    parts = [str(int(n)) for n in found.group(1).split(".")] if found else []
    if not 1 <= len(parts) <= 3:
        raise PackageError(
            f"Huddle's version {release!r} cannot be a Teams app version, which is three "
            "numbers like 1.4.0: build the package from a release of Huddle."
        )
    return ".".join(parts + ["0"] * (3 - len(parts)))


def manifest_for(
    app_id: str, developer: dict[str, str] | None = None, *, mentions_only: bool = False
) -> dict:
    """manifest.json with the bot's app id, the command menu (from the command table) and
    any developer details filled in.

    ``mentions_only`` leaves out the ChannelMessage.Read.Group permission: Teams then
    sends Huddle only channel messages that @mention it, so replies under the weekly
    meeting become stories only when they @mention Huddle.
    """
    if not _GUID.match(app_id):
        raise PackageError(
            f"MICROSOFT_APP_ID={app_id!r} is not an app id: it looks like "
            "00000000-0000-0000-0000-000000000000 (the Azure Bot's Microsoft App ID)."
        )
    text = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text.replace(PLACEHOLDER, app_id))
    for key, value in (developer or {}).items():
        if key == "name" and not 1 <= len(value.strip()) <= MAX_DEVELOPER_NAME:
            raise PackageError(
                f"The developer name {value!r} has {len(value.strip())} characters and Teams "
                f"takes 1 to {MAX_DEVELOPER_NAME}: give a shorter --developer-name, "
                f"like {value.strip()[:MAX_DEVELOPER_NAME].rstrip()!r}."
            )
        if key.endswith("Url") and not value.startswith("https://"):
            raise PackageError(f"The developer {key} must be an https:// address, not {value!r}.")
        manifest["developer"][key] = value
    menu = manifest_commands()
    for bot in manifest["bots"]:
        for command_list in bot.get("commandLists", []):
            command_list["commands"] = menu
    if mentions_only:
        del manifest["webApplicationInfo"], manifest["authorization"]
    # Teams only takes an update when the version goes up: follow Huddle's own.
    with contextlib.suppress(PackageNotFoundError):
        manifest["version"] = version("huddle")
    manifest["version"] = teams_version(manifest["version"])
    return manifest


def build_package(
    app_id: str,
    out: Path,
    developer: dict[str, str] | None = None,
    *,
    mentions_only: bool = False,
) -> Path:
    """Zip manifest.json and the two icons, flat, as Teams expects."""
    manifest = manifest_for(app_id, developer, mentions_only=mentions_only)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in (manifest["icons"]["color"], manifest["icons"]["outline"]):
            package.write(MANIFEST_DIR / icon, arcname=icon)
    return out


def run_package(settings: Settings, args: argparse.Namespace) -> int:
    try:
        app_id = load_teams_settings().app_id
    except TeamsConfigurationError as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2
    if not app_id:
        print(
            "huddle: set MICROSOFT_APP_ID (the Azure Bot's Microsoft App ID) to build the "
            "Teams app package.",
            file=sys.stderr,
        )
        return 2
    try:
        developer = {
            key: value
            for key, value in (
                ("name", args.developer_name),
                ("websiteUrl", args.website_url),
                ("privacyUrl", args.privacy_url),
                ("termsOfUseUrl", args.terms_url),
            )
            if value
        }
        out = build_package(app_id, Path(args.out), developer, mentions_only=args.mentions_only)
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
    package.add_argument(
        "--developer-name",
        help=f"who publishes the app, at most {MAX_DEVELOPER_NAME} characters (default: Huddle)",
    )
    package.add_argument("--website-url", help="your website (https://)")
    package.add_argument("--privacy-url", help="your privacy statement (https://)")
    package.add_argument("--terms-url", help="your terms of use (https://)")
    package.add_argument(
        "--mentions-only",
        action="store_true",
        help="leave out the permission to read channel messages: replies under the weekly "
        "meeting then become stories only when they @mention Huddle",
    )
    package.set_defaults(run=run_package)
