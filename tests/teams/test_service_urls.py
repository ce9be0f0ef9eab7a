"""The bot's bearer token goes to Microsoft's Bot Connector and nowhere a caller chose.

An activity's ``serviceUrl`` is where the answer (and the bot's token) goes. It is
stored, replied to and posted to only when it is one of Microsoft's documented Bot
Framework hosts over https (or a listed loopback host, or the Emulator's localhost).
"""

from __future__ import annotations

import json

import pytest

from adapters.teams.messenger import build_messenger
from adapters.teams.service_urls import ServiceUrls
from adapters.teams.settings import TeamsSettings
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from bot.storage.models import ConversationReference, Defect, Workspace
from tests.teams.conftest import APP_ID, TENANT, _token, rows

ELSEWHERE = [
    "https://evil.example/",
    "http://169.254.169.254/latest/",
    "ftp://smba.trafficmanager.net/",
]


def _nothing_kept(engine) -> bool:
    return not rows(engine, Workspace) and not rows(engine, ConversationReference)


@pytest.mark.parametrize("service_url", ELSEWHERE)
async def test_emulator_mode_refuses_an_activity_whose_service_url_is_not_microsofts(
    teams, bot_connector, engine, service_url
):
    body = teams.activity(text="defect arrival: waited", serviceUrl=service_url)
    assert await teams.post(body) == 400
    assert (
        await teams.post(teams.activity("installationUpdate", action="add", serviceUrl=service_url))
        == 400
    )
    assert _nothing_kept(engine) and not rows(engine, Defect)
    assert bot_connector.attempts == 0


async def test_a_valid_token_for_a_foreign_service_url_stores_nothing_and_sends_nothing(
    secured, bot_connector, engine, signing_key
):
    # The token's own serviceurl claim matches: signed, but not for Microsoft's connector.
    service_url = "https://connector.evil.example/"
    token = _token(signing_key, service_url)
    body = secured.activity("installationUpdate", action="add", serviceUrl=service_url)
    status = await secured.post(body, headers={"Authorization": f"Bearer {token}"})
    assert status in (400, 401)
    assert _nothing_kept(engine)
    assert bot_connector.attempts == 0


async def test_a_reference_stored_unauthenticated_never_gets_the_bots_token_later(
    teams, bot_connector, engine, huddle, settings
):
    """The finding: stored in Emulator mode, then an app id on the same database."""
    await teams.post(teams.activity("installationUpdate", action="add"))
    [reference] = rows(engine, ConversationReference)
    attempts_before = bot_connector.attempts
    signed = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
        MICROSOFT_APP_TENANT_ID=TENANT,
    )
    messenger = build_messenger(settings, huddle, teams_settings=signed)
    try:
        with pytest.raises(DeliveryError) as error:
            await messenger.send(
                ConversationRef(
                    "teams", TENANT, reference.channel_id, data=json.loads(reference.data)
                ),
                Reply(text="Monday meeting", visibility=Visibility.CHANNEL),
            )
    finally:
        messenger.close()
    assert error.value.permanent
    assert bot_connector.attempts == attempts_before  # no request, so no token, went there


