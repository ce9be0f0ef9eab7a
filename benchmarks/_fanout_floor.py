"""The floor for ``fanout.py``: the same posts with slack-sdk alone, under the same limits."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient


async def post_with_sdk_alone(
    api_url: str, args: argparse.Namespace, sample: dict, options, token: Callable[[int], str]
) -> tuple:
    """Every channel's post with slack-sdk's AsyncWebClient and nothing else.

    The same payload Huddle posted (``sample``), the same overall and per-workspace
    concurrency as the clock's defaults, a 429 waited out for its Retry-After. No
    database, no claims, no journal: the floor for the fan-out.
    """
    payload = {k: v for k, v in sample.items() if k not in ("channel", "token")}
    overall = asyncio.Semaphore(options.concurrency)
    rate_limited = 0
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(base_url=api_url, session=session)

        async def workspace(n: int) -> int:
            per_workspace = asyncio.Semaphore(options.workspace_concurrency)

            async def post(channel: str) -> int:
                nonlocal rate_limited
                async with per_workspace:
                    while True:
                        async with overall:
                            try:
                                await client.chat_postMessage(
                                    channel=channel, token=token(n), **payload
                                )
                                return 1
                            except SlackApiError as error:
                                if error.response.status_code != 429:
                                    return 0
                                rate_limited += 1
                                wait = float(error.response.headers.get("Retry-After", 1))
                        await asyncio.sleep(wait)

            posts = [post(f"C{n:05d}{c:02d}") for c in range(args.channels_per_workspace)]
            return sum(await asyncio.gather(*posts))

        started, cpu = time.perf_counter(), time.process_time()
        posted = sum(await asyncio.gather(*(workspace(n) for n in range(args.workspaces))))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return posted, wall, cpu, rate_limited


def show_sdk_alone(result: dict) -> None:
    posted = max(result["posted"], 1)
    print(f"\n{result['label']}")
    print(f"  posted                      {result['posted']}")
    print(f"  wall time                   {result['wall']:.2f} s")
    print(f"  CPU per post (this process) {result['cpu'] / posted * 1000:.3f} ms")
    print(f"  posts per second            {result['rate']:.0f}")
    print(f"  429s received               {result['429s']}")
    print(f"  every channel exactly once  {'yes' if result['exactly_once'] else 'NO'}")
