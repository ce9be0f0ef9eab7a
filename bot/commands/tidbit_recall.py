"""`/tidbit <patient-ref>`: a patient's open defect first, then their newest tidbits.

A recall shows the ten most recent tidbits with the count, and pages through the
rest (`/tidbit JS-1042 more`, `all` or `page 3`, and Next/Previous buttons), so a
long-remembered patient's recall fits every platform's message limits.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.commands.context import Context, UsageError
from bot.commands.parsing import looks_like_id
from bot.crypto import EncryptionKeyError
from bot.model import Button, Field, Reply, Visibility
from bot.storage import defects, tidbits
from bot.storage.audit import record_audit
from bot.wording import local_date, shorten

RECENT_DEFECTS = timedelta(days=90)
PAGE = 10
SHOWN_DEFECTS = 3
SHOWN_ACTIONS = 3

log = logging.getLogger("huddle")


def private(**kwargs) -> Reply:
    # Every tidbit reply is private and marked sensitive: adapters never post or log it.
    return Reply(visibility=Visibility.PRIVATE, sensitive=True, **kwargs)


def page_asked(note: str) -> int | None:
    """`more` or `all` (the page after the first), `page 3`; None for a note to remember."""
    words = note.casefold().split()
    if words in (["more"], ["all"]):
        return 2
    if len(words) == 2 and words[0] == "page" and looks_like_id(words[1]):
        return max(1, min(int(words[1].lstrip("#")), 10**6))
    return None


def recall(ctx: Context, ref: str, page_number: int = 1) -> Reply:
    hashes = ctx.vault.ref_hashes(ctx.workspace_key, ref)
    page = tidbits.recent_tidbits(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        ref_hashes=hashes,
        now=ctx.now,
        offset=(page_number - 1) * PAGE,
        limit=PAGE,
    )
    pages = max(1, -(-page.total // PAGE))
    if page_number > pages:
        raise UsageError(
            f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages > 1 else ''} "
            f"of tidbits for {ref}: try `/tidbit {ref} page {pages}`."
        )
    lines = defects.defects_for_patient(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        ref_hashes=hashes,
        closed_since=ctx.now - RECENT_DEFECTS,
    )
    lines.sort(key=lambda line: line.closed_at is not None)  # open ones first, newest first
    related = defects.views_of(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        ids=[d.defect_id for d in lines[:SHOWN_DEFECTS]],
    )
    record_audit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        actor_id=ctx.incoming.user_id,
        actor_name=ctx.incoming.user_name,
        action="tidbit.read",
        patient_ref_hash=hashes[0],
        patient_ref_enc=ctx.vault.encrypt(ref),
        record_count=len(page.tidbits),
        channel_id=ctx.incoming.channel_id,
        now=ctx.now,
    )
    fields = [_defect_field(ctx, view) for view in related]
    fields += _tidbit_fields(ctx, page.tidbits, total=page.total)
    if not fields:
        return private(
            text=f"Nothing noted for {ref} yet. Add something with "
            f"`/tidbit {ref} <what they told you>`.",
        )
    return private(
        title=f"Tidbits for {ref}",
        text=_summary(ref, page.total, page_number, pages, lines),
        fields=tuple(fields),
        buttons=_page_buttons(ref, page_number, pages),
        footer="Only you can see this. This look-up is recorded in the audit log.",
    )


def _summary(ref: str, total: int, page_number: int, pages: int, lines: list) -> str:
    if total == 0:
        text = "No tidbits noted yet."
    elif pages == 1:
        text = "Something to raise at the next visit."
    else:
        first = (page_number - 1) * PAGE + 1
        last = min(total, page_number * PAGE)
        text = f"Tidbits {first}–{last} of {total}, newest first (page {page_number} of {pages})."
        if page_number < pages:
            text += f" See older ones with `/tidbit {ref} page {page_number + 1}`."
    if lines:
        text += " There is a service defect for this patient: make it right at the next visit."
    hidden = [f"#{line.defect_id}" for line in lines[SHOWN_DEFECTS:]]
    if hidden:
        text += f" Also defect{'s' if len(hidden) > 1 else ''} {', '.join(hidden)}: "
        text += f"`/defect show {lines[SHOWN_DEFECTS].defect_id}`."
    return text


def _page_buttons(ref: str, page_number: int, pages: int) -> tuple[Button, ...]:
    buttons = []
    if page_number > 1:
        buttons.append(Button("Newer tidbits", f"tidbit {ref} page {page_number - 1}"))
    if page_number < pages:
        buttons.append(Button("Older tidbits", f"tidbit {ref} page {page_number + 1}"))
    return tuple(buttons)


def _tidbit_fields(ctx: Context, found, *, total: int) -> list[Field]:
    try:
        notes = [ctx.vault.decrypt(t.note_enc) for t in found]
    except EncryptionKeyError:
        # Say so rather than pretend nothing is noted; the log names the fact, not the data.
        log.error(
            "tidbit recall could not decrypt stored notes: workspace=%s count=%d "
            "(check HUDDLE_ENCRYPTION_KEY)",
            ctx.workspace.external_id,
            len(found),
        )
        raise UsageError(
            f"I found {total} tidbit(s) for this patient but can't read them: the "
            "encryption key doesn't match the one they were saved with. Nothing was changed. "
            "Please tell your practice manager."
        ) from None
    tz = ctx.workspace.timezone
    return [
        Field(f"#{t.id} · {local_date(t.created_at, tz)} · {t.author_name}", note)
        for t, note in zip(found, notes, strict=True)
    ]


def _defect_field(ctx: Context, view: defects.DefectView) -> Field:
    d = view.defect
    tz = ctx.workspace.timezone
    status = "closed" if d.closed_at else "open"
    shown = view.actions[-SHOWN_ACTIONS:]
    recovery = [f"Recovery: {shorten(a.action, 160)} ({a.owner_name})" for a in shown]
    if len(view.actions) > len(shown):
        earlier = len(view.actions) - len(shown)
        recovery.insert(
            0, f"({earlier} earlier action{'s' if earlier > 1 else ''}: `/defect show {d.id}`)"
        )
    return Field(
        f"Defect #{d.id} ({status}) · {ctx.content.stage_name(d.stage)} · "
        f"{local_date(d.created_at, tz)}",
        f"{shorten(d.description, 200)}\n" + "\n".join(recovery or ["No recovery action yet"]),
    )
