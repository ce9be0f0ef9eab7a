"""`/huddle source`: where the practice's appointments come from, for its admins, privately.

`/huddle source` shows it: the kind, when it last stored a day and what went wrong
since, in words; never its secret. `/huddle source opendental`, `/huddle source ical`
and `/huddle source csv` open a form to set one. The Open Dental customer key and
the private feed address go in that form only: typed into a command, they could stay
in the chat's history, so a command that holds one saves nothing and says so. Once
stored they are encrypted and never shown back, here or anywhere.
"""

from __future__ import annotations

import shlex

from bot.commands.context import Context, UsageError
from bot.model import Field, Form, FormField, Reply, Visibility
from bot.source_config import (
    SHEET_NEEDED,
    SHEET_OPTIONAL,
    SourceSettingsError,
    SourceStatus,
    feed_settings,
    opendental_settings,
    save_source,
    sheet_columns,
    source_status,
)
from bot.storage.appointments import get_source
from bot.wording import local_datetime_label, shorten

KINDS = {"opendental": "opendental", "ical": "ical", "csv": "daysheet", "daysheet": "daysheet"}
NAMES = {"opendental": "Open Dental", "ical": "a calendar feed", "daysheet": "a CSV day sheet"}
CHAT_WORD = {"opendental": "opendental", "ical": "ical", "daysheet": "csv"}
SECRET_FIELDS = {"opendental": "customer_key", "ical": "feed_url"}
NO_PROVIDER = "none"  # a select's value can't be empty
SET_ONE = "`/huddle source opendental`, `/huddle source ical` or `/huddle source csv`"
TYPED_SECRET = (
    "Nothing was saved: a key or a feed address typed into a command can stay in the "
    "chat's history. Put it in the form instead; it is stored encrypted and never shown."
)


def source(ctx: Context, rest: str) -> Reply:
    try:
        return _source(ctx, rest)
    except SourceSettingsError as error:  # a setting that cannot work, said in words
        raise UsageError(str(error)) from None


def _source(ctx: Context, rest: str) -> Reply:
    word, _, more = rest.strip().partition(" ")
    if not word:
        return _show(ctx)
    kind = KINDS.get(word.casefold())
    if kind is None:
        raise UsageError(f"Say which kind of source: {SET_ONE}. `/huddle source` shows it.")
    if ctx.incoming.form is not None:
        return _from_form(ctx, kind, ctx.incoming.form)
    typed = _typed(more)
    if kind == "daysheet" and typed:
        if "secret" in typed:  # a bare word: not name=Header
            raise UsageError(
                'Write each column as name=Header: `/huddle source csv time=Time reference="Chart #"`.'
            )
        return _save(ctx, kind, _settings(ctx, kind, typed), None)
    return _form(ctx, kind, typed)


def _typed(more: str) -> dict[str, str]:
    """``name=value`` pairs typed after the kind (``reference="Chart #"``), or a word
    that looks like a secret (a bare address) under ``secret``."""
    try:
        words = shlex.split(more)
    except ValueError:
        raise UsageError('Close the quotes: `/huddle source csv reference="Chart #"`.') from None
    typed = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or "://" in name:
            typed["secret"] = word
        else:
            typed[name.strip().casefold()] = value.strip()
    return typed


def _form(ctx: Context, kind: str, typed: dict[str, str]) -> Reply:
    given = _current(ctx, kind) | {k: v for k, v in typed.items() if k not in _secrets()}
    secret_typed = any(k in _secrets() for k in typed)
    fields = _fields(kind, given, _has_secret(ctx, kind))
    command = f"huddle source {CHAT_WORD[kind]}"
    form = Form(f"Schedule: {CHAT_WORD[kind]}", command, fields, submit_label="Save")
    text = f"Set {NAMES[kind]} as the practice's schedule source in the form. " + (
        "The key and the feed address go only in the form: never type them into a command."
        if kind in SECRET_FIELDS
        else 'Or type the headers: `/huddle source csv time=Time reference="Chart #"`.'
    )
    return Reply(
        title="Schedule source",
        text=f"{TYPED_SECRET}\n{text}" if secret_typed else text,
        form=form,
        visibility=Visibility.PRIVATE,
    )


def _secrets() -> set[str]:
    return {"secret", "key", "customer_key", "url", "feed_url", "feed"}


def _fields(kind: str, given: dict[str, str], has_secret: bool) -> tuple[FormField, ...]:
    keep = " Leave it empty to keep the one stored." if has_secret else ""
    if kind == "opendental":
        return (
            FormField(
                "customer_key",
                "Customer key (stored encrypted, never shown)" + keep,
                optional=has_secret,
                max_length=200,
            ),
            FormField(
                "confirmed",
                "Confirmed statuses that count as confirmed (DefNums)",
                placeholder="19, 21",
                max_length=200,
                initial=given.get("confirmed"),
            ),
            FormField(
                "reference",
                "Patient reference staff type in /tidbit",
                kind="select",
                options=(("PatNum", "PatNum"), ("ChartNumber", "ChartNumber")),
                initial=given.get("reference") or "PatNum",
            ),
            FormField(
                "base_url",
                "Address, for the Local or API Service mode only",
                optional=True,
                max_length=300,
                initial=given.get("base_url"),
            ),
        )
    if kind == "ical":
        return (
            FormField(
                "feed_url",
                "Private feed address, https://… (stored encrypted, never shown)" + keep,
                optional=has_secret,
                max_length=1000,
            ),
            FormField(
                "pattern",
                "Pattern of the patient reference in each event's title",
                optional=True,
                max_length=200,
                initial=given.get("pattern"),
            ),
            FormField(
                "marker",
                "Marker of a new patient in the title",
                optional=True,
                placeholder="(NP)",
                max_length=40,
                initial=given.get("marker"),
            ),
            FormField(
                "provider_from",
                "Provider or chair from",
                kind="select",
                options=(
                    ("LOCATION", "Location"),
                    ("CATEGORIES", "Categories"),
                    (NO_PROVIDER, "None"),
                ),
                initial=given.get("provider_from") or "LOCATION",
            ),
        )
    return tuple(
        FormField(
            name,
            f"Header of the {name.replace('_', ' ')} column",
            optional=name not in SHEET_NEEDED,
            max_length=64,
            initial=given.get(name),
        )
        for name in SHEET_NEEDED + SHEET_OPTIONAL
    )


