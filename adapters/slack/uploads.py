"""A reply's files in Slack: uploaded with the reply's text as their comment.

``upload_files`` is ``files_upload_v2`` (files.getUploadURLExternal, the bytes
POSTed to the upload URL, files.completeUploadExternal) into the channel or thread,
with the reply's plain text as the ``initial_comment``: one message, the picture with
its figures in words, no public hosting. ``posting.post_message`` uses it for every
reply with files; when the upload fails it posts the text alone (``without_files``),
so the figures are never lost with the picture.
``direct_channel`` opens the person's direct messages with Huddle (conversations.open):
files for one person go there, as an ephemeral message cannot carry a file.
Scopes: ``files:write`` (and ``files:read``, which the SDK's upload asks for on some
workspaces), ``im:write`` for conversations.open.
"""

from __future__ import annotations

import dataclasses

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import convert
from bot.model import Reply

NOT_ATTACHED = "(The chart or file couldn't be attached here; the figures above are all there is.)"


async def upload_files(
    client: AsyncWebClient,
    channel: str,
    reply: Reply,
    *,
    token: str | None = None,
    thread: str | None = None,
) -> str | None:
    """files_upload_v2 of ``reply.files`` into ``channel`` (or ``thread``) with the reply's
    text as the comment. Returns the ts of the message sharing them, when Slack says it.
    Raises what the Web API raises."""
    extra: dict = {"token": token} if token else {}
    response = await client.files_upload_v2(
        file_uploads=[
            {
                "content": f.data,
                "filename": f.name,
                "title": f.title,
                **({"alt_txt": f.alt} if f.alt else {}),
            }
            for f in reply.files
        ],
        channel=channel,
        thread_ts=thread,
        initial_comment=convert.fallback_text(reply),
        **extra,
    )
    return _share_ts(response.get("files") or [], channel)


def without_files(reply: Reply) -> Reply:
    """The reply as text alone, saying its files couldn't come with it."""
    footer = "\n".join(n for n in (reply.footer, NOT_ATTACHED) if n)
    return dataclasses.replace(reply, files=(), footer=footer)


async def direct_channel(client: AsyncWebClient, user_id: str, *, token: str | None = None) -> str:
    """The id of ``user_id``'s direct messages with Huddle (conversations.open)."""
    extra: dict = {"token": token} if token else {}
    response = await client.conversations_open(users=user_id, **extra)
    return response["channel"]["id"]


def _share_ts(files: list[dict], channel: str) -> str | None:
    for file in files:
        shares = file.get("shares") or {}
        for kind in ("public", "private"):
            found = (shares.get(kind) or {}).get(channel) or []
            if found and found[0].get("ts"):
                return found[0]["ts"]
    return None
