"""Teams fixtures: the running ``huddle serve`` app with the Teams mount, and a Bot
Connector stand-in that every activity's ``serviceUrl`` points at.

Every test that takes ``engine`` (or ``huddle``) runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams.app import mount
from adapters.teams.connector import RetryPolicy
from adapters.teams.settings import TeamsSettings
from adapters.web import build_web_app
from tests.standins.bot_connector import BotConnectorStandIn

TENANT = "tenant-practice-1"
BOT_ID = "28:huddle-bot"
CHANNEL = "19:general@thread.tacv2"
GROUP = "19:group-chat@thread.v2"


@pytest.fixture
async def bot_connector():
    standin = BotConnectorStandIn()
    await standin.start()
    yield standin
    await standin.close()


class Sleeps(list):
    """Back-off delays the retry policy asked for; nothing is slept on."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class Teams:
    """Posts Bot Framework activities to /api/messages like the Teams channel does."""

    def __init__(self, client: TestClient, service_url: str):
        self.client = client
        self.service_url = service_url
        self._ids = itertools.count(1)

    def activity(
        self,
        kind: str = "message",
        *,
        text: str | None = None,
        scope: str = "personal",
        user: str = "Alex",
        mention: bool = False,
        value: dict | None = None,
        conversation_id: str | None = None,
        activity_id: str | None = None,
        **extra,
    ) -> dict:
        user_id = f"29:{user.lower()}"
        if conversation_id is None:
            conversation_id = {"personal": f"a:1on1-{user_id}", "channel": CHANNEL}.get(
                scope, GROUP
            )
        conversation = {
            "id": conversation_id,
            "conversationType": scope,
            "tenantId": TENANT,
            "isGroup": scope != "personal",
        }
        body = {
            "type": kind,
            "id": activity_id or f"act-{next(self._ids)}",
            "timestamp": "2026-11-23T22:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": user_id, "name": user, "aadObjectId": f"aad-{user.lower()}"},
            "conversation": conversation,
            "recipient": {"id": BOT_ID, "name": "Huddle"},
            "channelData": {"tenant": {"id": TENANT}},
            **extra,
        }
        if scope == "channel":
            body["channelData"]["team"] = {"id": CHANNEL, "name": "Smile Dental"}
            body["channelData"]["channel"] = {"id": CHANNEL.split(";")[0]}
        if text is not None:
            entities = []
            if mention:
                text = f"<at>Huddle</at> {text}"
                entities.append(
                    {
                        "type": "mention",
                        "text": "<at>Huddle</at>",
                        "mentioned": {"id": BOT_ID, "name": "Huddle"},
                    }
                )
            # "@Priya" is typed as Teams sends a picked person: <at>Priya</at> + an entity.
            for name in dict.fromkeys(re.findall(r"@(\w+)", text)):
                text = text.replace(f"@{name}", f"<at>{name}</at>")
                entities.append(
                    {
                        "type": "mention",
                        "text": f"<at>{name}</at>",
                        "mentioned": {"id": f"29:{name.lower()}", "name": name},
                    }
                )
            if entities:
                body["entities"] = entities
            body["text"] = text
            body["textFormat"] = "plain"
        if value is not None:
            body["value"] = value
        return body

    async def post(self, body: dict, headers: dict | None = None) -> int:
        response = await self.client.post("/api/messages", json=body, headers=headers or {})
        return response.status

    async def say(self, text: str, **kwargs) -> int:
        return await self.post(self.activity(text=text, **kwargs))


