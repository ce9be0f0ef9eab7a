"""Teams settings, read once at start-up from the environment."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.teams.service_urls import ServiceUrls, parse_hosts

APP_TYPES = {
    "singletenant": "SingleTenant",
    "multitenant": "MultiTenant",
    "userassignedmsi": "UserAssignedMSI",
}


class TeamsSettings(BaseSettings):
    """The Azure Bot registration Huddle answers as.

    With ``MICROSOFT_APP_ID`` every request must be signed by the Bot Connector. Without
    it Teams is closed (every request refused), unless
    ``TEAMS_UNAUTHENTICATED_EMULATOR_MODE`` is switched on for the Bot Framework
    Emulator on a developer's machine; never both.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_ID")
    app_password: SecretStr | None = Field(default=None, validation_alias="MICROSOFT_APP_PASSWORD")
    app_type: str = Field(default="SingleTenant", validation_alias="MICROSOFT_APP_TYPE")
    app_tenant_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_TENANT_ID")
    # Where the Bot Connector's token signing keys are published. Only sovereign clouds
    # (and the test suite's local stand-in) change it.
    openid_metadata_url: str | None = Field(
        default=None, validation_alias="MICROSOFT_OPENID_METADATA_URL"
    )

    # The Entra ID authority Huddle asks for its outbound Bot Connector tokens, e.g.
    # https://login.example.net/<tenant>. Unset: botbuilder's own (login.microsoftonline.com
    # with the app's tenant). Only private clouds and the test suite's token stand-in set it.
    login_url: str | None = Field(default=None, validation_alias="MICROSOFT_LOGIN_URL")

    # The Bot Connector hosts a serviceUrl may name (comma-separated, "*.x" for any host
    # under x). Unset: Microsoft's documented hosts (service_urls.DEFAULT_SERVICE_URL_HOSTS).
    # Only sovereign clouds (and the test suite's local stand-in) set it.
    service_url_hosts: str | None = Field(
        default=None, validation_alias="MICROSOFT_SERVICE_URL_HOSTS"
    )

    # The Emulator sends no tokens. Taking requests without them must be asked for by
    # name: forgetting MICROSOFT_APP_ID on a server must never open it to anyone.
    unauthenticated_emulator_mode: bool = Field(
        default=False, validation_alias="TEAMS_UNAUTHENTICATED_EMULATOR_MODE"
    )

    @model_validator(mode="after")
    def _complete(self) -> TeamsSettings:
        self.app_id = (self.app_id or "").strip() or None
        canonical = APP_TYPES.get(self.app_type.strip().casefold())
        if canonical is None:
            raise ValueError(
                f"MICROSOFT_APP_TYPE={self.app_type!r} is not one of SingleTenant, "
                "MultiTenant, UserAssignedMSI"
            )
        self.app_type = canonical
        self.login_url = (self.login_url or "").strip().rstrip("/") or None
        if self.login_url is not None:
            parts = urlsplit(self.login_url)
            if parts.scheme != "https" or not parts.hostname or parts.path.strip("/") == "":
                raise ValueError(
                    "MICROSOFT_LOGIN_URL must be an https:// authority with a tenant, "
                    "like https://login.example.net/<tenant-id>"
                )
            if canonical == "UserAssignedMSI":
                raise ValueError("MICROSOFT_LOGIN_URL does not apply to UserAssignedMSI")
        if self.app_id is None:
            return self
        if self.unauthenticated_emulator_mode:
            raise ValueError(
                "MICROSOFT_APP_ID and TEAMS_UNAUTHENTICATED_EMULATOR_MODE are both set: "
                "with an app id every request is authenticated, so unset "
                "TEAMS_UNAUTHENTICATED_EMULATOR_MODE (or unset MICROSOFT_APP_ID to use the "
                "Bot Framework Emulator on your own machine)"
            )
        if canonical != "UserAssignedMSI" and not self.password:
            raise ValueError("MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is missing")
        if canonical in {"SingleTenant", "UserAssignedMSI"} and not self.app_tenant_id:
            raise ValueError(
                f"MICROSOFT_APP_TYPE={canonical} needs MICROSOFT_APP_TENANT_ID "
                "(the Directory (tenant) ID of the bot's app registration)"
            )
        return self

    @property
    def password(self) -> str:
        return self.app_password.get_secret_value() if self.app_password else ""

    @property
    def authenticated(self) -> bool:
        return self.app_id is not None

    @property
    def emulator(self) -> bool:
        """Unauthenticated requests are taken (the validator keeps it apart from an app id)."""
        return self.unauthenticated_emulator_mode and not self.authenticated

    @property
    def configured(self) -> bool:
        """Whether /api/messages answers at all: an app id, or the Emulator asked for."""
        return self.authenticated or self.emulator

    @property
    def service_urls(self) -> ServiceUrls:
        """Which serviceUrls Huddle talks to: the listed hosts (and, for the Emulator, loopback)."""
        return ServiceUrls(parse_hosts(self.service_url_hosts), emulator=self.emulator)

    def sdk_configuration(self) -> SimpleNamespace:
        """The attribute bag botbuilder's configuration classes read."""
        if not self.authenticated:
            # No credentials: botbuilder treats an empty app id as "auth disabled". The
            # webhook only gets here in Emulator mode; closed, it never builds an adapter.
            return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant")
        configuration = SimpleNamespace(
            APP_ID=self.app_id,
            APP_PASSWORD=self.password,
            APP_TYPE=self.app_type,
            APP_TENANTID=self.app_tenant_id,
        )
        if self.openid_metadata_url:
            # botbuilder switches to fully parameterized settings as soon as one is given,
            # so the rest of the public cloud's values must come along.
            from botbuilder.schema import CallerIdConstants
            from botframework.connector.auth import AuthenticationConstants as Public

            configuration.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = self.openid_metadata_url
            configuration.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = (
                Public.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            )
            configuration.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = Public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
            configuration.TO_CHANNEL_FROM_BOT_LOGIN_URL = (
                Public.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
            )
            configuration.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = Public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
            configuration.OAUTH_URL = Public.OAUTH_URL
            configuration.CALLER_ID = CallerIdConstants.public_azure_channel
        return configuration


class TeamsConfigurationError(Exception):
    """The Teams settings are incomplete; the message names the variables, never their values."""


def load_teams_settings() -> TeamsSettings:
    """Read the Teams settings from the environment, with errors fit to show people.

    pydantic's own message repeats the input, which would print the app password;
    a problem with one variable is named by it.
    """
    try:
        return TeamsSettings()
    except ValidationError as error:
        problems = "; ".join(_problem(problem) for problem in error.errors())
        raise TeamsConfigurationError(f"Teams configuration problem: {problems}") from None


def _problem(problem) -> str:
    message = str(problem["msg"]).removeprefix("Value error, ")
    variable = ".".join(str(part) for part in problem.get("loc") or ())
    return f"{variable}: {message}" if variable else message
