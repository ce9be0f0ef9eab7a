"""chat.postMessage with Huddle's Block Kit, for the clock's messenger.

Joins a public channel once when the bot isn't in it yet (``not_in_channel``), then
posts again. The token is chosen per call, so one client serves every workspace.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import convert
from adapters.slack.webapi import error_code
from bot.model import Reply


async def post_message(
    client: AsyncWebClient, channel: str, reply: Reply, *, token: str | None = None, thread=None
) -> str | None:
    """chat.postMessage; joins a public channel once if the bot isn't in it. Returns the ts."""
    extra = {"token": token} if token else {}
    if thread:
        extra["thread_ts"] = thread
    kwargs = dict(
        channel=channel,
        text=convert.fallback_text(reply),
        blocks=convert.blocks(reply),
        unfurl_links=False,
        unfurl_media=False,
        **extra,
    )
    try:
        response = await client.chat_postMessage(**kwargs)
    except SlackApiError as error:
        if error_code(error) != "not_in_channel":
            raise
        try:
            await client.conversations_join(channel=channel, **({"token": token} if token else {}))
        except SlackApiError:
            raise error from None
        response = await client.chat_postMessage(**kwargs)
    return response.get("ts")
