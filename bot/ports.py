"""The few things the core needs from outside, as small Protocols."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.model import ConversationRef, Reply


class DeliveryError(Exception):
    """A platform refused or failed a post. ``retry_after`` is in seconds when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Unconfirmed(DeliveryError):
    """The post may have gone out: the platform was sent it but its answer never came
    (a timeout, a dropped connection). Never retried blindly: settled by ``find``."""


class Messenger(Protocol):
    """Posts a reply into a conversation and returns the platform's message id."""

    platform: str

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None: ...


@runtime_checkable
class Finder(Protocol):
    """A messenger that can tell whether a post it may have made exists (Slack).

    Its ``send`` also takes ``claim=``, a short tag it stores on the post (Slack:
    message metadata), and ``find`` looks for a post carrying that tag in ``ref``'s
    channel (or thread) since ``since``: the post's message id, or None when there
    is none. A messenger without ``find`` (Teams: bots cannot read history) cannot
    settle a post whose answer was lost, so the clock never resends one.
    """

    async def send(
        self, ref: ConversationRef, reply: Reply, *, claim: str | None = None
    ) -> str | None: ...

    async def find(self, ref: ConversationRef, claim: str, since: datetime) -> str | None: ...


def can_find(messenger: Messenger) -> bool:
    """True when ``messenger`` can settle an uncertain post (it has ``find``)."""
    return isinstance(messenger, Finder)
