"""The Slack stand-in for ``slack_ack.py``, in a process of its own or in the benchmark's.

The load generator times each ack on its event loop. With the stand-in on that same
loop, every confirmation Huddle posts to a ``response_url`` is answered there too, and
the time the loop spends answering it is added to whichever acks it was timing: Huddle's
acks were timed late by its own confirmations, the bare app's (which confirm nothing)
never were. Slack's servers are not on the load generator's loop, so by default the
stand-in runs in a child process (``StandInProcess``); ``--standin-here`` keeps the old
way (``StandInHere``) to compare. Both answer ``count`` and ``wait_for_count``.

Run as a script it is that child: ``python benchmarks/_standin_process.py WORKSPACES
TOKEN``; it prints its port, serves until its standard input closes, and answers
``GET /_bench/count/{method}`` with how many calls to ``method`` it has had.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.standins.slack_api import SlackAPIStandIn  # noqa: E402


class _Counting(SlackAPIStandIn):
    def app(self) -> web.Application:
        app = super().app()
        app.router.add_get("/_bench/count/{method}", self._count)
        return app

    async def _count(self, request: web.Request) -> web.Response:
        return web.json_response({"count": len(self.calls_to(request.match_info["method"]))})


def _installed(standin: SlackAPIStandIn, workspaces: int, token: str) -> SlackAPIStandIn:
    standin.add_workspace("T1", token=token)
    for n in range(workspaces):
        standin.add_workspace(f"T{n}", token=f"xoxb-bench-{n}")
    return standin


class StandInHere:
    """The stand-in on the benchmark's own loop (the way it was measured before)."""

    def __init__(self, workspaces: int, token: str):
        self.api = _installed(SlackAPIStandIn(), workspaces, token)

    async def __aenter__(self) -> StandInHere:
        await self.api.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.api.close()

    @property
    def url(self) -> str:
        return self.api.url

    def response_url(self, key: str) -> str:
        return self.api.response_url(key)

    async def count(self, method: str) -> int:
        return len(self.api.calls_to(method))

    async def wait_for_count(self, method: str, count: int, timeout: float) -> None:
        await self.api.wait_for(method, count=count, timeout=timeout)


class StandInProcess:
    """The stand-in in a child process; counted over HTTP."""

    def __init__(self, workspaces: int, token: str):
        self.args = (str(workspaces), token)
        self.port = 0
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> StandInProcess:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            *self.args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), 60)
        self.port = int(line)
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._session is not None:
            await self._session.close()
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            await asyncio.wait_for(self._process.wait(), 30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    async def count(self, method: str) -> int:
        assert self._session is not None
        url = f"http://127.0.0.1:{self.port}/_bench/count/{method}"
        async with self._session.get(url) as response:
            return int((await response.json())["count"])

    async def wait_for_count(self, method: str, count: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while await self.count(method) < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{method}: fewer than {count} calls in {timeout} s")
            await asyncio.sleep(0.1)


async def _serve(workspaces: int, token: str) -> None:
    standin = _installed(_Counting(), workspaces, token)
    await standin.start()
    print(standin.port, flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes it
    await standin.close()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), sys.argv[2]))
