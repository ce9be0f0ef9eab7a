"""The dashboard's settings, read once when ``huddle serve`` starts.

The dashboard is served when ``HUDDLE_DASHBOARD_URL`` (its public address) is set;
then its session key is required, and each sign-in is offered when its credentials
are. Slack's and Microsoft's endpoints come from the same base-URL settings the bot
has (``SLACK_API_URL``, ``MICROSOFT_LOGIN_URL``), so tests reach local stand-ins.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "/dashboard"


class DashboardConfigError(ValueError):
    """The dashboard is half-configured; the message names the variable, never its value."""


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    url: str | None = Field(default=None, validation_alias="HUDDLE_DASHBOARD_URL")
    session_key: SecretStr | None = Field(
        default=None, validation_alias="HUDDLE_DASHBOARD_SESSION_KEY"
    )
    # Off only for a developer's plain-http machine and the browser tests.
    secure_cookie: bool = Field(default=True, validation_alias="HUDDLE_DASHBOARD_SECURE_COOKIE")
    session_hours: int = Field(default=8, ge=1, le=24, validation_alias="HUDDLE_DASHBOARD_HOURS")
    link_minutes: int = Field(
        default=15, ge=1, le=60, validation_alias="HUDDLE_DASHBOARD_LINK_MINUTES"
    )

    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET"
    )
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_authorize_url: str = Field(
        default="https://slack.com/openid/connect/authorize",
        validation_alias="SLACK_OPENID_AUTHORIZE_URL",
    )

    microsoft_client_id: str | None = Field(
        default=None, validation_alias="HUDDLE_DASHBOARD_MICROSOFT_CLIENT_ID"
    )
    microsoft_client_secret: SecretStr | None = Field(
        default=None, validation_alias="HUDDLE_DASHBOARD_MICROSOFT_CLIENT_SECRET"
    )
    # Which accounts may sign in: "organizations" (any work account), or a tenant id.
    microsoft_tenant: str = Field(
        default="organizations", validation_alias="HUDDLE_DASHBOARD_MICROSOFT_TENANT"
    )
    microsoft_login_url: str | None = Field(default=None, validation_alias="MICROSOFT_LOGIN_URL")
    # A CA bundle to trust for the login host (a private cloud's, or the tests' stand-in).
    microsoft_ca_bundle: str | None = Field(
        default=None, validation_alias="HUDDLE_DASHBOARD_MICROSOFT_CA_BUNDLE"
    )

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def enabled(self) -> bool:
        return bool((self.url or "").strip())

    @property
    def public_url(self) -> str:
        """The dashboard's public address, with its prefix: https://host/dashboard."""
        return (self.url or "").strip().rstrip("/")

    @property
    def slack_sign_in(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def microsoft_sign_in(self) -> bool:
        return bool(self.microsoft_client_id and self.microsoft_client_secret)

    @property
    def microsoft_authority(self) -> str:
        """The Entra authority: MICROSOFT_LOGIN_URL's scheme and host, and the tenant."""
        base = "https://login.microsoftonline.com"
        if self.microsoft_login_url:
            parts = urlsplit(self.microsoft_login_url.strip())
            base = f"{parts.scheme}://{parts.netloc}"
        return f"{base}/{self.microsoft_tenant.strip() or 'organizations'}"

    @property
    def microsoft_is_public_cloud(self) -> bool:
        return self.microsoft_authority.startswith("https://login.microsoftonline.com/")

    def fernet_key(self) -> bytes:
        assert self.session_key is not None
        return self.session_key.get_secret_value().strip().encode()

    def check(self) -> None:
        """Refuse a dashboard without its session key, naming the variable."""
        if not self.enabled:
            return
        parts = urlsplit(self.public_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise DashboardConfigError(
                "HUDDLE_DASHBOARD_URL must be the dashboard's public address, like "
                f"https://huddle.example.com{PREFIX}"
            )
        if self.session_key is None or not self.session_key.get_secret_value().strip():
            raise DashboardConfigError(
                "HUDDLE_DASHBOARD_SESSION_KEY is not set: the dashboard's session cookie needs "
                "a Fernet key. Make one with `huddle keys generate`."
            )
        try:
            Fernet(self.fernet_key())
        except ValueError:
            raise DashboardConfigError(
                "HUDDLE_DASHBOARD_SESSION_KEY is not a Fernet key. Make one with "
                "`huddle keys generate`."
            ) from None
        if bool(self.microsoft_client_id) != bool(self.microsoft_client_secret):
            raise DashboardConfigError(
                "Sign in with Microsoft needs both HUDDLE_DASHBOARD_MICROSOFT_CLIENT_ID and "
                "HUDDLE_DASHBOARD_MICROSOFT_CLIENT_SECRET."
            )


def load_dashboard_settings() -> DashboardSettings:
    try:
        settings = DashboardSettings()
    except ValidationError as error:
        names = ", ".join(".".join(str(p) for p in e.get("loc") or ()) for e in error.errors())
        raise DashboardConfigError(f"Dashboard configuration problem: {names}") from None
    settings.check()
    return settings
