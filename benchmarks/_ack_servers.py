"""The servers ``slack_ack.py`` and ``footprint.py`` start: ``huddle serve`` and a bare slack-bolt app.

Run as a script, it is the bare app: ``python benchmarks/_ack_servers.py PORT
[--before-response]``, a slack-bolt AsyncApp on aiohttp whose only listener acks /defect.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"
CLIENT_ID = "111.222"


def signed(body: str) -> dict:
    """Headers Slack would send with a form-encoded request body, signed with SECRET."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


async def wait_until_up(url: str, process: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_workspaces(database_url: str, workspaces: int) -> None:
    """Every workspace installed through slack-sdk's store, as the OAuth flow leaves it."""
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from bot.storage import db

    engine = db.make_engine(database_url)
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    for n in range(workspaces):
        store.save(
            Installation(
                app_id="A0BENCH",
                team_id=f"T{n}",
                team_name=f"Practice {n}",
                bot_token=f"xoxb-bench-{n}",
                bot_id=f"B{n}",
                bot_user_id=f"UB{n}",
                bot_scopes="commands,chat:write",
                user_id="U0",
            )
        )
    engine.dispose()


def start_huddle(
    database_url: str,
    api,
    port: int,
    *,
    multi: bool = False,
    root: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """``huddle serve`` on a migrated database: this checkout's code, or ``root``'s.

    ``extra_env``: more settings (e.g. Teams' emulator mode, for ``footprint.py``)."""
    from bot.crypto import generate_key

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HUDDLE_ENCRYPTION_KEY": generate_key(),
        "HUDDLE_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api.url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("SLACK_CLIENT_ID", None)
    if multi:
        env.pop("SLACK_BOT_TOKEN")
        env.update(SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET="bench-client-secret")
    env.update(extra_env or {})
    if root is not None:
        env["PYTHONPATH"] = str(root)  # ahead of this checkout's editable install
    huddle = Path(sys.executable).parent / "huddle"
    return subprocess.Popen([str(huddle), "serve", "--port", str(port)], env=env, cwd=root or ROOT)


def prepared_database(url: str, workspaces: int) -> str:
    from bot.storage import db

    db.upgrade(db.make_engine(url))
    if workspaces:
        install_workspaces(url, workspaces)
    return url


def start_bare(api, port: int, *, before_response=False) -> subprocess.Popen:
    env = {**os.environ, "SLACK_API_URL": api.url}
    extra = ["--before-response"] if before_response else []
    return subprocess.Popen([sys.executable, __file__, str(port), *extra], env=env, cwd=ROOT)


def run_bare_server(port: int, before_response: bool) -> None:
    """A slack-bolt app that only acknowledges /defect: the floor to compare against.

    With bolt's defaults unless ``before_response``."""
    import logging

    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    logging.basicConfig(level=logging.WARNING)
    client = AsyncWebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"])
    options = {"process_before_response": True} if before_response else {}
    bolt = AsyncApp(client=client, signing_secret=SECRET, **options)

    @bolt.command("/defect")
    async def only_ack(ack):
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def cpu_seconds(pid: int, *, children: bool = True) -> float | None:
    """User + system CPU time a process and (``children``) its live children, such as
    ``huddle serve``'s core worker processes, have used so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if not children:
        return own
    return own + sum(cpu_seconds(child) or 0.0 for child in child_pids(pid))


def child_pids(pid: int) -> list[int]:
    """The live children of ``pid`` (every thread's), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The bare slack-bolt app (the floor).")
    parser.add_argument("port", type=int)
    parser.add_argument("--before-response", action="store_true")
    arguments = parser.parse_args()
    run_bare_server(arguments.port, arguments.before_response)
