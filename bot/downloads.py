"""A file offered as a link that works once, for the one person it was sent to, for 15 minutes.

For platforms where a bot cannot attach a file to its message (Teams, in most chats):
the adapter calls ``offer_download`` with the file and the person, sends them the
link privately, and ``huddle serve`` hands the file over at ``/downloads/<token>``
through ``take_download``. The file is stored encrypted (an export may hold patient
references); the token is 256 random bits and only its hash is stored; the link
works once, then 404, like any expired or unknown one.
"""

from __future__ import annotations

import base64
from datetime import datetime

import sqlalchemy as sa

from bot.crypto import EncryptionKeyError, Vault
from bot.model import Attachment
from bot.storage import downloads
from bot.storage.db import transaction
from bot.storage.workspaces import get_workspace

DOWNLOAD_PATH = "/downloads/"


def download_url(public_url: str, token: str) -> str:
    """``https://huddle.example.com`` + a token -> its link."""
    return public_url.rstrip("/") + DOWNLOAD_PATH + token


def offer_download(
    *,
    engine: sa.Engine,
    vault: Vault,
    platform: str,
    workspace_external_id: str,
    user_id: str,
    file: Attachment,
    now: datetime,
) -> str | None:
    """Store ``file`` for ``user_id`` and return its token; None for an unknown workspace."""
    token = downloads.new_token()
    with transaction(engine) as session:
        workspace = get_workspace(
            session=session, platform=platform, external_id=workspace_external_id
        )
        if workspace is None or workspace.id is None:
            return None
        downloads.store_download(
            session=session,
            workspace_id=workspace.id,
            user_id=user_id,
            token=token,
            name=file.name,
            mime=file.mime,
            data_enc=vault.encrypt(base64.b64encode(file.data).decode("ascii")),
            now=now,
        )
    return token


def download_waiting(*, engine: sa.Engine, token: str, now: datetime) -> str | None:
    """The file name behind ``token`` while it can still be taken, without taking it."""
    if not token or len(token) > 100:
        return None
    with transaction(engine) as session:
        found = downloads.find_download(session=session, token=token, now=now)
        return None if found is None else found.name


def take_download(
    *, engine: sa.Engine, vault: Vault, token: str, now: datetime
) -> Attachment | None:
    """The file behind ``token``, once; None when it is unknown, taken or expired."""
    if not token or len(token) > 100:
        return None
    with transaction(engine) as session:
        found = downloads.take_download(session=session, token=token, now=now)
        if found is None:
            return None
        try:
            data = base64.b64decode(vault.decrypt(found.data_enc))
        except EncryptionKeyError:
            # Stored under a key removed since (``huddle keys rotate`` leaves these
            # 15-minute files alone): gone, like an expired link.
            return None
        return Attachment(found.name, data, found.mime, found.name)