def _current(ctx: Context, kind: str) -> dict[str, str]:
    """The stored settings of ``kind`` as the form's values (never its secret)."""
    found = get_source(session=ctx.session, workspace_id=ctx.workspace_id)
    if found is None or found.kind != kind:
        return {}
    s = found.settings
    if kind == "opendental":
        return {
            "confirmed": ", ".join(str(n) for n in s.get("confirmed_defnums", [])),
            "reference": s.get("reference", "PatNum"),
            "base_url": s.get("base_url", ""),
        }
    if kind == "ical":
        provider = s.get("provider_from", "LOCATION")
        return {
            "pattern": s.get("reference_pattern", ""),
            "marker": s.get("new_patient_marker", ""),
            "provider_from": provider or NO_PROVIDER,
        }
    return dict(s.get("columns", {}))


def _has_secret(ctx: Context, kind: str) -> bool:
    found = get_source(session=ctx.session, workspace_id=ctx.workspace_id)
    return found is not None and found.kind == kind and found.secret_enc is not None


def _from_form(ctx: Context, kind: str, values: dict[str, str]) -> Reply:
    values = {k: (v or "").strip() for k, v in values.items()}
    secret = values.get(SECRET_FIELDS[kind], "") if kind in SECRET_FIELDS else None
    return _save(ctx, kind, _settings(ctx, kind, values), secret)


def _settings(ctx: Context, kind: str, values: dict[str, str]) -> dict:
    if kind == "opendental":
        return opendental_settings(
            confirmed=values.get("confirmed", ""),
            reference=values.get("reference") or None,
            base_url=values.get("base_url") or None,
        )
    if kind == "ical":
        provider = values.get("provider_from") or "LOCATION"
        return feed_settings(
            pattern=values.get("pattern") or None,
            marker=values.get("marker") or None,
            provider_from="" if provider == NO_PROVIDER else provider,
        )
    found = get_source(session=ctx.session, workspace_id=ctx.workspace_id)
    kept = found.settings if found is not None and found.kind == "daysheet" else {}
    return {**kept, "columns": sheet_columns(values)}


def _save(ctx: Context, kind: str, settings: dict, secret: str | None) -> Reply:
    save_source(
        session=ctx.session,
        vault=ctx.vault,
        workspace_id=ctx.workspace_id,
        kind=kind,
        settings=settings,
        secret=secret,
        updated_by=ctx.incoming.user_name,
        now=ctx.now,
    )
    then = (
        "The clock syncs today and tomorrow every hour."
        if kind in SECRET_FIELDS
        else "Import the day sheet with `huddle appointments import FILE` (an operator's "
        "command); a day sheet is never pasted into chat."
    )
    kept = " Its secret is stored encrypted and is never shown, not even here." if secret else ""
    return Reply(
        text=f"The practice's schedule source is now {NAMES[kind]}.{kept} {then} "
        "`/huddle source` shows how its syncs go.",
        visibility=Visibility.PRIVATE,
    )


def _show(ctx: Context) -> Reply:
    status = source_status(session=ctx.session, workspace_id=ctx.workspace_id)
    if status is None:
        return Reply(
            text=f"No schedule source yet. Set one with {SET_ONE}; each opens a form.",
            visibility=Visibility.PRIVATE,
        )
    tz = ctx.workspace.timezone
    synced = local_datetime_label(status.last_synced_at, tz) if status.last_synced_at else "not yet"
    return Reply(
        title="Schedule source",
        text=f"The practice's appointments come from {NAMES.get(status.kind, status.kind)}.",
        fields=(
            Field("Settings", _settings_in_words(status)),
            Field("Last good sync", synced),
            Field(
                "Last problem", shorten(status.last_problem, 500) if status.last_problem else "none"
            ),
        ),
        footer=f"Change it with `/huddle source {CHAT_WORD.get(status.kind, status.kind)}`.",
        visibility=Visibility.PRIVATE,
    )


def _settings_in_words(status: SourceStatus) -> str:
    s = status.settings
    secret = "set, never shown" if status.has_secret else "not set"
    if status.kind == "opendental":
        numbers = ", ".join(str(n) for n in s.get("confirmed_defnums", []))
        where = f"; address {s['base_url']}" if s.get("base_url") else ""
        return (
            f"Customer key: {secret}. Confirmed statuses: {numbers or 'none'}; patient "
            f"reference: {s.get('reference', 'PatNum')}{where}."
        )
    if status.kind == "ical":
        return (
            f"Feed address: {secret}. Reference pattern: `{s.get('reference_pattern', 'default')}`; "
            f"new-patient marker: {s.get('new_patient_marker', '(NP)')}; provider from: "
            f"{s.get('provider_from', 'LOCATION') or 'nowhere'}."
        )
    columns = s.get("columns", {})
    return "Columns: " + ", ".join(f"{k} = {v}" for k, v in columns.items()) + "."
