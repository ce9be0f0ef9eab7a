"""With an app id configured, only requests carrying a valid Bot Connector token get in.

The Bot Connector's signing keys are served by a local OpenID metadata stand-in
(MICROSOFT_OPENID_METADATA_URL), so a token signed with the test's own RSA key
is valid and every other token is not. botbuilder fetches the keys with blocking
``requests`` calls, so the stand-in runs in a thread of its own.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams.settings import TeamsSettings
from bot.storage.models import ConversationReference, Defect, Workspace
from tests.teams.conftest import TENANT, Teams, _running_app, rows

APP_ID = "00000000-0000-0000-0000-00000000b070"
ISSUER = "https://api.botframework.com"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def openid_metadata(signing_key):
    """Serves /openid (the metadata document) and /keys (the JWKS with our public key)."""
    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwk.update(kid="huddle-test-key", use="sig", endorsements=["msteams"])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_port}"
            body = {"/openid": {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}}.get(
                self.path, {"keys": [jwk]}
            )
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/openid"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def secured(huddle, settings, bot_connector, sleeps, openid_metadata):
    teams_settings = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
        MICROSOFT_APP_TENANT_ID=TENANT,
        MICROSOFT_OPENID_METADATA_URL=openid_metadata,
    )
    client = await _running_app(huddle, settings, bot_connector, sleeps, teams_settings)
    yield Teams(client, bot_connector.url)
    await client.close()


def _token(key, service_url: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        **overrides,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "huddle-test-key"})


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


async def test_no_app_id_means_no_token_needed(teams, engine):
    assert await teams.say("defect arrival: waited") == 201
    assert len(rows(engine, Defect)) == 1


def test_emulator_warning_is_logged_when_mounting_without_app_id(huddle, settings, caplog):
    from aiohttp import web

    from adapters.teams.app import TEAMS, mount

    caplog.set_level(logging.WARNING)
    app = web.Application()
    mount(app, huddle, settings, teams_settings=TeamsSettings(MICROSOFT_APP_ID=""))
    app[TEAMS].close()
    assert any(
        r.levelno == logging.WARNING and "UNAUTHENTICATED" in r.getMessage() for r in caplog.records
    )


async def test_without_a_token_even_a_malformed_body_gets_401(secured, engine):
    response = await secured.client.post("/api/messages", data="{not json")
    assert response.status == 401
    assert _nothing_stored(engine)
