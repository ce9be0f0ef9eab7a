"""Files on Teams: a bot cannot attach a non-image file to its message in most chats, so
each one (an export) is offered as a link that works once, for 15 minutes, sent only to
the person who asked, in their 1:1 chat with Huddle (``bot.downloads``).

Only private replies carry such links; images are left for the reply's own card.
"""

from __future__ import annotations

import asyncio
import dataclasses

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import CONTENT_TYPE, VERSION
from bot.downloads import download_url, offer_download
from bot.huddle import Huddle
from bot.model import Attachment as File
from bot.model import Reply, Visibility

PLATFORM = "teams"
NO_PUBLIC_URL = (
    "I can't hand files over in Teams on this server yet: whoever runs Huddle needs to "
    "set HUDDLE_PUBLIC_URL (its web address). Until then they can run `huddle export` for you."
)


async def offer_links(
    huddle: Huddle, source: Activity, workspace_id: str, replies: list[Reply]
) -> tuple[list[Reply], list[Activity]]:
    """The replies without their non-image files, and a link card for each such file.

    A file of a reply that is not private stays where it is: a link that works once,
    for one person, has no place in a shared conversation.
    """
    kept: list[Reply] = []
    cards: list[Activity] = []
    for reply in replies:
        files = [f for f in reply.files if not f.is_image]
        private = reply.visibility is Visibility.PRIVATE or reply.sensitive
        if not files or not private or source.from_property is None:
            kept.append(reply)
            continue
        kept.append(dataclasses.replace(reply, files=tuple(f for f in reply.files if f.is_image)))
        for file in files:
            cards.append(await _link_card(huddle, source, workspace_id, file))
    return kept, cards


async def _link_card(huddle: Huddle, source: Activity, workspace_id: str, file: File) -> Activity:
    public_url = huddle.settings.public_url
    token = None
    if public_url:
        token = await asyncio.to_thread(
            offer_download,
            engine=huddle.engine,
            vault=huddle.vault,
            platform=PLATFORM,
            workspace_external_id=workspace_id,
            user_id=source.from_property.id,
            file=file,
            now=huddle.clock(),
        )
    return Activity(
        type=ActivityTypes.message,
        summary=file.title,
        attachments=[
            Attachment(content_type=CONTENT_TYPE, content=link_card(file, public_url, token))
        ],
    )


def link_card(file: File, public_url: str | None, token: str | None) -> dict:
    """An Adaptive Card with the file's one-use link (or why there is none)."""
    size = f"{max(1, round(len(file.data) / 1024))} KB"
    body = [
        {"type": "TextBlock", "text": file.title, "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": f"{file.name} · {size}", "isSubtle": True, "wrap": True},
    ]
    card = {"type": "AdaptiveCard", "version": VERSION, "body": body}
    if public_url is None or token is None:
        body.append({"type": "TextBlock", "text": NO_PUBLIC_URL, "wrap": True})
        return card
    body.append(
        {
            "type": "TextBlock",
            "text": "The link is only for you: it works once, within 15 minutes.",
            "wrap": True,
        }
    )
    card["actions"] = [
        {
            "type": "Action.OpenUrl",
            "title": f"Download {file.name}",
            "url": download_url(public_url, token),
        }
    ]
    return card
