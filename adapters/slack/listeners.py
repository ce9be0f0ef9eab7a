"""Slack's listeners: each turns one kind of payload into one neutral event for the core.

``register`` subscribes them on the bolt app, each wrapped by ``listen`` (the
wiring's ``SlackAdapter.acking``): it acknowledges at once and runs the listener
afterwards as counted work, logging a failure without the payload. A listener only
converts (``convert``) and hands the event to the core's door (``Delivery.enter``),
which says the replies through ``posting.Poster``. What an event means (what a
thread reply becomes, what a reaction does) is the core's to decide.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import convert, mentions, modals
from adapters.slack.convert import Origin
from adapters.slack.names import UserNames
from adapters.slack.posting import Poster
from bot.commands import COMMANDS
from bot.model import Event, HomeOpened, Incoming, Removed, Reply, ThreadReply

log = logging.getLogger("huddle.slack")


class Adapter(Protocol):
    """What listeners need from the adapter that holds them (``SlackAdapter``)."""

    poster: Poster
    names: UserNames

    async def handle(self, event: Event, *, first: bool = False) -> list[Reply]: ...

    async def forget_workspace(self, *, enterprise_id: str | None, team_id: str | None) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """One acknowledged request from Slack: what it carried and the way into the core.

    ``payload`` is the part bolt routed on: the slash command, the action, the view
    or the event.
    """

    body: dict
    payload: dict
    context: AsyncBoltContext
    adapter: Adapter

    @property
    def team_id(self) -> str:
        return self.context.team_id or self.body.get("team_id") or ""

    @property
    def client(self) -> AsyncWebClient:
        return self.context.client

    @property
    def needs_its_trigger(self) -> bool:
        """Whether the answer may be a modal, which opens only with this request's
        trigger_id and only within 3 s: a bare slash command (``/defect`` opens the
        defect form) or a button press. These pass the queue of other core calls."""
        if not self.body.get("trigger_id"):
            return False
        if self.body.get("type") == "block_actions":
            return True
        return bool(self.body.get("command")) and not str(self.body.get("text") or "").strip()

    async def enter(self, origin: Origin, event: Event) -> None:
        """Hand ``event`` to the core's door and say its replies to ``origin``.

        A command carries Slack's word on whether its sender administers the workspace
        (users.info, remembered a few minutes): looked up here, after the ack.
        """
        if isinstance(event, Incoming | ThreadReply):
            event = await self.with_people(event)
        if isinstance(event, Incoming) and event.user_id:
            admin = await self.adapter.names.is_admin(
                self.client, event.workspace_id, event.user_id
            )
            event = dataclasses.replace(event, platform_admin=admin)
        for reply in await self.adapter.handle(event, first=self.needs_its_trigger):
            await self.adapter.poster.say(origin, reply, self.client)

    async def with_people(self, event: Incoming | ThreadReply) -> Incoming | ThreadReply:
        """Slack's ``<@U…>`` mentions as the core's ``@Name``, with the people alongside."""

        async def lookup(user_id: str) -> str:
            return await self.adapter.names.name(self.client, self.team_id, user_id)

        text, people = await mentions.read(event.text, lookup)
        form = getattr(event, "form", None)
        changes: dict[str, Any] = {"text": text}
        if form:
            read = {name: await mentions.read(value, lookup) for name, value in form.items()}
            changes["form"] = {name: value for name, (value, _) in read.items()}
            people += tuple(p for _, found in read.values() for p in found if p not in people)
        return dataclasses.replace(event, **changes, mentions=people)


Listener = Callable[[Delivery], Awaitable[None]]


async def slash_command(delivery: Delivery) -> None:
    body = delivery.body
    await delivery.enter(convert.origin_from_command(body), convert.incoming_from_command(body))


async def button(delivery: Delivery) -> None:
    """A button whose value is the command to run."""
    origin = convert.origin_from_interaction(delivery.body)
    await delivery.enter(origin, origin.incoming(delivery.payload.get("value") or ""))


async def prompt_button(delivery: Delivery) -> None:
    """A button that asks for text first: its modal; the answer is the event (below)."""
    origin = convert.origin_from_interaction(delivery.body)
    value = delivery.payload.get("value") or "{}"
    command, question, picks, initial = convert.prompt_from_value(value)
    await delivery.adapter.poster.ask(
        origin, command, question, delivery.client, picks=picks, initial=initial
    )


async def prompt_answer(delivery: Delivery) -> None:
    origin = convert.origin_from_interaction(delivery.body)
    view = delivery.payload
    answer = modals.form_values(view).get(convert.PROMPT_INPUT, "").strip()
    await delivery.enter(origin, origin.incoming(f"{modals.modal_command(view)} {answer}"))


async def form(delivery: Delivery) -> None:
    """A core form submitted as a modal."""
    origin = convert.origin_from_interaction(delivery.body)
    view = delivery.payload
    command = modals.modal_command(view) or "defect"
    await delivery.enter(origin, origin.incoming(command, form=modals.form_values(view)))


async def reaction(delivery: Delivery) -> None:
    event = convert.reaction_from_event(
        delivery.payload, team_id=delivery.team_id, event_id=delivery.body.get("event_id")
    )
    if event is not None:
        await delivery.enter(convert.origin_of(event), event)


async def message(delivery: Delivery) -> None:
    """A person's reply in a thread; the core decides whether that thread is one of its own."""
    event = delivery.payload
    if not convert.is_thread_reply(event):
        return
    name = await delivery.adapter.names.name(delivery.client, delivery.team_id, event["user"])
    reply = convert.thread_reply_from_event(
        event, team_id=delivery.team_id, user_name=name, event_id=delivery.body.get("event_id")
    )
    await delivery.enter(convert.origin_of(reply), reply)


