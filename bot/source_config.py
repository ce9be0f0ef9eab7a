"""A practice's schedule source as an admin sets it: in chat (`/huddle source`) or
with the operators' CLI (`huddle appointments source set`). One set of checks and one
way to store it for both.

The plain settings (Confirmed DefNums, a reference pattern, a column mapping) are
checked here and stored as JSON; the secret (the Open Dental customer key, the
private feed address) is encrypted here, just before it is stored, and is never
shown back, logged or put in an error message. The adapters read the same settings
(``from_settings``) when they open the source.

Example::

    settings = opendental_settings(confirmed="19, 21", reference="PatNum")
    save_source(session=session, vault=vault, workspace_id=1, kind="opendental",
                settings=settings, secret=customer_key, updated_by="Dana", now=now)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.appointments import ScheduleSourceError
from bot.crypto import Vault
from bot.storage import appointments as stored

OPENDENTAL_REFERENCES = ("PatNum", "ChartNumber")
FEED_PROVIDER_FROM = ("LOCATION", "CATEGORIES", "")
# A day sheet's columns: the first two are needed, the rest optional.
SHEET_NEEDED = ("time", "reference")
SHEET_OPTIONAL = ("provider", "status", "new_patient", "date", "birthdate")
SECRET_NAMES = {"opendental": "customer key", "ical": "private feed address"}
PROBLEM_MAX = 500


class SourceSettingsError(ScheduleSourceError):
    """A setting that cannot work; the message says what to give instead."""


def opendental_settings(
    *,
    confirmed: str,
    reference: str | None = None,
    birthdays: bool = True,
    base_url: str | None = None,
) -> dict:
    """Open Dental's plain settings from what an admin gave (``confirmed``: "19, 21")."""
    numbers = [n.strip() for n in re.split(r"[,\s]+", confirmed or "") if n.strip()]
    if not numbers or not all(n.isdigit() for n in numbers):
        raise SourceSettingsError(
            "Say which of the practice's Confirmed statuses count as confirmed, as numbers "
            "like 19, 21 (their DefNums, in Open Dental's Setup > Definitions > Appt Confirmed)."
        )
    reference = reference or "PatNum"
    if reference not in OPENDENTAL_REFERENCES:
        raise SourceSettingsError(
            "The patient reference is PatNum or ChartNumber: whichever staff type in /tidbit."
        )
    settings: dict = {
        "confirmed_defnums": [int(n) for n in numbers],
        "reference": reference,
        "birthdays": birthdays,
    }
    if base_url:
        if not base_url.startswith(("https://", "http://")):
            raise SourceSettingsError("The Open Dental address starts with https://.")
        settings["base_url"] = base_url
    return settings


def feed_settings(
    *, pattern: str | None = None, marker: str | None = None, provider_from: str | None = None
) -> dict:
    """A calendar feed's plain settings; what is not given keeps the feed's defaults."""
    if pattern:
        try:
            re.compile(pattern)
        except re.error as error:
            raise SourceSettingsError(
                f"The reference pattern is not a valid regular expression ({error.msg})."
            ) from None
    if provider_from is not None and provider_from not in FEED_PROVIDER_FROM:
        raise SourceSettingsError("The provider comes from LOCATION, CATEGORIES or nowhere.")
    given = (
        ("reference_pattern", pattern),
        ("new_patient_marker", marker),
        ("provider_from", provider_from),
    )
    return {k: v for k, v in given if v is not None and (v or k == "provider_from")}


def sheet_columns(columns: dict[str, str]) -> dict[str, str]:
    """A day sheet's column mapping, checked: which header holds what."""
    columns = {k: v.strip() for k, v in columns.items() if v and v.strip()}
    missing = [name for name in SHEET_NEEDED if not columns.get(name)]
    if missing:
        raise SourceSettingsError(
            "The day sheet's mapping needs the " + " and the ".join(missing) + " column: "
            "give the header as your export spells it (time=Time, reference=Chart #)."
        )
    unknown = sorted(set(columns) - set(SHEET_NEEDED) - set(SHEET_OPTIONAL))
    if unknown:
        raise SourceSettingsError(
            f"The day sheet's mapping has no use for {', '.join(unknown)}; it maps "
            f"{', '.join(SHEET_NEEDED + SHEET_OPTIONAL)}."
        )
    return columns


def save_source(
    *,
    session: Session,
    vault: Vault,
    workspace_id: int,
    kind: str,
    settings: dict,
    secret: str | None,
    updated_by: str,
    now: datetime,
) -> None:
    """Make ``kind`` the practice's source. ``secret`` is encrypted here; None (or blank)
    keeps the stored one when the kind stays the same, else it is refused in words."""
    secret = (secret or "").strip() or None
    if kind == "ical" and secret is not None and not secret.startswith(("https://", "http://")):
        raise SourceSettingsError("The private feed address starts with https://.")
    if kind in SECRET_NAMES and secret is None:
        previous = stored.get_source(session=session, workspace_id=workspace_id)
        if previous is None or previous.kind != kind or previous.secret_enc is None:
            raise SourceSettingsError(
                f"The {kind} source needs the practice's {SECRET_NAMES[kind]}: none was given."
            )
    stored.set_source(
        session=session,
        workspace_id=workspace_id,
        kind=kind,
        settings=settings,
        secret_enc=vault.encrypt(secret) if secret is not None else None,
        updated_by=updated_by,
        now=now,
    )


@dataclass(frozen=True)
class SourceStatus:
    """What an admin may see of a source: never its secret."""

    kind: str
    settings: dict
    has_secret: bool
    updated_at: datetime
    last_synced_at: datetime | None
    last_problem: str | None


def source_status(*, session: Session, workspace_id: int) -> SourceStatus | None:
    found = stored.get_source(session=session, workspace_id=workspace_id)
    if found is None:
        return None
    synced, problem = stored.sync_outcome(session=session, workspace_id=workspace_id)
    return SourceStatus(
        found.kind, found.settings, found.secret_enc is not None, found.updated_at, synced, problem
    )
