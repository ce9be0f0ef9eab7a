"""Neutral types that flow between the adapters and the core.

Data flows one way: platform payload -> adapter -> ``Incoming`` -> command ->
``Reply`` -> adapter -> platform call. Nothing here knows about a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Visibility(StrEnum):
    """Who may see a reply."""

    PRIVATE = "private"  # only the person who asked (ephemeral / 1:1 chat)
    CHANNEL = "channel"  # everyone in the conversation


@dataclass(frozen=True)
class Person:
    """Someone a message names: the platform's id for them and the name it shows.

    In text the core writes a person as ``@`` and their name (``@Priya``); an adapter
    that can mention people turns that into the platform's own mention, so they are
    told. ``user_id`` is empty for someone named only by a typed name.
    """

    user_id: str
    name: str

    @property
    def at(self) -> str:
        return f"@{self.name}"


@dataclass(frozen=True)
class Incoming:
    """One command from one person, in one conversation of one workspace.

    ``command`` is the command name without a slash (``defect``), ``text`` is
    everything after it. ``form`` carries submitted form values (the defect
    form) instead of text. ``event_id`` identifies the platform delivery so a
    redelivered event counts once.
    """

    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    user_name: str
    command: str
    text: str = ""
    form: dict[str, str] | None = None
    event_id: str | None = None
    workspace_name: str | None = None
    # People the text mentions, in order; the adapter wrote each as ``@Name`` in ``text``.
    mentions: tuple[Person, ...] = ()
    # The platform's word on whether this person administers the workspace (a Slack
    # workspace owner or admin); None when the platform does not say.
    platform_admin: bool | None = None
    # The person's id in the platform's directory, where it has one besides ``user_id``
    # (the account a sign-in page vouches for): the door remembers the pair.
    directory_id: str | None = None
    # The conversation's name as people see it ("#front-desk"), where the platform says
    # it; the door remembers it so a page can show a name instead of ``channel_id``.
    channel_name: str | None = None


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Button:
    """A button that runs a command as if the person had typed it.

    ``command`` is the full command text (``defect close 12``). When
    ``prompt`` is set the adapter first asks the person for text (a modal, a
    card input) and appends their answer to the command; ``initial`` prefills that
    answer (the text to edit).
    """

    label: str
    command: str
    prompt: str | None = None
    style: str | None = None  # "primary" | "danger" | None
    picks: str | None = None  # "person": the answer is someone, from a people picker
    initial: str | None = None  # the prompt's answer, prefilled


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # "text" | "multiline" | "select" | "person" (a people picker)
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for selects
    optional: bool = False
    placeholder: str | None = None
    max_length: int | None = None
    initial: str | None = None  # the value already filled in (a form to edit)


@dataclass(frozen=True)
class Form:
    """A form the adapter renders natively (a Slack modal, an Adaptive Card).

    Submitting it sends ``Incoming(command=command, form={name: value})``.
    """

    title: str
    command: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"


@dataclass(frozen=True)
class Attachment:
    """A file the core wants delivered with a reply: a chart (PNG) or an export (CSV, XLSX).

    ``title`` is what people see; ``alt`` describes an image for screen readers
    (the reply's text always carries the same figures in words).
    """

    name: str  # file name, e.g. "service-report-2026-11.png"
    data: bytes
    mime: str  # "image/png", "text/csv", ...
    title: str
    alt: str | None = None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True)
class Reply:
    """What the core wants said. Adapters render it natively.

    ``story_id`` marks a story post: after posting it the adapter reports the
    platform's message id back (a ``StoryPosted`` event) so reactions to that
    message can nominate the story.
    """

    text: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    visibility: Visibility = Visibility.PRIVATE
    form: Form | None = None
    story_id: int | None = None
    sensitive: bool = False  # patient data: private only, never logged, never echoed
    footer: str | None = None
    thread_id: str | None = None  # post it in this thread of the channel (a meeting post's)
    # People to mention: each ``@Name`` of theirs in the text becomes a real mention.
    mentions: tuple[Person, ...] = ()
    # Say it privately to this person instead (a defect's new owner): a direct message.
    to: Person | None = None
    # Files delivered with it: Slack uploads them, Teams shows images inline, the console writes them.
    files: tuple[Attachment, ...] = ()

    def plain(self) -> str:
        """The reply as plain text, for logs-free fallbacks and notifications."""
        parts = [self.title] if self.title else []
        if self.text:
            parts.append(self.text)
        parts.extend(f"{f.label}: {f.value}" for f in self.fields)
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)


@dataclass(frozen=True)
class Reaction:
    """Someone added or removed an emoji reaction on a message in a channel."""

    platform: str
    workspace_id: str
    channel_id: str
    message_id: str
    user_id: str
    user_name: str
    emoji: str
    added: bool
    event_id: str | None = None
    at: datetime | None = None  # when it happened, as the platform says (orders add/remove)
    directory_id: str | None = None  # as ``Incoming.directory_id``


@dataclass(frozen=True)
class ThreadReply:
    """Someone replied in a thread of a channel (the thread's root is ``thread_id``).

    A reply under a weekly meeting post becomes a WOW story; any other is ignored.
    """

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str
    message_id: str
    user_id: str
    user_name: str
    text: str
    event_id: str | None = None
    mentions: tuple[Person, ...] = ()  # as ``Incoming.mentions``
    directory_id: str | None = None  # as ``Incoming.directory_id``


@dataclass(frozen=True)
class StoryPosted:
    """The adapter posted a story (``Reply.story_id``); this is the platform's message id.

    Reactions to that message nominate the story from then on.
    """

    platform: str
    workspace_id: str
    channel_id: str
    story_id: int
    message_id: str


@dataclass(frozen=True)
class Installed:
    """Huddle was added to a conversation, or heard from it: how to reach it later.

    ``data`` is the platform's own conversation reference (opaque to the core);
    ``group_id`` the larger whole it belongs to where the platform has one (a Teams
    team), so removing Huddle from that whole covers it. ``welcome`` asks for a hello.
    """

    platform: str
    workspace_id: str
    channel_id: str | None  # None: the workspace as a whole (Slack's OAuth install)
    data: Mapping[str, Any] | None = field(default=None, compare=False)
    kind: str = "channel"  # "channel" | "personal" | "groupChat"
    group_id: str | None = None
    workspace_name: str | None = None
    welcome: bool = False
    # Who added Huddle (Slack's installing user, the Teams member who added it): an
    # admin of the practice from then on, with the name the platform shows, if it says.
    installer_id: str | None = None
    installer_name: str | None = None
    installer_directory_id: str | None = None  # as ``Incoming.directory_id``


@dataclass(frozen=True)
class Removed:
    """Huddle was taken out of a workspace, one conversation, or a group of them.

    No ``channel_id`` and no ``group_id``: the whole workspace. ``group_id``: every
    conversation stored with that group, and the group's own channel of that id.
    """

    platform: str
    workspace_id: str
    channel_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True)
class HomeOpened:
    """Someone opened Huddle's home screen (Slack's App Home)."""

    platform: str
    workspace_id: str
    user_id: str


@dataclass(frozen=True)
class RoleSeen:
    """The platform's word on a person's role, heard outside a command (a dashboard sign-in).

    The same rule as a command's ``Incoming.platform_admin``: an admin while it says so.
    """

    platform: str
    workspace_id: str
    user_id: str
    user_name: str
    platform_admin: bool


@dataclass(frozen=True)
class MeetingShown:
    """Show this week's meeting in a channel now (the console's ``/monday``).

    It claims the channel's week like the clock does, so the clock will not post
    that week again.
    """

    platform: str
    workspace_id: str
    channel_id: str
    message_id: str | None = None  # the platform message showing it, if it has one


# Everything that can come in through the core's one door (``Huddle.handle``).
Event = (
    Incoming
    | Reaction
    | ThreadReply
    | StoryPosted
    | Installed
    | Removed
    | HomeOpened
    | MeetingShown
    | RoleSeen
)


@dataclass(frozen=True)
class ConversationRef:
    """Where the clock posts: a channel of a workspace on a platform.

    ``thread_id`` targets a thread (the week's post) where the platform has them.
    ``data`` is the platform's own reference (a Teams conversation reference),
    opaque to the core and loaded with the clock's targets, so a messenger never
    looks it up once per post. Platforms that need none (Slack) leave it empty.
    """

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str | None = None
    data: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
