"""A local stand-in for Microsoft Entra ID's sign-in endpoints, over HTTPS.

MSAL only talks https, so the stand-in makes its own self-signed certificate (for
127.0.0.1) when it starts and writes it to ``ca_file``, for MSAL's HTTP client to
trust (``HUDDLE_DASHBOARD_MICROSOFT_CA_BUNDLE``) and a browser to be told to accept.

    login = MicrosoftLoginStandIn(tmp_path)
    await login.start()
    login.sign_in_as("tenant-1", "oid-dana", "Dana")
    MICROSOFT_LOGIN_URL = login.login_url       # https://127.0.0.1:PORT/<tenant>

It serves each tenant's OpenID configuration, authorize (straight back with a code,
as if the person had signed in), token (the code, PKCE verifier and client secret
checked; a signed id_token with ``tid``, ``oid`` and the authorize request's nonce),
and its JWKS.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.standins.signing import SigningKey


@dataclass(frozen=True)
class EntraPerson:
    tenant_id: str
    oid: str
    name: str


@dataclass
class Grant:
    person: EntraPerson
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, valid for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "login-cert.pem", directory / "login-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class MicrosoftLoginStandIn:
    def __init__(self, directory: Path, *, client_secret: str | None = None):
        self.directory = directory
        self.client_secret = client_secret  # None: any secret is taken
        self.key = SigningKey()
        self.next_person: EntraPerson | None = None
        self.grants: dict[str, Grant] = {}
        self.token_requests: list[dict] = []
        self.ca_file: Path | None = None
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def login_url(self) -> str:
        """A MICROSOFT_LOGIN_URL as the Teams adapter takes it (host and a tenant)."""
        return f"{self.base}/botframework.com"

    def sign_in_as(self, tenant_id: str, oid: str, name: str) -> None:
        self.next_person = EntraPerson(tenant_id, oid, name)

    async def start(self) -> MicrosoftLoginStandIn:
        cert_file, key_file = self_signed(self.directory)
        self.ca_file = cert_file
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._config)
        app.router.add_get("/{tenant}/oauth2/v2.0/authorize", self._authorize)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/discovery/v2.0/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _config(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "issuer": f"{self.base}/{{tenantid}}/v2.0",
                "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
                "jwks_uri": f"{self.base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "subject_types_supported": ["pairwise"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.key.jwks())

    async def _authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        if self.next_person is None or query.get("response_type") != "code":
            return web.Response(status=400, text="no one to sign in")
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            self.next_person,
            query.get("client_id", ""),
            query.get("redirect_uri", ""),
            query.get("nonce"),
            query.get("code_challenge"),
        )
        back = urlencode({"code": code, "state": query.get("state", "")})
        raise web.HTTPFound(f"{query.get('redirect_uri')}?{back}")

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append(form)
        grant = self.grants.pop(str(form.get("code", "")), None)
        refused = web.json_response(
            {"error": "invalid_grant", "error_description": "AADSTS70000: bad code"}, status=400
        )
        if grant is None or grant.client_id != form.get("client_id"):
            return refused
        if grant.redirect_uri != form.get("redirect_uri"):
            return refused
        secret = form.get("client_secret")
        if not secret or (self.client_secret is not None and secret != self.client_secret):
            return web.json_response({"error": "invalid_client"}, status=401)
        if grant.challenge:
            verifier = str(form.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                return refused
        person = grant.person
        claims = {
            "ver": "2.0",
            "iss": f"{self.base}/{person.tenant_id}/v2.0",
            "aud": grant.client_id,
            "sub": f"sub-{person.oid}",
            "tid": person.tenant_id,
            "oid": person.oid,
            "name": person.name,
            "preferred_username": f"{person.oid}@example.test",
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        info = json.dumps({"uid": person.oid, "utid": person.tenant_id}).encode()
        return web.json_response(
            {
                "token_type": "Bearer",
                "scope": "openid profile",
                "expires_in": 3600,
                "access_token": secrets.token_urlsafe(24),
                "id_token": self.key.id_token(claims),
                "client_info": base64.urlsafe_b64encode(info).rstrip(b"=").decode(),
            }
        )
