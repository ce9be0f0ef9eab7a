"""The Slack Web API client Huddle uses: one per process, with slack-sdk's retry handlers.

Every call goes to ``SLACK_API_URL``. slack-sdk logs request and response bodies at
DEBUG; bodies can hold patient data (a tidbit recall), so the loggers handed to
the SDK drop those records whatever the log level.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.settings import SlackSettings

# What a failed Web API or response_url call can raise, once slack-sdk's retries are spent.
SLACK_FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)
# Web API errors meaning the workspace's token is dead.
TOKEN_GONE = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})

# Errors that retrying cannot fix: the channel or the install is gone, or a scope is missing.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "restricted_action",
        "team_access_not_granted",
        "msg_too_long",
        "invalid_blocks",
    }
)

_BODY_PREFIXES = (
    "Sending a request",  # Web API and response_url request bodies
    "Received the following response",
    "Received message",  # Socket Mode envelopes (the whole slash command or event)
    "Sending a message",  # Socket Mode acknowledgements
    "Failed to send a message",
)


class DropPayloads(logging.Filter):
    """Drops slack-sdk's request/response body records (they may carry patient data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return not message.startswith(_BODY_PREFIXES)


def sdk_logger(name: str = "huddle.lib.slack.sdk") -> logging.Logger:
    """A logger for slack-sdk clients that never records request or response bodies."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, DropPayloads) for f in logger.filters):
        logger.addFilter(DropPayloads())
    return logger


def guard_sdk_loggers() -> None:
    """Apply the same filter to the SDK's own module loggers (e.g. response_url posts)."""
    for name in (
        "slack_sdk.webhook.async_client",
        "slack_sdk.web.async_base_client",
        "slack_sdk.web.async_client",
        "slack_sdk.socket_mode.aiohttp",
        "slack_bolt.AsyncApp",
    ):
        sdk_logger(name)


def interval(settings: SlackSettings) -> RetryIntervalCalculator:
    if settings.retry_interval == 0:
        return FixedValueRetryIntervalCalculator(fixed_internal=0)
    return BackoffRetryIntervalCalculator(backoff_factor=settings.retry_interval)


def retry_handlers(settings: SlackSettings, *, rate_limit_retries: int) -> list[AsyncRetryHandler]:
    """429s wait for Retry-After; 500/503 and dropped connections back off and retry."""
    handlers: list[AsyncRetryHandler] = [
        AsyncServerErrorRetryHandler(
            max_retry_count=settings.max_retries, interval_calculator=interval(settings)
        ),
        AsyncConnectionErrorRetryHandler(
            max_retry_count=settings.max_retries, interval_calculator=interval(settings)
        ),
    ]
    if rate_limit_retries:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return handlers


def build_web_client(
    settings: SlackSettings, *, token: str | None = None, rate_limit_retries: int = 1
) -> AsyncWebClient:
    """One client per process; its aiohttp session is attached when the server starts."""
    return AsyncWebClient(
        token=token,
        base_url=settings.api_url,
        timeout=settings.http_timeout,
        logger=sdk_logger(),
        retry_handlers=retry_handlers(settings, rate_limit_retries=rate_limit_retries),
    )


def with_token(base: AsyncWebClient, token: str | None) -> AsyncWebClient:
    """A client for one workspace's token (``base``'s if None), sharing ``base``'s HTTP
    session and retry handlers, as bolt's own per-request client does."""
    return AsyncWebClient(
        token=token or base.token,
        base_url=base.base_url,
        timeout=base.timeout,
        logger=base.logger,
        session=base.session,
        retry_handlers=base.retry_handlers,
    )


def error_code(error: Exception) -> str:
    """A short, data-free description of a failed call, for logs and people."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = response.get("error") if isinstance(response.data, dict) else None
        return str(code or f"http_{response.status_code}")
    return type(error).__name__


def retry_after(error: Exception) -> float | None:
    if not isinstance(error, SlackApiError) or error.response.status_code != 429:
        return None
    headers = {k.lower(): v for k, v in (error.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else 1.0
    except ValueError:
        return 1.0


def is_permanent(error: Exception) -> bool:
    return error_code(error) in PERMANENT_ERRORS
