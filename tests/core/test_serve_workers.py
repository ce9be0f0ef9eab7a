"""``huddle serve`` as a real process: its core worker process starts with it, runs at a
lower scheduling priority, and never outlives it, however the server ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.crypto import generate_key
from tests import database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _niceness(pid: int) -> int:
    # proc(5): after the command name, "nice" is field 19 (state is field 3).
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"  # exited, not yet reaped by whoever its parent now is


def _until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def served(tmp_path):
    """A migrated SQLite file and ``huddle serve`` on it, up and answering /healthz."""
    url = f"sqlite:///{tmp_path / 'huddle.db'}"
    database.migrated_engine(url).dispose()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HUDDLE_ENCRYPTION_KEY": generate_key(),
        "HUDDLE_CORE_PROCESSES": "1",
        "HUDDLE_CORE_NICENESS": "10",
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN", "HUDDLE_DASHBOARD_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        assert _until(healthy, 60), "huddle serve did not come up"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def _worker_of(process) -> int:
    [worker] = [pid for pid in _children(process.pid) if _is_worker(pid)]
    return worker


def test_the_worker_is_up_with_the_server_at_a_lower_priority(served):
    worker = _worker_of(served)
    assert _niceness(worker) == _niceness(served.pid) + 10


def test_the_worker_ends_with_a_server_that_is_stopped(served):
    worker = _worker_of(served)
    served.send_signal(signal.SIGTERM)
    assert served.wait(30) == 0
    assert _until(lambda: _gone(worker))


def test_the_worker_ends_with_a_server_that_is_killed(served):
    worker = _worker_of(served)
    served.send_signal(signal.SIGKILL)
    served.wait(30)
    # Nothing closed its pipes: it notices its parent has gone, within seconds.
    assert _until(lambda: _gone(worker))
