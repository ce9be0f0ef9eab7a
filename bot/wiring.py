"""The composition root: builds the core from settings, once, for every entry point.

``huddle`` subcommands (and the platform adapters they start) call these; nothing in
the core imports this module back.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from bot.config import Settings
from bot.content import ContentError, load_content
from bot.crypto import EncryptionKeyError, Vault, vault_from_settings
from bot.huddle import Huddle
from bot.keys import check_keys
from bot.storage import db

log = logging.getLogger("huddle")


class StartupError(Exception):
    """A configuration problem that stops a process from starting; shown as is."""


def build_huddle(settings: Settings, vault: Vault, engine: sa.Engine | None = None) -> Huddle:
    """Wire the core from settings. Raises StartupError with a message for people.

    The keys are checked against the database's key canary first, so a wrong or
    misordered HUDDLE_ENCRYPTION_KEY stops the process here.
    """
    try:
        content = load_content(settings.content_dir)
    except ContentError as error:
        raise StartupError(f"Content problem: {error}") from error
    engine = engine or db.make_engine(settings.database_url)
    try:
        check_keys(engine=engine, vault=vault)
    except EncryptionKeyError as error:
        raise StartupError(str(error)) from None
    return Huddle(
        engine=engine,
        settings=settings,
        content=content,
        vault=vault,
    )


def server_vault(settings: Settings) -> Vault:
    """Server processes refuse to start without HUDDLE_ENCRYPTION_KEY."""
    secret = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    try:
        return vault_from_settings(secret)
    except EncryptionKeyError as error:
        raise StartupError(str(error)) from error


def clock_vault(settings: Settings) -> Vault:
    """The clock's vault: HUDDLE_ENCRYPTION_KEY, else the console's key file if one exists.

    So ``huddle jobs`` and ``huddle clock`` can be tried beside ``huddle console`` on a
    laptop; on a server with neither, they refuse to start like ``huddle serve``.
    """
    if settings.encryption_key is None and settings.key_file.is_file():
        log.info("HUDDLE_ENCRYPTION_KEY is not set; using the key in %s", settings.key_file)
        try:
            return vault_from_settings(settings.key_file.read_text(encoding="utf-8").strip())
        except EncryptionKeyError as error:
            raise StartupError(f"{settings.key_file}: {error}") from error
    return server_vault(settings)
