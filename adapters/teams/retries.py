"""Retrying the Bot Connector: back-off with jitter, Retry-After, and never a second post.

Throttling (429) and gateway errors (412, 502, 504) are retried with exponential
back-off and jitter, honouring ``Retry-After``; a post whose request may have gone
out before its connection failed is not retried (``Unconfirmed``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import requests
import urllib3
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.ports import DeliveryError, Unconfirmed

log = logging.getLogger("huddle.teams")

RETRYABLE = frozenset({429, 412, 502, 504})
PERMANENT = frozenset({400, 401, 403, 404})
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class RetryPolicy:
    """Exponential back-off with jitter; honours Retry-After up to ``max_delay``.

    ``budget`` caps the total wait, so that an answer inside a Teams turn (which
    Teams expects within 15 seconds) gives up in time rather than hang.
    """

    def __init__(
        self,
        *,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        budget: float = 10.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ):
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.budget = budget
        self.sleep = sleep
        self.jitter = jitter

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = self.base_delay * 2 ** (attempt - 1)
        return min(
            max(backoff, retry_after or 0.0) + self.jitter() * self.base_delay, self.max_delay
        )

    async def run(
        self, operation: Callable[[], Awaitable[T]], *, what: str, posts: bool = False
    ) -> T:
        """Run ``operation``; ``what`` names it in logs and errors (never any content).

        ``posts``: the operation posts a message. A connection that failed after the
        request may have gone out (a timeout, a dropped connection) is then not retried,
        since Teams may have posted it already: it is ``Unconfirmed``, and the clock
        gives it up rather than post twice. One that never connected is retried.
        """
        waited = 0.0
        for attempt in range(1, self.attempts + 1):
            try:
                return await operation()
            except HttpOperationError as error:
                status = _status(error)
                retry_after = _retry_after(error)
                if status not in RETRYABLE:
                    raise DeliveryError(
                        f"Teams refused {what}: HTTP {status}", permanent=status in PERMANENT
                    ) from None
                problem = f"HTTP {status}"
            except PermissionError:
                # No token for the bot (a wrong app password, say): retrying cannot help.
                log.warning("teams %s: the bot could not sign in (check MICROSOFT_APP_*)", what)
                raise DeliveryError(
                    f"Teams {what} not sent: the bot could not sign in", permanent=True
                ) from None
            except (ClientRequestError, requests.RequestException, OSError) as error:
                retry_after, problem = None, f"connection failed ({type(error).__name__})"
                if posts and may_have_arrived(error):
                    log.warning("teams %s: no answer after sending (%s)", what, problem)
                    raise Unconfirmed(f"Teams may have taken {what}: {problem}") from None
            delay = self.delay(attempt, retry_after)
            if (
                attempt == self.attempts
                or (retry_after or 0) > self.max_delay
                or waited + delay > self.budget
            ):
                log.warning("teams %s failed after %s attempts: %s", what, attempt, problem)
                raise DeliveryError(
                    f"Teams did not accept {what}: {problem}", retry_after=retry_after or delay
                )
            log.info("teams %s: %s, retrying in %.1fs", what, problem, delay)
            waited += delay
            await self.sleep(delay)
        raise AssertionError("unreachable")


# Failures that happen before a request leaves: nothing can have been posted.
_NEVER_SENT = (
    requests.exceptions.ConnectTimeout,
    ConnectionRefusedError,
    socket.gaierror,
    urllib3.exceptions.NewConnectionError,
)


def may_have_arrived(error: BaseException) -> bool:
    """Whether a connection error could have come after the request reached Teams."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _NEVER_SENT):
            return False
        inner = getattr(current, "inner_exception", None)
        current = inner or current.__cause__ or current.__context__
        if current is None and isinstance(error, requests.RequestException):
            reason = getattr(error.args[0], "reason", None) if error.args else None
            current = reason if isinstance(reason, BaseException) else None
    return True


def _status(error: HttpOperationError) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)


def _retry_after(error: HttpOperationError) -> float | None:
    response = getattr(error, "response", None)
    value = (getattr(response, "headers", None) or {}).get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:  # the other form: an HTTP date
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