async def home_opened(delivery: Delivery) -> None:
    event = delivery.payload
    user_id = event.get("user")
    if event.get("tab") not in (None, "home") or not user_id:
        return
    team_id = delivery.team_id
    for reply in await delivery.adapter.handle(HomeOpened(convert.PLATFORM, team_id, user_id)):
        await delivery.adapter.poster.publish_home(team_id, user_id, reply, delivery.client)


async def removed(delivery: Delivery) -> None:
    """app_uninstalled, or tokens_revoked with the bot's token among them."""
    event = delivery.payload
    revoked = event.get("type") == "tokens_revoked"
    if revoked and not (event.get("tokens") or {}).get("bot"):
        return  # only people's tokens went; the bot's installation is intact
    team_id = delivery.team_id
    await delivery.adapter.forget_workspace(
        enterprise_id=delivery.context.enterprise_id, team_id=team_id or None
    )
    if team_id:
        await delivery.adapter.handle(Removed(convert.PLATFORM, team_id))
    log.info(
        "Slack: Huddle was %s in workspace %s",
        "cut off (bot token revoked)" if revoked else "uninstalled",
        team_id or "?",
    )


def register(bolt: AsyncApp, listen: Callable[[str, Listener], Any]) -> None:
    """Every listener, on the bolt app; the slash commands are the command table's."""
    for name in COMMANDS:
        bolt.command(f"/{name}")(listen(f"command /{name}", slash_command))
    bolt.action(re.compile(f"^{convert.BUTTON_ACTION}-"))(listen("button", button))
    bolt.action(re.compile(f"^{convert.PROMPT_ACTION}-"))(listen("prompt button", prompt_button))
    bolt.view(convert.FORM_CALLBACK)(listen("form", form))
    bolt.view(convert.PROMPT_CALLBACK)(listen("prompt answer", prompt_answer))
    bolt.event("reaction_added")(listen("reaction_added", reaction))
    bolt.event("reaction_removed")(listen("reaction_removed", reaction))
    bolt.event("message")(listen("thread reply", message))
    bolt.event("app_home_opened")(listen("app home", home_opened))
    bolt.event("app_uninstalled")(listen("uninstall", removed))
    bolt.event("tokens_revoked")(listen("tokens revoked", removed))
