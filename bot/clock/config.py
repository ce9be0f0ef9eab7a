"""The clock's settings: read once by ``huddle clock`` / ``huddle jobs`` and passed down."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import valid_weekday_setting
from bot.scheduling import WEEKDAYS


class ClockSettings(BaseSettings):
    """How often the clock looks, how hard it posts, and when it nudges.

    Every field maps to one environment variable. ``ClockSettings.defaults()``
    gives the defaults without reading the environment (for tests and scripts).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    interval_seconds: int = Field(
        default=60, ge=5, le=3600, validation_alias="HUDDLE_CLOCK_INTERVAL_SECONDS"
    )
    concurrency: int = Field(
        default=100, ge=1, le=2000, validation_alias="HUDDLE_CLOCK_CONCURRENCY"
    )
    workspace_concurrency: int = Field(
        default=3, ge=1, le=100, validation_alias="HUDDLE_CLOCK_WORKSPACE_CONCURRENCY"
    )
    send_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, validation_alias="HUDDLE_CLOCK_SEND_TIMEOUT_SECONDS"
    )
    rate_limit_retries: int = Field(
        default=3, ge=0, le=20, validation_alias="HUDDLE_CLOCK_RATE_LIMIT_RETRIES"
    )
    max_backoff_minutes: int = Field(
        default=60, ge=1, le=24 * 60, validation_alias="HUDDLE_CLOCK_MAX_BACKOFF_MINUTES"
    )
    batch_size: int = Field(default=500, ge=1, le=5000, validation_alias="HUDDLE_CLOCK_BATCH_SIZE")
    nudge_weekday: str = Field(default="wednesday", validation_alias="HUDDLE_NUDGE_WEEKDAY")

    @field_validator("nudge_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        return valid_weekday_setting(value)

    @property
    def nudge_weekday_index(self) -> int:
        return WEEKDAYS.index(self.nudge_weekday)

    @classmethod
    def defaults(cls, **overrides) -> ClockSettings:
        """The defaults (plus ``overrides``), ignoring the environment."""
        return cls.model_validate(overrides) if overrides else cls.model_construct()
