"""The operator's Open Dental settings, from the environment (each practice's own
settings are stored per workspace: see ``OpenDentalPractice``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.opendental.client import REMOTE_URL, OpenDentalError


class OpenDentalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    developer_key: SecretStr | None = Field(
        default=None, validation_alias="HUDDLE_OPENDENTAL_DEVELOPER_KEY"
    )
    base_url: str = Field(default=REMOTE_URL, validation_alias="HUDDLE_OPENDENTAL_URL")

    def require_developer_key(self) -> str:
        key = self.developer_key.get_secret_value().strip() if self.developer_key else ""
        if not key:
            raise OpenDentalError(
                "HUDDLE_OPENDENTAL_DEVELOPER_KEY is not set: the operator's Open Dental "
                "developer key (from Open Dental's Developer Portal) is needed to read schedules."
            )
        return key
