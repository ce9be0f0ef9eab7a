"""The dashboard served for real, with its sign-in stand-ins: for tests/dashboard and tests/browser.

Three practices on one server: Smile Dental (Slack T1) where Dana is an admin and Sam
is not, Other Practice (Slack T2) whose records nobody here may see, and Harbour Dental
(a Teams tenant) signing in with Microsoft.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from cryptography.fernet import Fernet

from adapters.dashboard.app import build_dashboard
from adapters.dashboard.settings import PREFIX, DashboardSettings
from adapters.slack.messenger import messenger_for
from adapters.slack.settings import SlackSettings
from adapters.web import build_web_app
from bot.huddle import Huddle
from bot.model import Incoming, Installed
from bot.storage import admins, blueprints, directory_ids
from bot.storage.db import transaction
from bot.storage.workspaces import get_workspace
from tests.conftest import Chat
from tests.standins.microsoft_login import MicrosoftLoginStandIn
from tests.standins.slack_api import SlackAPIStandIn

SLACK_CLIENT_ID = "111.222"
MICROSOFT_CLIENT_ID = "00000000-aaaa-bbbb-cccc-000000000001"
TENANT = "11111111-2222-3333-4444-555555555555"
BOT_TOKEN = "xoxb-smile"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class World:
    huddle: Huddle
    slack: SlackAPIStandIn
    microsoft: MicrosoftLoginStandIn
    settings: DashboardSettings
    app: web.Application
    runner: web.AppRunner
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def workspace_id(self, platform: str, team: str) -> int:
        with transaction(self.huddle.engine) as session:
            found = get_workspace(session=session, platform=platform, external_id=team)
            assert found is not None and found.id is not None
            return found.id

    async def close(self) -> None:
        await self.runner.cleanup()
        await self.slack.close()
        await self.microsoft.close()


OTHER_RULE = {
    "id": "valet-parking-promise",
    "theme": "Other Practice's own",
    "title": "The valet promise",
    "rule": "Meet every patient at the car park gate when it rains, with an umbrella.",
    "why": (
        "Rain makes a short walk from the car park feel long. Being met at the gate with an "
        "umbrella tells a patient we thought about them before they were even inside the door."
    ),
    "question": "Who is on umbrella duty when the next shower comes through?",
    "challenge": "Every time it rains this week, be at the gate before the patient is.",
    "story_prompt": "Share a time an umbrella at the gate made someone's day.",
}


def seed(huddle: Huddle, now: datetime) -> dict[str, int]:
    """The practices' records; returns the ids tests refer to."""
    smile = Chat(huddle, workspace="T1", channel="C1")
    huddle.handle(Installed("slack", "T1", None, workspace_name="Smile Dental"))
    huddle.handle(Installed("slack", "T2", None, workspace_name="Other Practice"))
    huddle.handle(Installed("teams", TENANT, None, workspace_name="Harbour Dental"))
    smile.as_("Sam")("/defect arrival: waited 25 minutes with no word from us")
    smile.as_("Priya")("/defect checkout: the invoice showed the wrong fee")
    smile.as_("Priya")("/wow @Priya stayed late so a nervous patient could finish in one visit")
    other = Chat(huddle, workspace="T2", channel="C9").as_("Lee")
    other("/defect arrival: the front door was locked at opening time")
    other("/huddle blueprint suggest arrival recovery: offer a warm towel and a cup of tea")
    # Other Practice's C9 has been heard from by name (it could start the weekly meeting).
    huddle.handle(
        Incoming("slack", "T2", "C9", "U-lee", "Lee", "huddle", "help", channel_name="#lee-desk")
    )
    with transaction(huddle.engine) as session:
        ids = {}
        for key, platform, team in (
            ("smile", "slack", "T1"),
            ("other", "slack", "T2"),
            ("harbour", "teams", TENANT),
        ):
            found = get_workspace(session=session, platform=platform, external_id=team)
            ids[key] = found.id
        admins.add_admin(
            session=session,
            workspace_id=ids["smile"],
            user_id="U-dana",
            name="Dana",
            source="added",
            now=now,
        )
        # Mia, met in Teams: her Bot Framework id, and the directory id Microsoft signs in.
        admins.add_admin(
            session=session,
            workspace_id=ids["harbour"],
            user_id="29:mia",
            name="Mia",
            source="added",
            now=now,
        )
        directory_ids.note_person(
            session=session,
            workspace_id=ids["harbour"],
            directory_id="oid-mia",
            user_id="29:mia",
            name="Mia",
            now=now,
        )
        # Other Practice's own stage (suggestion #1 above is its too), stored as it is
        # (no audit entry: the tests expect none on that practice): for the scoping tests.
        blueprints.save_stage(
            session=session,
            workspace_id=ids["other"],
            stage_id="car-park",
            body={"id": "car-park", "name": "Car park"},
            by="seed",
            now=now,
        )
        blueprints.save_rule(  # and its own rule
            session=session,
            workspace_id=ids["other"],
            rule_id=OTHER_RULE["id"],
            body=OTHER_RULE,
            by="seed",
            now=now,
        )
    return ids


async def serve_world(huddle: Huddle, tmp_path, *, mounts=()) -> World:
    """``mounts``: more of ``huddle serve``'s mounts beside the dashboard (Teams')."""
    slack = await SlackAPIStandIn().start()
    slack.add_workspace("T1", token=BOT_TOKEN, name="Smile Dental")
    messenger = messenger_for(
        SlackSettings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="s", SLACK_API_URL=slack.url),
        huddle,
    )
    microsoft = await MicrosoftLoginStandIn(tmp_path).start()
    port = free_port()
    settings = DashboardSettings(
        HUDDLE_DASHBOARD_URL=f"http://127.0.0.1:{port}{PREFIX}",
        HUDDLE_DASHBOARD_SESSION_KEY=Fernet.generate_key().decode(),
        HUDDLE_DASHBOARD_SECURE_COOKIE=False,  # plain http on the test machine
        SLACK_CLIENT_ID=SLACK_CLIENT_ID,
        SLACK_CLIENT_SECRET="slack-secret",
        SLACK_API_URL=slack.url,
        SLACK_OPENID_AUTHORIZE_URL=slack.openid_authorize_url,
        HUDDLE_DASHBOARD_MICROSOFT_CLIENT_ID=MICROSOFT_CLIENT_ID,
        HUDDLE_DASHBOARD_MICROSOFT_CLIENT_SECRET="microsoft-secret",
        MICROSOFT_LOGIN_URL=microsoft.login_url,
        HUDDLE_DASHBOARD_MICROSOFT_CA_BUNDLE=str(microsoft.ca_file),
    )
    settings.check()

    def mount(app, huddle, _settings):
        app.add_subapp(PREFIX, build_dashboard(huddle, settings, messengers={"slack": messenger}))

    app = build_web_app(huddle, huddle.settings, mounts=[mount, *mounts])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return World(huddle, slack, microsoft, settings, app, runner, port)
