"""The core's one door: every inbound event goes through ``enter`` and one wrapper.

The wrapper gives each event one transaction, finds (or creates) its workspace,
claims its delivery id so a redelivery counts once, turns bad input into words,
and logs failures without any of their content. Which handler takes which kind of
event is the table in ``bot.handlers``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.blueprint import ContentLibrary
from bot.commands import COMMANDS
from bot.commands.context import UsageError
from bot.commands.parsing import LARGEST_ID
from bot.config import Settings
from bot.content import Content
from bot.crypto import Vault
from bot.model import Event, Incoming, Reply, Visibility
from bot.storage.channel_names import note_channel_name
from bot.storage.db import transaction
from bot.storage.directory_ids import note_person
from bot.storage.events import claim_event
from bot.storage.models import ID_MAX, Workspace
from bot.storage.workspaces import ensure_workspace, find_workspace

log = logging.getLogger("huddle")

SORRY = (
    "Sorry, something went wrong on our side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell your practice manager."
)
# When the process running the core ended mid-call, Huddle cannot know whether it saved.
INTERRUPTED = (
    "Sorry, Huddle was restarted while it handled that, so it may or may not have been "
    "saved. Please check (a list command shows what is there) before sending it again."
)


@dataclass
class Turn:
    """One event's world: its transaction, its workspace and the shared parts."""

    session: Session
    workspace: Workspace
    event: Event
    content: Content
    vault: Vault
    settings: Settings
    now: datetime
    library: ContentLibrary | None = None  # for edits of the practice's own blueprint
    _claimed: bool = field(default=False, repr=False)

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id

    def first_delivery(self) -> bool:
        """Claim the event's delivery id: False when it was handled before (a redelivery).

        The wrapper calls this before the handler unless the route says the handler
        will, once it knows the event concerns Huddle at all (a reaction on any
        message, say), so unrelated events are never stored.
        """
        event_id = getattr(self.event, "event_id", None)
        if self._claimed or not event_id:
            return True
        self._claimed = True
        return claim_event(
            session=self.session, workspace_id=self.workspace_id, event_id=event_id, now=self.now
        )


Handler = Callable[[Turn], list[Reply]]


@dataclass(frozen=True)
class Route:
    """How one kind of event is handled.

    ``creates_workspace``: first contact creates the workspace (else an event from an
    unknown workspace is ignored). ``claims_first``: the wrapper claims the delivery
    id before the handler runs (else the handler calls ``turn.first_delivery()``).
    ``on_failure``: what to tell the person when it fails on our side.
    """

    handle: Handler
    what: str  # for operators' log lines: "command", "reaction", ...
    creates_workspace: bool = True
    claims_first: bool = True
    on_failure: Callable[[Event], list[Reply]] = lambda event: []
    answers_malformed: bool = False  # a person is waiting for an answer (a command)


UNREADABLE = (
    "I couldn't read where that came from, so nothing was saved. "
    "Please try again; if it keeps happening, tell your practice manager."
)


def malformed(event: Event) -> str | None:
    """Why an event's ids can't be stored (empty, too long, a NUL byte), or None."""
    for item in dataclasses.fields(event):
        if not item.name.endswith("_id") and item.name != "platform":
            continue
        if item.name.endswith("directory_id"):
            continue  # optional: one that can't be kept is dropped (``_note_directory_id``)
        value = getattr(event, item.name)
        if value is None and item.name not in ("platform", "workspace_id"):
            continue
        if not isinstance(value, str | int) or isinstance(value, bool):
            return f"{item.name} is not an id"
        if isinstance(value, int):
            if not 0 < value <= LARGEST_ID:
                return f"{item.name} is out of range"
            continue
        if not value.strip() or len(value) > ID_MAX or "\x00" in value:
            return f"{item.name} is empty, too long or holds a NUL byte"
    return None


def without_nul(event: Event) -> Event:
    """Text fields without NUL bytes: no one types them, and PostgreSQL can't store them."""
    changes = {
        item.name: value.replace("\x00", "")
        for item in dataclasses.fields(event)
        if isinstance(value := getattr(event, item.name), str) and "\x00" in value
    }
    if isinstance(getattr(event, "form", None), dict) and any(
        "\x00" in str(v) for v in event.form.values()
    ):
        changes["form"] = {k: str(v).replace("\x00", "") for k, v in event.form.items()}
    return dataclasses.replace(event, **changes) if changes else event


