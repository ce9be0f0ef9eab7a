"""Sign in with Slack for the Slack API stand-in: authorize, openid.connect.token and
.userInfo, and the keys that sign its id_tokens (RS256, as Slack's do).

    api.openid.sign_in_as("T1", "U-dana", "Dana")   # who the next authorize is
    SLACK_OPENID_AUTHORIZE_URL = api.openid_authorize_url
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from tests.standins.signing import SigningKey

ISSUER = "https://slack.com"


@dataclass(frozen=True)
class SlackPerson:
    team_id: str
    user_id: str
    name: str


@dataclass
class Grant:
    person: SlackPerson
    client_id: str
    redirect_uri: str
    nonce: str | None


class SlackOpenID:
    def __init__(self) -> None:
        self.key = SigningKey()
        self.next_person: SlackPerson | None = None
        self.grants: dict[str, Grant] = {}  # code -> grant, good once
        self.tokens: dict[str, SlackPerson] = {}  # access token -> person
        self.authorized: list[dict] = []  # each authorize request's query

    def sign_in_as(self, team_id: str, user_id: str, name: str) -> None:
        self.next_person = SlackPerson(team_id, user_id, name)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/openid/connect/authorize", self._authorize)
        app.router.add_get("/openid/connect/keys", self._keys)

    async def _authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.authorized.append(query)
        if (
            self.next_person is None
            or "openid" not in query.get("scope", "").replace(",", " ").split()
        ):
            return web.Response(status=400, text="no one to sign in")
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            self.next_person, query["client_id"], query["redirect_uri"], query.get("nonce")
        )
        back = urlencode({"code": code, "state": query.get("state", "")})
        raise web.HTTPFound(f"{query['redirect_uri']}?{back}")

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.key.jwks())

    def answer(self, method: str, request: web.Request, args: dict) -> web.Response:
        if method == "openid.connect.token":
            return self._token(args, request.headers.get("Authorization", ""))
        if method == "openid.connect.userInfo":
            auth = request.headers.get("Authorization", "")
            person = self.tokens.get(auth.removeprefix("Bearer ").strip() or args.get("token", ""))
            if person is None:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, **self._claims(person)})
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _token(self, args: dict, auth: str) -> web.Response:
        if auth.startswith("Basic "):  # slack-sdk sends the client's id and secret so
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            args = {**args, "client_id": client_id, "client_secret": secret}
        grant = self.grants.pop(args.get("code", ""), None)
        if (
            grant is None
            or grant.client_id != args.get("client_id")
            or not args.get("client_secret")
            or grant.redirect_uri != args.get("redirect_uri")
        ):
            return web.json_response({"ok": False, "error": "invalid_code"})
        access = f"xoxp-openid-{secrets.token_hex(8)}"
        self.tokens[access] = grant.person
        claims = {**self._claims(grant.person), "iss": ISSUER, "aud": grant.client_id}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return web.json_response(
            {
                "ok": True,
                "access_token": access,
                "token_type": "Bearer",
                "id_token": self.key.id_token(claims),
            }
        )

    @staticmethod
    def _claims(person: SlackPerson) -> dict:
        return {
            "sub": person.user_id,
            "https://slack.com/user_id": person.user_id,
            "https://slack.com/team_id": person.team_id,
            "name": person.name,
            "given_name": person.name,
            "email": f"{person.user_id.lower()}@example.test",
        }
