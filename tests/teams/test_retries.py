"""A Teams post whose answer never came is not sent again; one that never left is."""

from __future__ import annotations

import pytest
import requests

from adapters.teams.retries import RetryPolicy
from bot.ports import Unconfirmed


class Flaky:
    """An operation that fails with ``error`` the first time, then succeeds."""

    def __init__(self, error: Exception):
        self.error, self.calls = error, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls == 1:
            raise self.error
        return "posted"


def _policy(sleeps: list[float]) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryPolicy(sleep=sleep)


@pytest.mark.parametrize(
    "error",
    [requests.exceptions.ReadTimeout("read timed out"), ConnectionResetError("reset by peer")],
)
async def test_a_post_that_may_have_arrived_is_unconfirmed_not_sent_twice(error):
    sleeps: list[float] = []
    operation = Flaky(error)
    with pytest.raises(Unconfirmed):
        await _policy(sleeps).run(operation, what="post", posts=True)
    assert operation.calls == 1 and sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        ConnectionRefusedError("refused"),
    ],
)
async def test_a_post_that_never_left_is_retried(error):
    sleeps: list[float] = []
    operation = Flaky(error)
    assert await _policy(sleeps).run(operation, what="post", posts=True) == "posted"
    assert operation.calls == 2 and len(sleeps) == 1


async def test_what_is_safe_to_repeat_is_retried_after_a_timeout():
    sleeps: list[float] = []
    operation = Flaky(requests.exceptions.ReadTimeout("read timed out"))
    assert await _policy(sleeps).run(operation, what="open chat") == "posted"
    assert operation.calls == 2
