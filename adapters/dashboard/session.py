"""Who is signed in, their CSRF token, and the checks every request passes.

The session lives in an encrypted cookie (aiohttp-session's ``EncryptedCookieStorage``,
Fernet): ``HttpOnly``, ``SameSite=Lax``, ``Secure`` unless switched off for plain-http
tests, and good for ``HUDDLE_DASHBOARD_HOURS`` (Fernet's own time-to-live refuses an
older cookie even if a browser kept it). Every POST carries the session's CSRF token;
one without it, or with another, gets 403 and changes nothing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass

from aiohttp import web
from aiohttp_session import get_session, new_session

from adapters.dashboard.settings import PREFIX, DashboardSettings

COOKIE = "huddle_dashboard"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class SignedIn:
    """A person of one workspace: the ``Workspace`` row's id and the platform's user id."""

    workspace_id: int  # Huddle's own id for the workspace row
    platform: str
    team: str  # the workspace's id on its platform (Slack team, Teams tenant, console)
    user_id: str
    name: str
    via: str  # "slack" | "microsoft" | "link"
    # False: the sign-in's account is no one Huddle has met in chat (a Microsoft account
    # never seen in Teams), so a plain member, whatever any row says.
    known: bool = True


def storage(settings: DashboardSettings):
    from aiohttp_session.cookie_storage import EncryptedCookieStorage
    from cryptography.fernet import Fernet

    return EncryptedCookieStorage(
        Fernet(settings.fernet_key()),
        cookie_name=COOKIE,
        max_age=settings.session_hours * 3600,
        path=PREFIX,
        secure=settings.secure_cookie,
        httponly=True,
        samesite="Lax",
    )


async def signed_in(request: web.Request) -> SignedIn | None:
    session = await get_session(request)
    found = session.get("person")
    if not isinstance(found, dict):
        return None
    try:
        return SignedIn(**found)
    except TypeError:  # a cookie from an older layout: sign in again
        return None


async def sign_in(request: web.Request, person: SignedIn) -> None:
    """A fresh session for ``person`` (never the one from before signing in)."""
    session = await new_session(request)
    session["person"] = asdict(person)
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


async def sign_out(request: web.Request) -> None:
    session = await get_session(request)
    session.invalidate()


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


async def check_csrf(request: web.Request) -> None:
    """403 unless the form (or htmx's header) carries this session's token."""
    session = await get_session(request)
    expected = session.get(CSRF_FIELD)
    form = await request.post()
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if (
        not isinstance(expected, str)
        or not isinstance(given, str)
        or not hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise web.HTTPForbidden(reason="csrf")


async def require_person(request: web.Request) -> SignedIn:
    person = await signed_in(request)
    if person is None:
        raise web.HTTPFound(f"{PREFIX}/signin")
    return person
