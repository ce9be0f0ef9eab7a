"""Clock fixtures: a recording Messenger (our own port), fake time for back-off, helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.clock.config import ClockSettings
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError
from tests.conftest import Chat


@dataclass(frozen=True)
class Post:
    ref: ConversationRef
    reply: Reply
    message_id: str

    @property
    def text(self) -> str:
        return self.reply.plain()


class RecordingMessenger:
    """A Messenger that records what it was asked to post.

    ``fail(workspace, channel=None, error=...)`` makes posts to a channel (or a whole
    workspace) raise; ``error`` may be a callable of the attempt number, so a test
    can fail the first N attempts only. Every send yields to the event loop once,
    so concurrent runs really interleave.
    """

    def __init__(self, platform: str = "slack"):
        self.platform = platform
        self.posts: list[Post] = []
        self.attempts: list[ConversationRef] = []
        self._failures: dict[tuple[str, str | None], Callable[[int], Exception | None]] = {}
        self._counts: dict[tuple[str, str | None], int] = {}
        self.on_send: Callable[[ConversationRef], None] | None = None
        self.gates: dict[str, asyncio.Event] = {}  # channel -> wait for it before answering
        self.entered = asyncio.Event()  # a send is waiting at a gate

    def fail(
        self,
        workspace: str,
        channel: str | None = None,
        error: Exception | Callable[[int], Exception | None] | None = None,
    ) -> None:
        if error is None:
            error = DeliveryError("channel_not_found")
        self._failures[(workspace, channel)] = error if callable(error) else (lambda n: error)

    def heal(self) -> None:
        self._failures.clear()

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None:
        self.attempts.append(ref)
        await asyncio.sleep(0)
        gate = self.gates.get(ref.channel_id)
        if gate is not None:
            self.entered.set()
            await gate.wait()
        for key in ((ref.workspace_id, ref.channel_id), (ref.workspace_id, None)):
            failure = self._failures.get(key)
            if failure is not None:
                self._counts[key] = self._counts.get(key, 0) + 1
                error = failure(self._counts[key])
                if error is not None:
                    raise error
        message_id = f"{ref.platform}-{ref.workspace_id}-{ref.channel_id}-{len(self.posts) + 1}"
        self.posts.append(Post(ref, reply, message_id))
        if self.on_send is not None:
            self.on_send(ref)
        return message_id

    def posts_to(self, channel: str, workspace: str | None = None) -> list[Post]:
        return [
            p
            for p in self.posts
            if p.ref.channel_id == channel
            and (workspace is None or p.ref.workspace_id == workspace)
        ]

    def titled(self, title: str) -> list[Post]:
        return [p for p in self.posts if (p.reply.title or "").startswith(title)]


class FakeMonotonic:
    """The fan-out's clock for Retry-After waits: sleeping advances it without waiting.

    A sleeper first lets everything else that is ready run, including the clock's
    database writes in threads (a real sleep of seconds lets many quick posts
    through), then moves the clock on.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.writing = 0  # the journal's writes in flight (counted by the fixture)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        # Quiet three times over, with a real moment between (a loaded machine runs the
        # database threads late), before the clock moves on.
        quiet = 0
        while quiet < 3:
            for _ in range(50):
                await asyncio.sleep(0)
            if self.writing:
                quiet = 0
                while self.writing:
                    await asyncio.sleep(0.001)
            else:
                quiet += 1
                await asyncio.sleep(0.002)
        self.now = max(self.now, self.now + seconds)


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger("slack")


@pytest.fixture
def messengers(messenger) -> dict[str, RecordingMessenger]:
    return {"slack": messenger}


@pytest.fixture
def options() -> ClockSettings:
    return ClockSettings.defaults()


@pytest.fixture
def fake_time(monkeypatch) -> FakeMonotonic:
    from bot.clock import journal

    fake = FakeMonotonic()

    async def counted(*args, **kwargs):
        fake.writing += 1
        try:
            return await asyncio.to_thread(*args, **kwargs)
        finally:
            fake.writing -= 1

    monkeypatch.setattr(journal, "to_thread", counted)
    return fake


def local(tz: str, *args) -> datetime:
    """An aware UTC time from a wall time in ``tz``."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def channel(huddle, name: str, workspace: str = "T1", platform: str = "slack") -> Chat:
    return Chat(huddle, workspace=workspace, channel=name, platform=platform)
