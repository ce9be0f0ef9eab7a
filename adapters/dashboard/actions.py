"""Changing a record from the dashboard: the same command a person types in chat.

Each form becomes an ``Incoming`` for the core's one door, so recording a recovery,
assigning and closing follow the chat's rules to the letter (the privacy check before
saving, who becomes the owner, the audit log, the undo window) and nothing is
decided twice. The form's one-time ``once`` value is the delivery id, so a form sent
twice (a double click, a reload) counts once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.huddle import Huddle
from bot.model import ConversationRef, Incoming, Person, Reply
from bot.ports import Messenger

log = logging.getLogger("huddle.dashboard")

CHANNEL = "dashboard"  # where the audit log says a dashboard change was made
MARKER = "as-written"


@dataclass(frozen=True)
class Outcome:
    """What the core said back, for the page: the replies, and whether it asks to confirm."""

    replies: tuple[Reply, ...]
    needs_confirmation: bool  # the privacy check stopped it: nothing was saved

    @property
    def text(self) -> str:
        return "\n\n".join(reply.plain() for reply in self.replies if reply.to is None)


async def run_command(
    huddle: Huddle,
    viewer,
    text: str,
    *,
    once: str | None,
    mentions: tuple[Person, ...] = (),
    command: str = "defect",
    channel_id: str = CHANNEL,
    form: dict[str, str] | None = None,
) -> Outcome:
    person = viewer.person
    incoming = Incoming(
        platform=person.platform,
        workspace_id=person.team,
        channel_id=channel_id,
        user_id=person.user_id,
        user_name=person.name,
        command=command,
        text=text,
        form=form,
        event_id=f"dashboard:{once}" if once else None,
        mentions=mentions,
    )
    replies = tuple(await asyncio.to_thread(huddle.handle, incoming))
    warned = any(MARKER in button.command for reply in replies for button in reply.buttons)
    return Outcome(replies, warned)


def recover_text(defect_id: int, action: str, *, as_written: bool) -> str:
    # The marker typed by hand is the person's own choice to save as written.
    prefix = f"{MARKER} " if as_written else ""
    return f"{prefix}recover {defect_id} {action.strip()}"


def assign_text(defect_id: int, owner: Person) -> str:
    return f"assign {defect_id} {owner.at}"


def close_text(defect_id: int) -> str:
    return f"close {defect_id}"


async def tell_privately(
    messengers: Mapping[str, Messenger], viewer, outcome: Outcome, channel_id: str
) -> None:
    """Deliver the replies the core addressed to someone (a defect's new owner is told in
    a direct message, as in chat) through the platform's messenger, as the clock does."""
    person = viewer.person
    for reply in outcome.replies:
        if reply.to is None:
            continue
        messenger = messengers.get(person.platform)
        if messenger is None:
            log.info("dashboard: no %s messenger to tell a new owner", person.platform)
            continue
        ref = ConversationRef(person.platform, person.team, channel_id)
        try:
            await messenger.send(ref, reply)
        except Exception as error:  # the change is saved; only the word to them failed
            log.warning(
                "dashboard: could not tell a new owner: platform=%s workspace=%s: %s",
                person.platform,
                person.team,
                type(error).__name__,
            )
