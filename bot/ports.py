"""The few things the core needs from outside, as small Protocols."""

from __future__ import annotations

from typing import Protocol

from bot.model import ConversationRef, Reply


class DeliveryError(Exception):
    """A platform refused or failed a post. ``retry_after`` is in seconds when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Messenger(Protocol):
    """Posts a reply into a conversation and returns the platform's message id."""

    platform: str

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None: ...
