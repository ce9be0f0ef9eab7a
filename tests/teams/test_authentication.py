"""With an app id configured, only requests carrying a valid Bot Connector token get in.

The Bot Connector's signing keys are served by a local OpenID metadata stand-in
(MICROSOFT_OPENID_METADATA_URL), so a token signed with the test's own RSA key
is valid and every other token is not. botbuilder fetches the keys with blocking
``requests`` calls, so the stand-in runs in a thread of its own.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.settings import TeamsSettings
from bot.storage.models import ConversationReference, Defect, Workspace
from tests.teams.conftest import (
    ACCESS_TOKEN,
    APP_ID,
    Teams,
    _running_app,
    _token,
    emulator_settings,
    rows,
)


def _nothing_stored(engine) -> bool:
    return not rows(engine, Workspace) and not rows(engine, Defect)


async def test_request_without_a_token_is_refused_and_nothing_is_stored(
    secured, bot_connector, engine
):
    assert await secured.say("defect arrival: waited") == 401
    assert _nothing_stored(engine)
    assert bot_connector.posted == []


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer"],
    ids=["garbage", "wrong-scheme", "empty"],
)
async def test_malformed_authorization_is_refused(secured, engine, header):
    status = await secured.post(
        secured.activity(text="defect arrival: waited"), headers={"Authorization": header}
    )
    assert status == 401
    assert _nothing_stored(engine)


async def test_token_signed_by_someone_else_is_refused(secured, bot_connector, engine):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _token(stranger, bot_connector.url)
    status = await secured.post(
        secured.activity(text="defect arrival: waited"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 401
    assert _nothing_stored(engine)


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "someone-elses-bot"},
        {"exp": int(time.time()) - 3600},
        {"serviceurl": "https://evil.example/"},
    ],
    ids=["other-audience", "expired", "other-service-url"],
)
async def test_token_for_another_bot_or_expired_or_other_service_is_refused(
    secured, bot_connector, engine, signing_key, claims
):
    token = _token(signing_key, bot_connector.url, **claims)
    status = await secured.post(
        secured.activity(text="defect arrival: waited"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 401
    assert _nothing_stored(engine)


async def test_valid_bot_connector_token_is_accepted(
    secured, bot_connector, engine, signing_key, huddle
):
    # An installation: stored, and nothing to send (sending would need a real Entra token).
    token = _token(signing_key, bot_connector.url)
    status = await secured.post(
        secured.activity("installationUpdate", action="add"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status in (200, 201)
    [reference] = rows(engine, ConversationReference)
    assert reference.channel_id == "a:1on1-29:alex"


async def test_emulator_mode_needs_no_token(teams, engine):
    assert await teams.say("defect arrival: waited") == 201
    assert len(rows(engine, Defect)) == 1


def _mounted(huddle, settings, teams_settings: TeamsSettings):
    from aiohttp import web

    from adapters.teams.app import TEAMS, mount

    app = web.Application()
    mount(app, huddle, settings, teams_settings=teams_settings)
    if TEAMS in app:
        app[TEAMS].close()
    return app


def test_emulator_mode_is_announced_with_a_loud_warning(huddle, settings, caplog):
    caplog.set_level(logging.INFO)
    _mounted(huddle, settings, emulator_settings())
    [warning] = [r for r in caplog.records if r.name == "huddle.teams"]
    assert warning.levelno == logging.WARNING
    assert "UNAUTHENTICATED" in warning.getMessage()
    assert "TEAMS_UNAUTHENTICATED_EMULATOR_MODE" in warning.getMessage()


def _unconfigured() -> TeamsSettings:
    return TeamsSettings(MICROSOFT_APP_ID="", TEAMS_UNAUTHENTICATED_EMULATOR_MODE=False)


def test_without_an_app_id_or_the_emulator_switch_teams_is_not_configured(huddle, settings, caplog):
    caplog.set_level(logging.INFO)
    _mounted(huddle, settings, _unconfigured())
    [notice] = [r for r in caplog.records if r.name == "huddle.teams"]
    assert notice.levelno == logging.INFO
    message = notice.getMessage()
    assert "not configured" in message and "401" in message
    for variable in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"):
        assert variable in message
    assert "TEAMS_UNAUTHENTICATED_EMULATOR_MODE=true" in message


@pytest.fixture
async def closed(huddle, settings, bot_connector, sleeps):
    """``huddle serve`` on a deployment that never configured Teams (say, Slack only)."""
    client = await _running_app(huddle, settings, bot_connector, sleeps, _unconfigured())
    yield Teams(client, bot_connector.url)
    await client.close()


@pytest.mark.parametrize(
    "kind", ["message", "installationUpdate", "conversationUpdate", "messageReaction"]
)
async def test_unconfigured_teams_refuses_every_activity_and_stores_nothing(
    closed, bot_connector, engine, kind
):
    body = closed.activity(kind, text="defect arrival: waited", action="add")
    assert await closed.post(body) == 401
    assert await closed.post(body, headers={"Authorization": "Bearer anything"}) == 401
    assert rows(engine, Workspace) == [] and rows(engine, ConversationReference) == []
    assert bot_connector.posted == [] and bot_connector.attempts == 0


async def test_without_a_token_even_a_malformed_body_gets_401(secured, engine):
    response = await secured.client.post("/api/messages", data="{not json")
    assert response.status == 401
    assert _nothing_stored(engine)


# -- replies as an authenticated bot ------------------------------------------------------
#
# Outbound, the bot signs in with the OAuth2 client-credentials grant and sends the token
# as "Authorization: Bearer ..." to the Bot Connector. The authority is a local HTTPS
# stand-in (MICROSOFT_LOGIN_URL; MSAL only talks https), trusted through requests'
# standard REQUESTS_CA_BUNDLE. Like the key stand-in, it runs in a thread: MSAL's calls block.


async def test_authenticated_command_is_answered_with_the_bots_bearer_token(
    signed_in, bot_connector, engine, signing_key, token_authority
):
    token = _token(signing_key, bot_connector.url)
    status = await signed_in.post(
        signed_in.activity(text="defect arrival: waited 25 minutes"),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status == 201
    [defect] = rows(engine, Defect)
    [post] = bot_connector.posted
    assert f"Defect #{defect.id} logged" in post.everything()
    assert bot_connector.authorizations == [f"Bearer {ACCESS_TOKEN}"]
    grant = token_authority.grants[-1]
    assert grant["grant_type"] == ["client_credentials"]
    assert grant["client_id"] == [APP_ID]
    assert grant["scope"] == ["https://api.botframework.com/.default"]


async def test_authenticated_tidbit_in_a_channel_opens_the_private_chat_signed_in(
    signed_in, bot_connector, signing_key
):
    token = _token(signing_key, bot_connector.url)
    status = await signed_in.post(
        signed_in.activity(text="tidbit JS-1042 loves sailing", scope="channel", mention=True),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status == 201
    assert len(bot_connector.created) == 1
    assert set(bot_connector.authorizations) == {f"Bearer {ACCESS_TOKEN}"}
    assert "sailing" not in json.dumps(
        [p.everything() for p in bot_connector.in_conversation("19:general@thread.tacv2")]
    )


@pytest.mark.parametrize("app_password", ["a-wrong-secret"])
async def test_with_a_wrong_app_password_the_defect_is_kept_and_the_secret_never_logged(
    signed_in, bot_connector, engine, signing_key, caplog, app_password, sleeps
):
    caplog.set_level(logging.DEBUG)
    token = _token(signing_key, bot_connector.url)
    status = await signed_in.post(
        signed_in.activity(text="defect arrival: waited 25 minutes"),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status in (200, 201)
    assert len(rows(engine, Defect)) == 1  # stored before any platform call
    assert bot_connector.posted == []  # no token, so nothing was sent unsigned either
    assert sleeps == []  # a refused sign-in is not retried
    assert "could not sign in" in caplog.text
    assert app_password not in caplog.text
    assert "waited 25 minutes" not in caplog.text


@pytest.mark.parametrize("tenant_suffix", ["-gone"])
async def test_an_authority_that_does_not_exist_is_a_sign_in_failure_not_a_401(
    signed_in, bot_connector, engine, signing_key, caplog, sleeps, tenant_suffix
):
    token = _token(signing_key, bot_connector.url)
    status = await signed_in.post(
        signed_in.activity(text="defect arrival: waited 25 minutes"),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status in (200, 201)  # the request was genuine; only the answer could not go
    assert len(rows(engine, Defect)) == 1
    assert bot_connector.posted == []
    assert sleeps == []
    assert "could not sign in" in caplog.text
