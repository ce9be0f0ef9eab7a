"""The Bot Connector side: one CloudAdapter, one HTTP session, and one retry policy.

botbuilder's connector clients are created per turn; each would open its own
HTTP session and retry every error three times with blocking back-off. Huddle
gives them one shared session and no retries of their own, and retries the
connector's throttling and gateway errors here instead (429 / 412 / 502 / 504),
with exponential back-off and jitter, a few attempts, then ``DeliveryError``.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from typing import TypeVar

import requests
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    PasswordServiceClientCredentialFactory,
)
from msal import ConfidentialClientApplication

from adapters.teams.activities import tenant_of
from adapters.teams.retries import RetryPolicy
from adapters.teams.service_urls import ServiceUrls
from adapters.teams.settings import TeamsSettings
from bot.ports import DeliveryError

log = logging.getLogger("huddle.teams")

TURN_FAILED = "Sorry, something went wrong on my side. Please try again in a minute."
# Seconds per connector call (msrest's default is 100): a turn must answer within 15.
CONNECTOR_TIMEOUT = 10
NOT_BOT_FRAMEWORK = "its service URL is not a Bot Framework endpoint"
T = TypeVar("T")


def _shared_session() -> requests.Session:
    """One session for every connector client: keep-alive connections, no hidden retries.

    The Bot Connector never redirects; a redirect is treated as a failure rather than
    followed (requests would turn a redirected POST into a GET).
    """
    session = requests.Session()
    session.max_redirects = 0
    for prefix in ("http://", "https://"):
        session.mount(prefix, requests.adapters.HTTPAdapter(max_retries=0))
    return session


class ServiceUrlRefused(Exception):
    """A connector client was asked for a service URL that is not Microsoft's."""


class _SharedSessionConnectorFactory(ConnectorFactory):
    """Connector clients on one HTTP session, without msrest's own retries.

    Every Bot Connector call goes through a client made here, so here is where a
    service URL that is not on the allow-list is refused, before any token is sent.
    """

    def __init__(self, inner: ConnectorFactory, session: requests.Session, urls: ServiceUrls):
        self._inner = inner
        self._session = session
        self._urls = urls

    async def create(self, service_url: str, audience: str | None = None):
        if not self._urls.allows(service_url):
            raise ServiceUrlRefused(NOT_BOT_FRAMEWORK)
        client = await self._inner.create(service_url, audience)
        client.config.retry_policy.retries = 0  # RetryPolicy above decides, without blocking
        client.config.connection.timeout = CONNECTOR_TIMEOUT
        driver = getattr(getattr(client.config.pipeline, "_sender", None), "driver", None)
        mapping = getattr(driver, "_session_mapping", None)
        if mapping is not None:
            # Not the ``session`` setter: it re-patches the session on every call, wrapping
            # its redirect handling once more each time until the stack overflows.
            mapping.session = self._session
        return client


class _AuthorityCredentials(AppCredentials):
    """Outbound tokens from the configured authority (``MICROSOFT_LOGIN_URL``).

    botbuilder's own credentials hand MSAL the authority but not its
    ``instance_discovery`` switch, so MSAL would first ask login.microsoftonline.com
    whether an authority it does not know is genuine. An authority the operator
    configured by hand is known to the developer: no discovery. ``get_access_token``
    is the method AppCredentials asks subclasses to provide.
    """

    def __init__(self, app_id: str, password: str, authority: str, oauth_scope: str | None):
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self.oauth_endpoint = authority
        self._password = password
        self._app: ConfidentialClientApplication | None = None

    def _msal(self) -> ConfidentialClientApplication:
        if self._app is None:  # built on first use: it reads the authority's metadata
            try:
                self._app = ConfidentialClientApplication(
                    client_id=self.microsoft_app_id,
                    client_credential=self._password,
                    authority=self.oauth_endpoint,
                    instance_discovery=False,
                    timeout=CONNECTOR_TIMEOUT,
                )
            except ValueError:  # it answered, but not as an OpenID authority
                raise PermissionError(f"{self.oauth_endpoint} is not a usable authority") from None
        return self._app

    def get_access_token(self, force_refresh: bool = False) -> str:
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope += "/.default"
        result = self._msal().acquire_token_for_client(scopes=[scope])  # cached until expiry
        if "access_token" in result:
            return result["access_token"]
        # The error code only: the description can echo the request.
        raise PermissionError(f"No token from {self.oauth_endpoint}: {result.get('error')}")


class _AuthorityCredentialFactory(PasswordServiceClientCredentialFactory):
    """Like botbuilder's password credentials, from the configured authority."""

    def __init__(self, settings: TeamsSettings):
        super().__init__(settings.app_id, settings.password, settings.app_tenant_id)
        self._authority = settings.login_url
        self._credentials: dict[str, _AuthorityCredentials] = {}

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ):
        if await self.is_authentication_disabled() or not await self.is_valid_app_id(app_id):
            return await super().create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
        # One MSAL application per scope, so its token cache outlives the turn.
        if oauth_scope not in self._credentials:
            self._credentials[oauth_scope] = _AuthorityCredentials(
                app_id, self.password, self._authority, oauth_scope
            )
        return self._credentials[oauth_scope]


