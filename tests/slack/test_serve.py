"""``huddle serve`` mounts Slack only when it is configured, and refuses half a configuration."""

from __future__ import annotations

import gc
import logging

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import make_mount
from adapters.slack.app import mount as slack_mount
from adapters.slack.settings import SlackSettings
from adapters.web import build_web_app, platform_mounts, settle_after_start
from bot.huddle import Huddle
from bot.wiring import StartupError
from tests.slack.conftest import SIGNING_SECRET, serve, slack_settings


def only(**env) -> SlackSettings:
    """Exactly these Slack settings, whatever the developer's environment holds."""
    blank = dict.fromkeys(
        (
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "SLACK_CLIENT_ID",
            "SLACK_CLIENT_SECRET",
            "SLACK_APP_TOKEN",
        )
    )
    return SlackSettings(_env_file=None, **{**blank, **env})


def test_slack_is_one_of_the_served_platforms():
    assert slack_mount in platform_mounts()


def test_without_slack_settings_nothing_is_mounted_and_the_log_says_why(huddle, settings, caplog):
    caplog.set_level(logging.INFO)
    app = build_web_app(huddle, settings, mounts=[make_mount(only())])

    paths = {resource.canonical for resource in app.router.resources()}
    assert paths == {"/healthz"}
    assert any("Slack is not configured" in r.getMessage() for r in caplog.records)


def test_single_workspace_mode_serves_events_only(huddle, settings):
    slack = only(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    app = build_web_app(huddle, settings, mounts=[make_mount(slack)])

    paths = {resource.canonical for resource in app.router.resources()}
    assert paths == {"/healthz", "/slack/events"}


def test_multi_workspace_mode_serves_install_and_oauth_redirect(huddle, settings):
    slack = only(
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="c",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
    )
    app = build_web_app(huddle, settings, mounts=[make_mount(slack)])

    paths = {resource.canonical for resource in app.router.resources()}
    assert paths == {"/healthz", "/slack/events", "/slack/install", "/slack/oauth_redirect"}


def test_socket_mode_serves_no_public_slack_route(huddle, settings):
    slack = only(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1-abc")
    app = build_web_app(huddle, settings, mounts=[make_mount(slack)])

    assert {resource.canonical for resource in app.router.resources()} == {"/healthz"}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, "xapp-"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "c",
            },
            "choose one mode",
        ),
    ],
)
def test_half_a_configuration_stops_start_up_naming_the_variable(huddle, settings, env, named):
    slack = only(**env)

    with pytest.raises(StartupError, match=named):
        build_web_app(huddle, settings, mounts=[make_mount(slack)])


def test_the_api_url_always_ends_with_a_slash():
    slack = only(SLACK_API_URL="http://127.0.0.1:9/api")
    assert slack.api_url == "http://127.0.0.1:9/api/"


async def test_healthz_is_200_while_the_database_answers(slack):
    response = await slack.client.get("/healthz")

    assert response.status == 200
    assert (await response.json())["database"] == "reachable"


async def test_healthz_is_503_when_the_database_cannot_be_reached(
    settings, content, vault, clock, api, tmp_path
):
    gone = sa.create_engine(f"sqlite:///{tmp_path}/no/such/folder/huddle.db")
    huddle = Huddle(engine=gone, settings=settings, content=content, vault=vault, clock=clock)
    client = await serve(huddle, settings, slack_settings(api))
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "unreachable"
    finally:
        await client.close()
        gone.dispose()


async def test_what_start_up_built_is_kept_out_of_the_garbage_collectors_walks(
    huddle, settings, api
):
    app = build_web_app(huddle, settings, mounts=[make_mount(slack_settings(api))])
    settle_after_start(app)  # as ``huddle serve`` does
    gc.unfreeze()
    client = TestClient(TestServer(app))
    try:
        await client.start_server()
        # Modules, bolt's app, the database's metadata: frozen once the app has started.
        assert gc.get_freeze_count() > 10_000
    finally:
        await client.close()
        gc.unfreeze()  # the rest of the test session collects as usual
