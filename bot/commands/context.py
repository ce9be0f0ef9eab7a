"""What every command handler receives, and the error that becomes a friendly reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.blueprint import ContentLibrary
from bot.config import Settings
from bot.content import Content
from bot.crypto import Vault
from bot.model import Incoming, Person
from bot.storage.models import Workspace


class UsageError(Exception):
    """Bad input. The message is shown to the person; nothing is saved.

    ``mentions``: people the message names as ``@Name``, to be mentioned for real.
    """

    def __init__(self, message: str, *, mentions: tuple[Person, ...] = ()):
        super().__init__(message)
        self.mentions = mentions


@dataclass(frozen=True)
class Context:
    """One command's world: its transaction, its workspace, and the shared parts."""

    session: Session
    workspace: Workspace
    incoming: Incoming
    content: Content
    vault: Vault
    settings: Settings
    now: datetime
    library: ContentLibrary | None = None  # the server's content and each practice's layer

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id

    @property
    def workspace_key(self) -> str:
        return self.workspace.patient_salt
