"""``huddle dashboard link``: a one-time sign-in link for one person of one workspace."""

from __future__ import annotations

import argparse
import sys

from adapters.dashboard.settings import DashboardConfigError, load_dashboard_settings
from adapters.dashboard.signin_link import new_link
from bot.config import Settings
from bot.scheduling import utc_now
from bot.storage import admins, db, workspaces
from bot.storage.models import NAME_MAX


class LinkError(Exception):
    """A problem for the operator, said in words."""


def _workspace(value: str) -> tuple[str, str]:
    try:
        return workspaces.parse_workspace(value)
    except workspaces.WorkspaceSpecError as error:
        raise LinkError(str(error)) from None


def run_link(settings: Settings, args: argparse.Namespace) -> int:
    try:
        dashboard = load_dashboard_settings()
        if not dashboard.enabled:
            raise LinkError(
                "HUDDLE_DASHBOARD_URL is not set: set it to the dashboard's public address "
                "(for example http://localhost:3000/dashboard) so the link can point there."
            )
        platform, external_id = _workspace(args.workspace)
        user_id = args.user.strip()
        if not user_id:
            raise LinkError("--user: say whose link it is, by their user id (e.g. U0123).")
        engine = db.make_engine(settings.database_url)
        now = utc_now()
        with db.transaction(engine) as session:
            workspace = workspaces.get_workspace(
                session=session, platform=platform, external_id=external_id
            )
            if workspace is None:
                raise LinkError(
                    f"No workspace {args.workspace}: Huddle learns a workspace when it is "
                    "installed there (the console's, when the console first runs)."
                )
            assert workspace.id is not None
            admin = admins.get_admin(session=session, workspace_id=workspace.id, user_id=user_id)
            session.expunge(workspace)
        name = (args.name or (admin.name if admin else "") or user_id)[:NAME_MAX]
        token = new_link(
            engine,
            workspace=workspace,
            user_id=user_id,
            user_name=name,
            now=now,
            minutes=dashboard.link_minutes,
        )
    except (LinkError, DashboardConfigError) as error:
        print(f"huddle: {error}", file=sys.stderr)
        return 2
    print(f"{dashboard.public_url}/signin/link/{token}")
    print(
        f"It signs {name} in once, within {dashboard.link_minutes} minutes.",
        file=sys.stderr,
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle dashboard`` (entry point ``huddle.commands: dashboard``)."""
    parser = commands.add_parser("dashboard", help="the practice manager's web dashboard")
    sub = parser.add_subparsers(dest="dashboard_command", required=True)
    link = sub.add_parser("link", help="print a one-time sign-in link")
    link.add_argument("--workspace", required=True, help="console, or platform:id (slack:T0123)")
    link.add_argument("--user", required=True, help="the person's user id there")
    link.add_argument(
        "--name", default=None, help="the name to show (default: as Huddle knows them)"
    )
    link.set_defaults(run=run_link)
