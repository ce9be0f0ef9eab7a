"""A reply's files in Teams: images inline in the Adaptive Card, other files through a hook.

An image is a card ``Image`` whose URL is a ``data:image/png;base64,…`` URI: no hosting,
the same in channels, group chats and personal chats. Teams refuses a bot message over
about 100 KB (413 ``MessageSizeTooBig``), and the Bot Connector stand-in counts the whole
activity, base64 included, in UTF-16 as Teams does; so an image is inlined only up to
``INLINE_IMAGE_BYTES`` (about 45,000 base64 characters, 90 KB in UTF-16, with room left
for the card's text). The service report's chart is about 15 KB.

``other_file`` is where a file Teams can't show inline (a CSV or XLSX export, an image
too large) is rendered: for now a line saying where to get it. The exports work
replaces it (a file consent card or a short-lived link) without touching the cards.
"""

from __future__ import annotations

import base64

from bot.model import Attachment

INLINE_IMAGE_BYTES = 32_000  # raw bytes; base64 makes 4 characters of every 3
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})  # what Teams shows inline


def file_elements(files: tuple[Attachment, ...]) -> list[dict]:
    """Card body elements for a reply's files, in order."""
    return [inline_image(f) if can_inline(f) else other_file(f) for f in files]


def can_inline(file: Attachment) -> bool:
    return file.mime in INLINE_TYPES and len(file.data) <= INLINE_IMAGE_BYTES


def inline_image(file: Attachment) -> dict:
    encoded = base64.b64encode(file.data).decode("ascii")
    return {
        "type": "Image",
        "url": f"data:{file.mime};base64,{encoded}",
        "altText": file.alt or file.title,
        "size": "Stretch",
    }


def other_file(file: Attachment) -> dict:
    """A file Teams can't show inline. The exports work fills this in; until then, words."""
    return {
        "type": "TextBlock",
        "text": f"{file.title} ({file.name}) can't be shown in Teams yet: "
        "it is available in Slack and from `huddle` on the command line.",
        "wrap": True,
        "isSubtle": True,
    }
