"""What the Settings page shows, read from the core's storage for one workspace:
the meeting and brief per channel, the timezone, the emoji, the admins, whether the
practice uses tidbits, the front desk and its notices, and the schedule source.

Reading only (every change goes through the core's door). A source's secret is never
read: only whether one is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from bot import stories
from bot.model import Person
from bot.scheduling import WEEKDAYS
from bot.source_config import SourceStatus, source_status
from bot.storage import admins
from bot.storage import front_desk as desk
from bot.storage.channel_names import channel_names, named_channels
from bot.storage.models import Subscription, Workspace
from bot.wording import weekly_in_words


@dataclass(frozen=True)
class Channel:
    """A channel with the weekly meeting: when it comes, and the morning brief's time."""

    channel_id: str
    weekday: str  # "monday"
    at: str  # "08:30", the channel's wall clock
    timezone: str
    in_words: str  # "Mondays at 8:30 AM, Sydney time"
    brief_at: str | None  # "07:45", or None when the brief is off
    name: str | None = None  # "#front-desk" as people call it; None when never named

    @property
    def shown(self) -> str:
        """What a page calls the channel: its name, else its id."""
        return self.name or self.channel_id


@dataclass(frozen=True)
class Heard:
    """A channel Huddle has heard from by name, without the weekly meeting."""

    channel_id: str
    name: str


@dataclass(frozen=True)
class Admin:
    person: Person
    source: str  # "added", or "platform": follows the workspace's own admins


@dataclass(frozen=True)
class FrontDesk:
    """Who is on the front desk, and when and how they are told."""

    people: tuple[Person, ...]
    notice_at: str  # "15:00", the practice's wall clock
    deadline: str  # "17:00", or "" for the end of the day
    popups: bool

    def member(self, user_id: str) -> Person | None:
        return next((p for p in self.people if p.user_id == user_id), None)


@dataclass(frozen=True)
class SettingsView:
    timezone: str
    emoji: str
    channels: tuple[Channel, ...]
    admins: tuple[Admin, ...]
    source: SourceStatus | None
    tidbits: bool  # the practice uses tidbits
    front_desk: FrontDesk
    heard: tuple[Heard, ...] = ()  # channels that could start the weekly meeting

    def unscheduled(self, channel_id: str) -> Heard | None:
        return next((c for c in self.heard if c.channel_id == channel_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.channel_id == channel_id), None)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def settings_view(*, session: Session, workspace_id: int) -> SettingsView:
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    subs = session.exec(
        select(Subscription)
        .where(Subscription.workspace_id == workspace_id, Subscription.active.is_(True))
        .order_by(Subscription.channel_id)
    ).all()
    names = channel_names(
        session=session, workspace_id=workspace_id, channel_ids=(s.channel_id for s in subs)
    )
    channels = tuple(
        Channel(
            s.channel_id,
            WEEKDAYS[s.weekday],
            f"{s.hour:02d}:{s.minute:02d}",
            s.timezone,
            weekly_in_words(s.weekday, time(s.hour, s.minute), s.timezone),
            _hhmm(s.brief_minutes) if s.brief_minutes is not None else None,
            names.get(s.channel_id),
        )
        for s in subs
    )
    found = admins.list_admins(session=session, workspace_id=workspace_id)
    protocol = desk.protocols(session=session, workspace_ids={workspace_id})[workspace_id]
    front_desk = FrontDesk(
        people=tuple(
            Person(f.user_id, f.name)
            for f in desk.list_front_desk(session=session, workspace_id=workspace_id)
        ),
        notice_at=_hhmm(protocol.notice_minutes),
        deadline=_hhmm(protocol.deadline_minutes) if protocol.deadline_minutes is not None else "",
        popups=protocol.popups,
    )
    return SettingsView(
        timezone=workspace.timezone,
        emoji=stories.nominate_emoji(workspace),
        channels=channels,
        admins=tuple(Admin(Person(a.user_id, a.name), a.source) for a in found),
        source=source_status(session=session, workspace_id=workspace_id),
        tidbits=workspace.tidbits,
        front_desk=front_desk,
        heard=tuple(
            Heard(channel_id, name)
            for channel_id, name in named_channels(
                session=session, workspace_id=workspace_id
            ).items()
            if channel_id not in {c.channel_id for c in channels}
        ),
    )
