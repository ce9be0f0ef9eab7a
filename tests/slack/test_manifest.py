"""The app manifest declares exactly what the adapter serves and asks for."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

import yaml

from adapters.slack.app import COMMANDS
from adapters.slack.settings import DEFAULT_SCOPES, SlackSettings

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_the_manifest_declares_every_command_at_the_events_url():
    commands = _manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == list(COMMANDS)
    assert {c["url"] for c in commands} == {"https://YOUR-HUDDLE-HOST/slack/events"}


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
    caplog.set_level(logging.WARNING, logger="huddle.slack.bolt")
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