def interrupted(event: Event) -> list[Reply]:
    """What to tell the person whose event the core never finished (its process ended):
    a command's sender is told to check before sending it again; other events say nothing."""
    return [private(INTERRUPTED)] if isinstance(event, Incoming) else []


def private(text: str) -> Reply:
    return Reply(text=text, visibility=Visibility.PRIVATE)


def enter(
    event: Event,
    *,
    routes: dict[type, Route],
    engine: sa.Engine,
    library: ContentLibrary,
    vault: Vault,
    settings: Settings,
    now: datetime,
) -> list[Reply]:
    """Handle one event and return what to say. Never raises for bad input or our faults.

    The event's content is its workspace's (``library``): the practice's own blueprint
    and rules merged over the server's.
    """
    route = routes.get(type(event))
    if route is None:
        raise TypeError(f"no route for {type(event).__name__}")  # a programming error
    problem = malformed(event)
    if problem is not None:
        # Forged or broken ids: nothing could be stored under them, so nothing is tried.
        log.warning("%s refused: platform=%s: %s", route.what, event.platform, problem)
        return [private(UNREADABLE)] if route.answers_malformed else []
    event = without_nul(event)
    try:
        with transaction(engine) as session:
            found = _workspace(session, event, route, settings, now)
            if found is None:
                return []
            workspace, revision = found
            _note_directory_id(session, workspace, event, now)
            _note_channel_name(session, workspace, event, now)
            content = library.for_workspace(
                session=session, workspace_id=workspace.id, revision=revision
            )
            turn = Turn(session, workspace, event, content, vault, settings, now, library)
            if route.claims_first and not turn.first_delivery():
                return []
            return route.handle(turn)
    except UsageError as error:
        return [dataclasses.replace(private(str(error)), mentions=error.mentions)]
    except Exception:
        # Never log the event's content: it may hold patient data.
        log.exception(
            "%s failed: platform=%s workspace=%s%s",
            route.what,
            event.platform,
            event.workspace_id,
            _command_of(event),
        )
        return route.on_failure(event)


def _workspace(
    session: Session, event: Event, route: Route, settings: Settings, now: datetime
) -> tuple[Workspace, int | None] | None:
    """The event's workspace and its blueprint revision (None: to be read), one statement
    for an existing workspace; created on first contact where the route says so."""
    found = find_workspace(session=session, platform=event.platform, external_id=event.workspace_id)
    if not route.creates_workspace:
        return found
    workspace = ensure_workspace(
        session=session,
        platform=event.platform,
        external_id=event.workspace_id,
        default_timezone=settings.default_timezone,
        now=now,
        name=getattr(event, "workspace_name", None),
        known=found[0] if found else None,
    )
    return workspace, found[1] if found else None


def _note_directory_id(session: Session, workspace: Workspace, event: Event, now) -> None:
    """Remember which platform user the event's sender (or installer) is in the directory."""
    directory_id = getattr(event, "directory_id", None)
    user_id, name = getattr(event, "user_id", None), getattr(event, "user_name", None)
    if directory_id is None:
        directory_id = getattr(event, "installer_directory_id", None)
        user_id, name = getattr(event, "installer_id", None), getattr(event, "installer_name", None)
    if not isinstance(directory_id, str) or not isinstance(user_id, str) or not user_id:
        return
    if not directory_id.strip() or len(directory_id) > ID_MAX:
        return  # not an id anything could be matched against: dropped
    assert workspace.id is not None
    note_person(
        session=session,
        workspace_id=workspace.id,
        directory_id=directory_id,
        user_id=user_id,
        name=name if isinstance(name, str) else "",
        now=now,
    )


def _note_channel_name(session: Session, workspace: Workspace, event: Event, now) -> None:
    """Remember what people call the event's channel, when the platform said."""
    name, channel_id = getattr(event, "channel_name", None), getattr(event, "channel_id", None)
    if isinstance(name, str) and isinstance(channel_id, str):
        assert workspace.id is not None
        note_channel_name(
            session=session, workspace_id=workspace.id, channel_id=channel_id, name=name, now=now
        )


def _command_of(event: Event) -> str:
    """' command=defect' for a known command; never what someone typed in its place."""
    name = str(getattr(event, "command", "")).strip().lstrip("/").casefold()
    return f" command={name}" if name in COMMANDS else ""
