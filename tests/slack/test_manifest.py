"""The app manifest declares exactly what the adapter serves and asks for.

Its slash commands are the command table's (``bot.commands.COMMANDS``): the same names,
described with the table's summary and usage, and each one answered by the app.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from adapters.slack.settings import DEFAULT_SCOPES, SlackSettings
from bot.commands import COMMANDS
from tests.slack.conftest import said

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def _slash_commands() -> dict[str, dict]:
    declared = _manifest()["features"]["slash_commands"]
    by_name = {c["command"]: c for c in declared}
    assert len(by_name) == len(declared), "a slash command is declared twice"
    return by_name


def test_the_manifest_declares_every_command_of_the_table():
    missing = {f"/{name}" for name in COMMANDS} - set(_slash_commands())
    assert not missing, f"manifest.yml lacks {sorted(missing)}"


def test_the_manifest_declares_no_command_the_table_lacks():
    extra = set(_slash_commands()) - {f"/{name}" for name in COMMANDS}
    assert not extra, f"manifest.yml declares {sorted(extra)}, which bot.commands lacks"


def test_the_manifest_describes_each_command_as_the_table_does():
    for slash, declared in _slash_commands().items():
        command = COMMANDS[slash.removeprefix("/")]
        assert declared["description"] == command.summary, slash
        assert declared["usage_hint"] == command.usage, slash


def test_the_manifest_commands_fit_slacks_limits():
    # Slack's manifest schema (github.com/slackapi/manifest-schema, v1): a command is
    # "/" and at most 32 characters, its description at most 2,000 and its usage hint at
    # most 1,000. The command menu shows far less, hence the table's 80 for a summary.
    for slash, declared in _slash_commands().items():
        assert slash.startswith("/") and 2 <= len(slash) <= 32, slash
        assert 1 <= len(declared["description"]) <= 80, slash
        assert 1 <= len(declared["usage_hint"]) <= 1000, slash


def test_the_manifest_sends_every_command_to_the_events_url():
    urls = {c["url"] for c in _slash_commands().values()}
    assert urls == {"https://YOUR-HUDDLE-HOST/slack/events"}


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_the_app_answers_every_command_of_the_table(slack, api, caplog, name):
    caplog.set_level(logging.WARNING, logger="huddle.lib.slack.bolt")

    response = await slack.command(f"/{name} help")

    assert response.status == 200  # bolt answers 404 for a command with no listener
    [reply] = api.calls_to("response_url")
    assert "I don't know the command" not in said(reply)
    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]


def test_the_manifest_asks_for_the_scopes_huddle_installs_with():
    assert _manifest()["oauth_config"]["scopes"]["bot"] == list(DEFAULT_SCOPES)


def test_the_manifest_subscribes_to_the_events_the_adapter_handles():
    settings = _manifest()["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "tokens_revoked",
    }
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert _manifest()["features"]["app_home"]["home_tab_enabled"] is True
    assert _manifest()["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


async def test_every_event_the_manifest_subscribes_to_has_a_listener(slack, caplog):
    caplog.set_level(logging.WARNING, logger="huddle.lib.slack.bolt")
    for subscribed in _manifest()["settings"]["event_subscriptions"]["bot_events"]:
        kind, _, channel_type = subscribed.partition(".")  # message.channels -> message
        event = {"type": kind, "user": "U9", "channel": "C1", "ts": "1800000000.000100"}
        if channel_type:
            event["channel_type"] = {"channels": "channel", "groups": "group"}[channel_type]
        response = await slack.event(event)
        assert response.status == 200

    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]


def test_the_manifest_urls_are_the_paths_huddle_serves():
    defaults = SlackSettings(_env_file=None)
    manifest = _manifest()
    events_url = manifest["settings"]["event_subscriptions"]["request_url"]
    assert urlparse(events_url).path == defaults.events_path
    assert urlparse(manifest["settings"]["interactivity"]["request_url"]).path == (
        defaults.events_path
    )
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert urlparse(redirect).path == defaults.redirect_path
