"""``/downloads/<token>`` on ``huddle serve``: a file offered as a one-use link (``bot.downloads``).

``GET`` shows a small page with a Download button and takes nothing, so a link
scanner or a preview that fetches the link (Safe Links, unfurlers) cannot use it up;
the button's ``POST`` hands the file over once. Unknown, used and expired links are
404, the same for each, so a link says nothing about whether it ever existed.
"""

from __future__ import annotations

import asyncio
import html
from urllib.parse import quote

from aiohttp import web

from bot.config import Settings
from bot.downloads import download_waiting, take_download
from bot.huddle import Huddle

GONE = (
    "This download link has expired or was already used. "
    "Ask Huddle for the export again; each link works once, for 15 minutes."
)
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Huddle download</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em auto; max-width: 32em">
<h1>{name}</h1>
<p>This link works once. Downloading the file uses it up.</p>
<form method="post"><button type="submit">Download</button></form>
</body></html>
"""


def mount(app: web.Application, huddle: Huddle, settings: Settings) -> None:
    """Add ``GET`` and ``POST /downloads/{token}`` (entry point ``huddle.mounts: downloads``)."""

    async def page(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        name = await asyncio.to_thread(
            download_waiting, engine=huddle.engine, token=token, now=huddle.clock()
        )
        if name is None:
            return _gone()
        return web.Response(
            text=_PAGE.format(name=html.escape(name)), content_type="text/html", headers=_HEADERS
        )

    async def take(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        found = await asyncio.to_thread(
            take_download, engine=huddle.engine, vault=huddle.vault, token=token, now=huddle.clock()
        )
        if found is None:
            return _gone()
        disposition = f"attachment; filename*=UTF-8''{quote(found.name)}"
        return web.Response(
            body=found.data,
            content_type=found.mime,
            headers={**_HEADERS, "Content-Disposition": disposition},
        )

    app.router.add_get("/downloads/{token}", page, allow_head=False)
    app.router.add_post("/downloads/{token}", take)


def _gone() -> web.Response:
    return web.Response(status=404, text=GONE, headers=_HEADERS)
