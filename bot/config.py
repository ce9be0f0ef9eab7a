"""Huddle's core settings, read once from the environment by the entry point.

Adapters keep their own settings classes next to their code (Slack's, Teams');
this one holds what the core needs.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.scheduling import WEEKDAYS

DEFAULT_DATABASE_URL = "sqlite:///./huddle.db"


class Settings(BaseSettings):
    """Core configuration. Every field maps to one environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    encryption_key: SecretStr | None = Field(default=None, validation_alias="HUDDLE_ENCRYPTION_KEY")
    key_file: Path = Field(default=Path(".huddle-console.key"), validation_alias="HUDDLE_KEY_FILE")
    tidbit_retention_days: int = Field(
        default=365, ge=1, le=3650, validation_alias="HUDDLE_TIDBIT_RETENTION_DAYS"
    )
    content_dir: Path | None = Field(default=None, validation_alias="HUDDLE_CONTENT_DIR")
    # Where the console writes the files a reply carries (charts, exports).
    files_dir: Path = Field(default=Path("huddle-files"), validation_alias="HUDDLE_FILES_DIR")
    default_timezone: str = Field(default="UTC", validation_alias="HUDDLE_DEFAULT_TIMEZONE")
    log_level: str = Field(default="INFO", validation_alias="HUDDLE_LOG_LEVEL")
    # The clock sends the story nudge on this day; `/huddle status` shows it too.
    nudge_weekday: str = Field(default="wednesday", validation_alias="HUDDLE_NUDGE_WEEKDAY")
    # Where people reach `huddle serve` (https://huddle.example.com): a download link's base.
    public_url: str | None = Field(default=None, validation_alias="HUDDLE_PUBLIC_URL")

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_url(cls, value: str) -> str:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        if not value.startswith(("sqlite:", "postgresql+")):
            raise ValueError(
                "DATABASE_URL must be a SQLite URL (sqlite:///./huddle.db) or a PostgreSQL "
                "URL (postgresql://user:password@host/database)"
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _valid_public_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(
                f"HUDDLE_PUBLIC_URL={value!r} must be the server's web address, "
                "like https://huddle.example.com"
            )
        return value

    @field_validator("nudge_weekday")
    @classmethod
    def _valid_nudge_weekday(cls, value: str) -> str:
        return valid_weekday_setting(value)

    @field_validator("default_timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"HUDDLE_DEFAULT_TIMEZONE={value!r} is not an IANA timezone") from exc
        return value


def valid_weekday_setting(value: str) -> str:
    """HUDDLE_NUDGE_WEEKDAY, checked: a weekday's English name, any case."""
    value = value.strip().casefold()
    if value not in WEEKDAYS:
        raise ValueError(f"HUDDLE_NUDGE_WEEKDAY={value!r} is not a weekday, e.g. wednesday")
    return value
