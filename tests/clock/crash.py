"""Killing the real clock mid fan-out: for the kill test and ``benchmarks/clock_faults.py``.

One round: a fresh SQLite file with ``channels`` Slack channels all due, a ``huddle jobs
run monday-meeting`` process posting to the Slack stand-in (in its own process), which
SIGKILLs that clock when its ``nth`` post arrives (before storing it, or after storing
it and before answering: the answer is lost). Then the job runs again, to the end,
once the killed run's posts are past the send timeout, and the stand-in says how many
posts each channel got::

    with StandIn(latency=0.01) as slack:
        result = crash_round(slack, folder, channels=300, nth=120, after_storing=True)
    assert result.missed == result.doubled == 0
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.clock.journal import AHEAD
from bot.crypto import generate_key
from bot.storage import db
from bot.storage.models import MeetingPost, Subscription, Workspace

TEAM, TOKEN = "T1", "xoxb-crash"
SEND_TIMEOUT = 1.0  # the clock's send timeout in these rounds (seconds)
RUN_TIMEOUT = 60.0  # the most one clock process may take


def _serve(conn, latency: float) -> None:
    from tests.standins.slack_api import SlackAPIStandIn

    async def main() -> None:
        api = SlackAPIStandIn(latency=latency)
        api.add_workspace(TEAM, token=TOKEN)
        await api.start()
        conn.send(api.url)
        loop = asyncio.get_running_loop()
        while True:
            command, *args = await loop.run_in_executor(None, conn.recv)
            if command == "arm":  # (pid, nth post, after storing it)
                api.kill_at = tuple(args)
            elif command == "reset":
                api.kill_at = None
                api.messages.clear()
                api.delivered.clear()
                api.calls.clear()
            elif command == "counts":
                counts = {channel: len(m) for (_, channel), m in api.messages.items()}
                conn.send((counts, len(api.calls_to("chat.postMessage")), api.kill_at is None))
                continue
            elif command == "stop":
                break
            conn.send("ok")
        await api.close()

    asyncio.run(main())


class StandIn:
    """The Slack stand-in in its own process, driven through a pipe."""

    def __init__(self, *, latency: float = 0.01):
        self.latency = latency

    def __enter__(self) -> StandIn:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(child, self.latency), daemon=True
        )
        self._process.start()
        self.url = self._ask("url-wait")
        return self

    def _ask(self, command: str, *args):
        if command != "url-wait":
            self._conn.send((command, *args))
        if not self._conn.poll(RUN_TIMEOUT):
            raise TimeoutError(f"the Slack stand-in did not answer {command!r}")
        return self._conn.recv()

    def arm(self, pid: int, nth: int, after_storing: bool) -> None:
        self._ask("arm", pid, nth, after_storing)

    def reset(self) -> None:
        self._ask("reset")

    def counts(self) -> tuple[dict[str, int], int, bool]:
        """(posts per channel, chat.postMessage calls, whether the kill went off)."""
        return self._ask("counts")

    def __exit__(self, *exc) -> None:
        self._conn.send(("stop",))
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def seed(url: str, channels: int) -> None:
    """A migrated database with ``channels`` Slack channels, all due this week."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    week_ago = datetime.now(UTC) - timedelta(days=8)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Workspace.__table__),
            [
                dict(
                    platform="slack",
                    external_id=TEAM,
                    name="P",
                    timezone="UTC",
                    created_at=week_ago,
                )
            ],
        )
        [workspace_id] = connection.execute(sa.select(Workspace.__table__.c.id)).scalars()
        connection.execute(
            sa.insert(Subscription.__table__),
            [
                dict(
                    workspace_id=workspace_id,
                    channel_id=f"C{n:05d}",
                    weekday=0,  # Monday 00:00 UTC: due all week (a catch-up)
                    hour=0,
                    minute=0,
                    timezone="UTC",
                    active=True,
                    created_by="U0",
                    created_at=week_ago,
                    updated_at=week_ago,
                )
                for n in range(channels)
            ],
        )
    engine.dispose()


def statuses(url: str) -> Counter:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(MeetingPost.__table__.c.status)).scalars()
            return Counter(rows)
    finally:
        engine.dispose()


def clock_env(url: str, slack: StandIn, key: str, concurrency: int) -> dict[str, str]:
    skip = ("HUDDLE_", "DATABASE_URL", "SLACK_", "MICROSOFT_", "TEAMS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        DATABASE_URL=url,
        HUDDLE_ENCRYPTION_KEY=key,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="crash-signing-secret",
        SLACK_API_URL=slack.url,
        SLACK_RETRY_INTERVAL="0",
        HUDDLE_CLOCK_SEND_TIMEOUT_SECONDS=str(SEND_TIMEOUT),
        HUDDLE_CLOCK_WORKSPACE_CONCURRENCY=str(concurrency),
        HUDDLE_CLOCK_CONCURRENCY=str(concurrency),
    )
    return env


def run_clock(env: dict[str, str], cwd: Path, slack: StandIn | None = None, **kill) -> int:
    """One ``huddle jobs run monday-meeting``; ``kill``: arm the stand-in with its pid first."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "jobs", "run", "monday-meeting"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if slack is not None:
            slack.arm(process.pid, kill["nth"], kill["after_storing"])
        _, err = process.communicate(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode not in (0, 1, -9):
        raise RuntimeError(f"the clock exited with {process.returncode}: {err[-2000:]}")
    return process.returncode


@dataclass
class Round:
    channels: int
    nth: int
    after_storing: bool
    killed: bool  # the kill went off (the fan-out reached the nth post)
    posted_before_kill: int  # chat.postMessage calls that reached Slack before the kill
    after_kill: Counter  # the claims' states the killed run left
    missed: int  # channels with no post in the end
    doubled: int  # channels with more than one
    statuses: Counter  # the claims' states in the end
    seconds: float


def crash_round(
    slack: StandIn,
    folder: Path,
    *,
    channels: int,
    nth: int,
    after_storing: bool,
    concurrency: int = 10,
) -> Round:
    started = time.monotonic()
    slack.reset()
    url = f"sqlite:///{folder}/clock.db"
    seed(url, channels)
    env = clock_env(url, slack, generate_key(), concurrency)
    run_clock(env, folder, slack, nth=nth, after_storing=after_storing)
    _, reached, killed = slack.counts()
    left = statuses(url)
    # The next run settles what the killed one left once its holds have passed (the send
    # timeout and the journal's window for marks ahead): wait out that much real time.
    time.sleep(SEND_TIMEOUT * (1 + AHEAD) + 0.2)
    run_clock(env, folder)
    counts, _, _ = slack.counts()
    missed = sum(1 for n in range(channels) if counts.get(f"C{n:05d}", 0) == 0)
    doubled = sum(1 for c in counts.values() if c > 1)
    return Round(
        channels,
        nth,
        after_storing,
        killed,
        reached,
        left,
        missed,
        doubled,
        statuses(url),
        time.monotonic() - started,
    )