async def _running_app(huddle, settings, bot_connector, sleeps, teams_settings, door=None):
    app = build_web_app(
        huddle,
        settings,
        mounts=[
            functools.partial(mount, teams_settings=teams_settings, retry=RetryPolicy(sleep=sleeps))
        ],
        door=door,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


def emulator_settings() -> TeamsSettings:
    """Emulator mode, switched on by name: requests are not authenticated."""
    return TeamsSettings(MICROSOFT_APP_ID="", TEAMS_UNAUTHENTICATED_EMULATOR_MODE=True)


@pytest.fixture
async def teams(huddle, settings, bot_connector, sleeps):
    """The app in Emulator mode, so tests post activities without tokens."""
    client = await _running_app(huddle, settings, bot_connector, sleeps, emulator_settings())
    yield Teams(client, bot_connector.url)
    await client.close()


def rows(engine, model) -> list:
    """Every row of a table, to check what was (and was not) stored."""
    from sqlmodel import Session, select

    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def _nodes(node):
    """Every dict inside a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def card_actions(card: dict) -> list[dict]:
    """Every action on an Adaptive Card, wherever it sits."""
    return [n for n in _nodes(card) if str(n.get("type", "")).startswith("Action.")]


def card_inputs(card: dict) -> dict[str, dict]:
    """Every input on an Adaptive Card, by id."""
    return {n["id"]: n for n in _nodes(card) if str(n.get("type", "")).startswith("Input.")}


# -- authenticated requests ----------------------------------------------------------------
#
# The Bot Connector's signing keys are served by a local OpenID metadata stand-in
# (MICROSOFT_OPENID_METADATA_URL), so a token signed with the test's own RSA key
# is valid and every other token is not. botbuilder fetches the keys with blocking
# ``requests`` calls, so the stand-in runs in a thread of its own.

APP_ID = "00000000-0000-0000-0000-00000000b070"
ISSUER = "https://api.botframework.com"
LOCAL_CONNECTOR = "127.0.0.1"  # the Bot Connector stand-in's host, allowed by name


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
        MICROSOFT_SERVICE_URL_HOSTS=LOCAL_CONNECTOR,
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


# -- replies as an authenticated bot -------------------------------------------------------
#
# Outbound, the bot signs in with the OAuth2 client-credentials grant and sends the token
# as "Authorization: Bearer ..." to the Bot Connector. The authority is a local HTTPS
# stand-in (MICROSOFT_LOGIN_URL; MSAL only talks https), trusted through requests'
# standard REQUESTS_CA_BUNDLE. Like the key stand-in, it runs in a thread: MSAL's calls block.

ACCESS_TOKEN = "token-from-the-stand-in"


def _self_signed(tmp_path_factory):
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(scope="module")
def token_authority(tmp_path_factory):
    """An Entra ID stand-in: OpenID discovery and the client-credentials token endpoint."""
    import ssl
    from urllib.parse import parse_qs

    cert_file, key_file = _self_signed(tmp_path_factory)
    grants: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def _json(self, body: dict, status: int = 200) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            base = f"https://127.0.0.1:{self.server.server_port}/{TENANT}"
            if self.path != f"/{TENANT}/v2.0/.well-known/openid-configuration":
                return self._json({"error": "not_found"}, 404)
            self._json(
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                }
            )

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            grants.append(form)
            if form.get("client_secret") != ["not-a-real-secret"]:
                return self._json({"error": "invalid_client"}, 401)
            self._json({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"https://127.0.0.1:{server.server_port}/{TENANT}", ca=str(cert_file), grants=grants
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_password() -> str:
    return "not-a-real-secret"


@pytest.fixture
def tenant_suffix() -> str:
    """Appended to the authority's tenant: a test makes it an authority that does not exist."""
    return ""


@pytest.fixture
async def signed_in(
    huddle,
    settings,
    bot_connector,
    sleeps,
    openid_metadata,
    token_authority,
    monkeypatch,
    app_password,
    tenant_suffix,
):
    """The running app with an app id, its tokens from the stand-in authority."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", token_authority.ca)
    bot_connector.required_token = ACCESS_TOKEN
    teams_settings = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD=app_password,
        MICROSOFT_APP_TENANT_ID=TENANT,
        MICROSOFT_OPENID_METADATA_URL=openid_metadata,
        MICROSOFT_LOGIN_URL=token_authority.url + tenant_suffix,
        MICROSOFT_SERVICE_URL_HOSTS=LOCAL_CONNECTOR,
    )
    client = await _running_app(huddle, settings, bot_connector, sleeps, teams_settings)
    yield Teams(client, bot_connector.url)
    await client.close()