async def test_a_proactive_post_to_a_foreign_service_url_fails_permanently_unsent(
    teams, huddle, settings
):
    messenger = build_messenger(
        settings, huddle, teams_settings=TeamsSettings(TEAMS_UNAUTHENTICATED_EMULATOR_MODE=True)
    )
    data = {
        "serviceUrl": "https://evil.example/",
        "conversation": {"id": "19:x@thread.tacv2"},
        "bot": {"id": "28:huddle-bot"},
        "channelId": "msteams",
    }
    try:
        with pytest.raises(DeliveryError) as error:
            await messenger.send(
                ConversationRef("teams", TENANT, "19:x@thread.tacv2", data=data),
                Reply(text="Monday meeting", visibility=Visibility.CHANNEL),
            )
    finally:
        messenger.close()
    assert error.value.permanent


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://smba.trafficmanager.net/teams/", True),
        ("https://smba.trafficmanager.net/amer/", True),
        ("https://smba.trafficmanager.net/emea/", True),
        ("https://smba.trafficmanager.net/apac/", True),
        ("https://SMBA.TrafficManager.net/in/", True),
        ("https://smba.infra.gcc.teams.microsoft.com/teams", True),
        ("https://smba.infra.gov.teams.microsoft.us/teams", True),
        ("https://smba.infra.dod.teams.microsoft.us/teams", True),
        ("https://frontend.botapi.msg.infra.teams.microsoftonline.cn/", True),
        ("https://webchat.botframework.com/", True),
        ("https://europe.directline.botframework.com/", True),
        ("http://smba.trafficmanager.net/teams/", False),  # not https
        ("https://botframework.com/", False),  # the wildcard is for hosts under it
        ("https://smba.trafficmanager.net.evil.example/", False),
        ("https://evil.example/smba.trafficmanager.net/", False),
        ("https://webchat.botframework.com.evil.example/", False),
        ("https://evilbotframework.com/", False),
        ("https://user:pw@smba.trafficmanager.net/teams/", False),
        ("https://smba.trafficmanager.net:notaport/", False),
        ("http://127.0.0.1:3978/", False),  # loopback only when listed, or for the Emulator
        ("http://localhost:3978/", False),
        ("", False),
        (None, False),
        (42, False),
        ("https://smba.trafficmanager.net/\x00", False),
    ],
)
def test_the_default_allow_list_takes_microsofts_hosts_over_https_only(url, allowed):
    assert ServiceUrls().allows(url) is allowed


def test_emulator_mode_also_allows_the_emulators_own_localhost():
    urls = ServiceUrls(emulator=True)
    assert urls.allows("http://localhost:56789")
    assert urls.allows("http://127.0.0.1:56789/")
    assert urls.allows("https://smba.trafficmanager.net/teams/")
    assert not urls.allows("http://10.0.0.5:8080/")
    assert not urls.allows("https://evil.example/")


def test_the_setting_replaces_the_list_for_a_sovereign_cloud(monkeypatch):
    monkeypatch.setenv("MICROSOFT_SERVICE_URL_HOSTS", "smba.teams.sovcloud-core.fr, *.sov.example")
    urls = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x", MICROSOFT_APP_TENANT_ID=TENANT
    ).service_urls
    assert urls.allows("https://smba.teams.sovcloud-core.fr/teams/")
    assert urls.allows("https://bots.sov.example/")
    assert not urls.allows("https://smba.trafficmanager.net/teams/")
    assert not urls.allows("http://127.0.0.1:1/")


def test_a_listed_loopback_host_may_use_http_for_a_local_stand_in():
    assert ServiceUrls(("127.0.0.1",)).allows("http://127.0.0.1:4567/")
    assert not ServiceUrls(("evil.example",)).allows("http://evil.example/")


async def test_the_connector_refuses_a_private_chat_or_a_client_for_a_foreign_service_url(
    teams, bot_connector, sleeps
):
    from adapters.teams.activities import parse_activity
    from adapters.teams.connector import RetryPolicy, ServiceUrlRefused, TeamsConnector
    from adapters.teams.convert import text_activity
    from adapters.teams.references import reference_to
    from tests.teams.conftest import emulator_settings

    connector = TeamsConnector(emulator_settings(), retry=RetryPolicy(sleep=sleeps))
    source = parse_activity(teams.activity(text="tidbit", serviceUrl="https://evil.example/"))
    try:
        with pytest.raises(DeliveryError) as error:
            await connector.send_direct(source, [text_activity("Hi")], what="private reply")
        assert error.value.permanent
        # Underneath, every connector client is made by one factory, which refuses too.
        reference = reference_to(source, "19:x@thread.tacv2", TENANT)
        with pytest.raises(ServiceUrlRefused):
            await connector.adapter.continue_conversation(reference, _never, "")
    finally:
        connector.close()
    assert bot_connector.attempts == 0 and sleeps == []


async def _never(context) -> None:
    raise AssertionError("no turn may start for a foreign service URL")
