"""Slack's settings, read once from the environment when ``huddle serve`` starts."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:history",
    "groups:history",
    "reactions:read",
    "users:read",
    "files:write",  # the service report's chart and exports: files_upload_v2
    "files:read",  # files_upload_v2 reads the file back on some workspaces
    "im:write",  # a private reply's files go to the person's DM (conversations.open)
)


class SlackMode(StrEnum):
    SINGLE = "single-workspace"  # one bot token for one workspace
    MULTI = "multi-workspace"  # OAuth installs, tokens in the installation store


class SlackConfigError(ValueError):
    """Slack is half-configured; the message names the missing variable."""


class SlackSettings(BaseSettings):
    """Every field maps to one environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    scopes: str = Field(default=",".join(DEFAULT_SCOPES), validation_alias="SLACK_SCOPES")
    redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    install_path: str = Field(default="/slack/install", validation_alias="SLACK_INSTALL_PATH")
    redirect_path: str = Field(
        default="/slack/oauth_redirect", validation_alias="SLACK_REDIRECT_PATH"
    )
    events_path: str = Field(default="/slack/events", validation_alias="SLACK_EVENTS_PATH")
    # Seconds between retries of a 5xx or a dropped connection (backoff factor); 0 retries at once.
    retry_interval: float = Field(default=0.5, ge=0, le=30, validation_alias="SLACK_RETRY_INTERVAL")
    max_retries: int = Field(default=2, ge=0, le=10, validation_alias="SLACK_MAX_RETRIES")
    # Core calls run in threads this many at a time (see SlackAdapter.core).
    core_concurrency: int = Field(default=2, ge=1, le=64, validation_alias="SLACK_CORE_CONCURRENCY")
    http_timeout: int = Field(default=10, ge=1, le=120, validation_alias="SLACK_HTTP_TIMEOUT")

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack-sdk joins method names onto the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"

    @property
    def configured(self) -> bool:
        return bool(self.bot_token or self.client_id)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def scope_list(self) -> list[str]:
        return [scope.strip() for scope in self.scopes.split(",") if scope.strip()]

    @property
    def mode(self) -> SlackMode:
        return SlackMode.MULTI if self.client_id and not self.bot_token else SlackMode.SINGLE

    def check(self) -> None:
        """Refuse half a configuration, naming what is missing."""
        if not self.configured:
            return
        if self.signing_secret is None and not self.socket_mode:
            raise SlackConfigError(
                "SLACK_SIGNING_SECRET is not set. Copy it from your Slack app's Basic Information "
                "page (or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        if self.bot_token is not None and self.client_id and self.client_secret is not None:
            # slack-bolt reads SLACK_CLIENT_ID/SECRET from the environment by itself and would
            # then look every workspace up in an empty file store, ignoring the bot token.
            raise SlackConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are all set: choose one "
                "mode. Keep SLACK_BOT_TOKEN for one workspace, or unset it for multi-workspace "
                "installs."
            )
        if self.mode is SlackMode.MULTI and self.client_secret is None:
            raise SlackConfigError(
                "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not. Copy both from your Slack "
                "app's Basic Information page, or set SLACK_BOT_TOKEN for one workspace."
            )
        if self.socket_mode and self.mode is SlackMode.MULTI:
            raise SlackConfigError(
                "Socket Mode (SLACK_APP_TOKEN) serves one workspace: set SLACK_BOT_TOKEN too, "
                "or unset SLACK_APP_TOKEN for multi-workspace installs over HTTP."
            )
        token = self.app_token.get_secret_value() if self.app_token else None
        if token is not None and not token.startswith("xapp-"):
            raise SlackConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp-."
            )
