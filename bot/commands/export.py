"""`/huddle export defects|stories|fta [<period>] [xlsx] [with refs]` (admins): a file, privately.

The period is `week`, `month`, `quarter`, `year`, `all` (the default) or a month like `2026-11`, in the practice's timezone. The file is CSV (opens in Excel) unless you add `xlsx`. Patient references are left out unless you add `with refs`; every export is written in the audit log. Tidbits are never exported.
"""

from __future__ import annotations

import re

from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.exports import DEFAULT_PERIOD, KIND_NAMES, KINDS, Actor, ExportRequest, build_export
from bot.model import Reply, Visibility
from bot.periods import PeriodError, is_period_word, read_period

USAGE = "Say what to export: `/huddle export defects month`, `/huddle export stories 2026-11 xlsx` or `/huddle export fta all with refs`."
_REFS = re.compile(r"\bwith\s+(?:patient\s+)?ref(?:erence)?s\b")


def export(ctx: Context, rest: str) -> Reply:
    request = parse_request(ctx, rest)
    note = require_admin(ctx, "export the practice's records")
    done = build_export(
        session=ctx.session,
        workspace=ctx.workspace,
        content=ctx.content,
        vault=ctx.vault,
        request=request,
        actor=Actor(ctx.incoming.user_id, ctx.incoming.user_name, ctx.incoming.channel_id),
        now=ctx.now,
    )
    what = KIND_NAMES[request.kind]
    count = f"{done.rows} {what}" if done.rows != 1 else f"1 {what.removesuffix('s')}"
    refs = (
        "It includes patient references: keep it somewhere only the practice can open, "
        "and delete it when you are done."
        if done.with_refs
        else "Patient references are left out; add `with refs` to include them."
    )
    return Reply(
        title=f"Export: {what}, {request.period.key}",
        text=f"{count} in {done.file.name}. {refs} This export is in the audit log.",
        files=(done.file,),
        visibility=Visibility.PRIVATE,
        sensitive=done.with_refs,
        footer=note,
    )


def parse_request(ctx: Context, rest: str) -> ExportRequest:
    text = " ".join(rest.split()).casefold()
    text, refs_asked = _REFS.subn(" ", text)
    with_refs = refs_asked > 0
    words = text.split()
    if not words or words[0] not in KINDS:
        raise UsageError(USAGE)
    kind, file_format, period_word = words[0], "csv", None
    for word in words[1:]:
        if word in ("csv", "xlsx", "excel"):
            file_format = "xlsx" if word == "excel" else word
        elif is_period_word(word) and period_word is None:
            period_word = word
        else:
            raise UsageError(f"I don't know “{word[:20]}” there. {USAGE}")
    try:
        period = read_period(
            period_word,
            now=ctx.now,
            tz=ctx.workspace.timezone,
            default=DEFAULT_PERIOD,
            command=f"export {kind}",
        )
    except PeriodError as error:
        raise UsageError(str(error)) from None
    return ExportRequest(kind, period, file_format, with_refs)