class _Authentication(ConfigurationBotFrameworkAuthentication):
    def __init__(self, settings: TeamsSettings, session: requests.Session):
        super().__init__(
            settings.sdk_configuration(),
            credentials_factory=(
                _AuthorityCredentialFactory(settings) if settings.login_url else None
            ),
        )
        self._session = session
        self._urls = settings.service_urls

    async def authenticate_request(self, activity: Activity, auth_header: str):
        result: AuthenticateRequestResult = await super().authenticate_request(
            activity, auth_header
        )
        if result.connector_factory is not None:
            result.connector_factory = _SharedSessionConnectorFactory(
                result.connector_factory, self._session, self._urls
            )
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _SharedSessionConnectorFactory(
            super().create_connector_factory(claims_identity), self._session, self._urls
        )


class TeamsConnector:
    """Everything that talks to the Bot Connector, shared by the webhook and the messenger."""

    def __init__(self, settings: TeamsSettings, *, retry: RetryPolicy | None = None):
        self.settings = settings
        self.service_urls = settings.service_urls
        self.retry = retry or RetryPolicy()
        self.session = _shared_session()
        self.adapter = CloudAdapter(_Authentication(settings, self.session))
        self.adapter.on_turn_error = self._on_turn_error

    @property
    def bot_app_id(self) -> str:
        return self.settings.app_id or ""

    def close(self) -> None:
        self.session.close()

    def _check(self, service_url: str | None, what: str) -> None:
        """Refuse (permanently) to send where Microsoft's Bot Connector is not."""
        if not self.service_urls.allows(service_url):
            log.warning("teams %s not sent: %s", what, NOT_BOT_FRAMEWORK)
            raise DeliveryError(f"Teams {what} not sent: {NOT_BOT_FRAMEWORK}", permanent=True)

    async def send(self, context: TurnContext, activity: Activity, *, what: str) -> str | None:
        """Send into the turn's conversation, retrying throttling and gateway errors."""
        what = f"{what} ({_where(context.activity)})"
        self._check(context.activity.service_url, what)
        response = await self.retry.run(
            lambda: context.send_activity(activity), what=what, posts=True
        )
        return response.id if response is not None else None

    async def send_proactive(
        self, reference: ConversationReference, activity: Activity, *, what: str
    ) -> str | None:
        """Post into a stored conversation (``continue_conversation``)."""
        self._check(reference.service_url, what)
        outcome: dict = {}

        async def callback(context: TurnContext) -> None:
            # botbuilder hands errors raised here to on_turn_error; keep them for the caller.
            try:
                outcome["id"] = await self.send(context, activity, what=what)
            except Exception as error:
                outcome["error"] = error

        await self.adapter.continue_conversation(reference, callback, self.bot_app_id)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("id")

    async def send_direct(
        self, source: Activity, activities: list[Activity], *, what: str, to: str | None = None
    ) -> list[str | None]:
        """Open (or reopen) the 1:1 chat with the sender of ``source`` (or member ``to``
        of its tenant) and send there."""
        self._check(source.service_url, what)
        tenant = tenant_of(source)
        parameters = ConversationParameters(
            is_group=False,
            bot=source.recipient,
            members=[ChannelAccount(id=to or source.from_property.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        sent: list[str | None] = []
        failures: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                for activity in activities:
                    sent.append(await self.send(context, activity, what=what))
            except Exception as error:
                failures.append(error)

        # Teams returns the same 1:1 conversation every time, so opening it is safe to retry.
        await self.retry.run(
            lambda: self.adapter.create_conversation(
                self.bot_app_id,
                callback,
                parameters,
                source.channel_id or "msteams",
                source.service_url,
            ),
            what=f"opening a 1:1 chat ({_where(source)})",
        )
        if failures:
            raise failures[0]
        return sent

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        # Only the error's type and where it was raised: its message may quote patient data.
        frames = traceback.extract_tb(error.__traceback__)
        origin = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        log.error(
            "teams turn failed (%s): type=%s error=%s at %s",
            _where(context.activity),
            context.activity.type,
            type(error).__name__,
            origin,
        )
        if context.activity.type == "message" and not context.responded:
            with contextlib.suppress(Exception):
                await context.send_activity(TURN_FAILED)


def _where(activity: Activity) -> str:
    """For operators' logs: which workspace and conversation (never any content)."""
    conversation = activity.conversation.id if activity.conversation else None
    return f"workspace {tenant_of(activity) or activity.channel_id}, conversation {conversation}"
