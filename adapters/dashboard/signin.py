"""Sign in with Slack (OpenID Connect, slack-sdk) and with Microsoft (MSAL's auth-code flow).

Both end the same way: the platform's word on who this is and in which workspace
(Slack's ``https://slack.com/team_id`` claim, Microsoft's ``tid``), checked against a
signed id_token, then the ``Workspace`` row of that platform and id. A workspace
Huddle has never been added to signs nobody in. No password is ever made.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import jwt
from aiohttp import web
from aiohttp_session import get_session
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.dashboard.keys import HUDDLE, MICROSOFT, SETTINGS
from adapters.dashboard.microsoft import MicrosoftSignIn
from adapters.dashboard.session import SignedIn, sign_in
from adapters.dashboard.settings import PREFIX
from adapters.dashboard.slack_roles import note_slack_role
from bot.storage import directory_ids
from bot.storage.db import transaction
from bot.storage.workspaces import get_workspace

log = logging.getLogger("huddle.dashboard")

TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"


class SessionStateStore(OAuthStateStore):
    """OAuth state kept in this browser's own encrypted session: only the browser that
    started a sign-in can finish it, and each state is good once."""

    def __init__(self, session):
        self.session = session

    def issue(self, *args, **kwargs) -> str:
        state = secrets.token_urlsafe(24)
        self.session["slack_state"] = state
        return state

    def consume(self, state: str) -> bool:
        expected = self.session.pop("slack_state", None)
        return isinstance(expected, str) and secrets.compare_digest(expected, state or "")


def _problem(kind: str) -> web.HTTPFound:
    return web.HTTPFound(f"{PREFIX}/signin?problem={kind}")


async def _finish(
    request: web.Request,
    *,
    platform: str,
    team: str,
    user_id: str,
    name: str,
    via: str,
    directory_id: str | None = None,
):
    """Sign the person in to the workspace of ``platform`` and ``team``.

    ``directory_id`` (Microsoft's ``oid``): the person is whoever Huddle met in chat
    with that directory id in this very workspace; no one met: a plain member under an
    id of the sign-in's own, which no chat person has.
    """
    huddle = request.app[HUDDLE]

    def find():
        with transaction(huddle.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=team)
            if workspace is None or directory_id is None:
                return workspace, None
            met = directory_ids.find_person(
                session=session, workspace_id=workspace.id, directory_id=directory_id
            )
            return workspace, (met.user_id, met.name) if met is not None else None

    workspace, met = await asyncio.to_thread(find)
    if workspace is None:
        log.info("dashboard sign-in refused: platform=%s workspace=%s unknown", platform, team)
        raise _problem("unknown-workspace")
    assert workspace.id is not None
    known = True
    if directory_id is not None:
        known = met is not None
        user_id, name = met if met is not None else (f"{via}:{directory_id}", name)
    person = SignedIn(workspace.id, platform, team, user_id, name or user_id, via, known)
    await sign_in(request, person)
    log.info(
        "dashboard sign-in: platform=%s workspace=%s via=%s known=%s", platform, team, via, known
    )
    raise web.HTTPFound(f"{PREFIX}/")


# -- Slack ------------------------------------------------------------------------------


def _slack_redirect(request: web.Request) -> str:
    return f"{request.app[SETTINGS].public_url}/signin/slack/callback"


async def slack_start(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if not settings.slack_sign_in:
        raise web.HTTPNotFound()
    session = await get_session(request)
    state = SessionStateStore(session).issue()
    nonce = secrets.token_urlsafe(24)
    session["slack_nonce"] = nonce
    url = OpenIDConnectAuthorizeUrlGenerator(
        client_id=settings.slack_client_id,
        redirect_uri=_slack_redirect(request),
        scopes=["openid", "email", "profile"],
        authorization_url=settings.slack_authorize_url,
    ).generate(state=state, nonce=nonce)
    raise web.HTTPFound(url)


async def slack_callback(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if not settings.slack_sign_in:
        raise web.HTTPNotFound()
    session = await get_session(request)
    nonce = session.pop("slack_nonce", None)
    if not SessionStateStore(session).consume(request.query.get("state", "")):
        raise _problem("failed")
    code = request.query.get("code")
    if not code or not nonce:
        raise _problem("failed")
    assert settings.slack_client_secret is not None
    client = AsyncWebClient(base_url=settings.slack_api_url)
    try:
        token = await client.openid_connect_token(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            code=code,
            redirect_uri=_slack_redirect(request),
        )
        claims = await asyncio.to_thread(_slack_claims, settings, str(token["id_token"]), nonce)
        info = await AsyncWebClient(
            base_url=settings.slack_api_url, token=str(token["access_token"])
        ).openid_connect_userInfo()
    except (SlackApiError, jwt.PyJWTError, KeyError, OSError) as error:
        log.warning("Sign in with Slack failed: %s", type(error).__name__)
        raise _problem("failed") from None
    team = info.get(TEAM_CLAIM)
    if not team or team != claims.get(TEAM_CLAIM) or info.get("sub") != claims.get("sub"):
        raise _problem("failed")
    user_id = str(info.get(USER_CLAIM) or claims["sub"])
    name = str(info.get("name") or info.get("given_name") or "")
    # Slack's word on the person's role first, so the first page already shows it.
    await note_slack_role(
        request.app[HUDDLE], settings, team=str(team), user_id=user_id, name=name or user_id
    )
    await _finish(
        request, platform="slack", team=str(team), user_id=user_id, name=name, via="slack"
    )


def _slack_claims(settings, id_token: str, nonce: str) -> dict:
    """The id_token's claims, its signature checked against Slack's published keys."""
    keys_url = settings.slack_authorize_url.rsplit("/", 1)[0] + "/keys"
    key = jwt.PyJWKClient(keys_url).get_signing_key_from_jwt(id_token)
    claims = jwt.decode(
        id_token,
        key.key,
        algorithms=["RS256"],
        audience=settings.slack_client_id,
        options={"require": ["exp", "iat", "sub", "aud"]},
    )
    if claims.get("nonce") != nonce:
        raise jwt.InvalidTokenError("nonce")
    return claims


# -- Microsoft --------------------------------------------------------------------------


def _microsoft(request: web.Request) -> MicrosoftSignIn:
    found = request.app.get(MICROSOFT)
    if found is None:  # Sign in with Microsoft is not set up here
        raise web.HTTPNotFound()
    return found


async def microsoft_start(request: web.Request) -> web.StreamResponse:
    microsoft = _microsoft(request)
    redirect_uri = f"{request.app[SETTINGS].public_url}/signin/microsoft/callback"
    try:
        flow = await asyncio.to_thread(microsoft.start, redirect_uri)
    except (ValueError, OSError) as error:
        log.warning("Sign in with Microsoft could not start: %s", type(error).__name__)
        raise _problem("failed") from None
    session = await get_session(request)
    session["microsoft_flow"] = flow
    raise web.HTTPFound(flow["auth_uri"])


async def microsoft_callback(request: web.Request) -> web.StreamResponse:
    microsoft = _microsoft(request)
    session = await get_session(request)
    flow = session.pop("microsoft_flow", None)
    if not isinstance(flow, dict):
        raise _problem("failed")
    try:
        claims = await asyncio.to_thread(microsoft.finish, flow, dict(request.query))
    except (ValueError, OSError, jwt.PyJWTError) as error:
        log.warning("Sign in with Microsoft failed: %s", type(error).__name__)
        raise _problem("failed") from None
    await _finish(
        request,
        platform="teams",
        team=str(claims["tid"]),
        user_id=str(claims["oid"]),
        name=str(claims.get("name") or claims.get("preferred_username") or ""),
        via="microsoft",
        directory_id=str(claims["oid"]),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/signin/slack", slack_start, name="signin-slack")
    app.router.add_get("/signin/slack/callback", slack_callback, name="signin-slack-callback")
    app.router.add_get("/signin/microsoft", microsoft_start, name="signin-microsoft")
    app.router.add_get(
        "/signin/microsoft/callback", microsoft_callback, name="signin-microsoft-callback"
    )
