"""`/huddle audit [since <date>]` (admins): who read which patient's tidbits, and who changed, deleted or exported what, when; privately, newest first, 20 at a time (`/huddle audit since 2026-11-01 page 2`). Never any content. It shows the patients' references, only to you, and that read is audited too."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.audit_log import PAGE_SIZE, AuditLine, read_audit_log
from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.commands.when import read_date
from bot.commands.zones import month_first
from bot.model import Button, Reply, Visibility

_PAGE = re.compile(r"\bpage\s+(\d{1,4})\s*$", re.IGNORECASE)
USAGE = (
    "Try `/huddle audit`, `/huddle audit since 2026-11-01` or `/huddle audit since 1/11 page 2`."
)


def audit(ctx: Context, rest: str) -> Reply:
    since_text, page = _read(rest)
    note = require_admin(ctx, "read the audit log")
    zone = ZoneInfo(ctx.workspace.timezone)
    since = _since(ctx, since_text, zone) if since_text else None
    found = read_audit_log(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        vault=ctx.vault,
        reader_id=ctx.incoming.user_id,
        reader_name=ctx.incoming.user_name,
        now=ctx.now,
        since=since,
        offset=(page - 1) * PAGE_SIZE,
        with_refs=True,
        channel_id=ctx.incoming.channel_id,
    )
    scope = f"since {since.astimezone(zone):%Y-%m-%d}" if since else "all of it"
    if not found.lines:
        text = "Nothing in the audit log " + (scope if since else "yet") + "."
    else:
        text = "\n".join(_line(line, zone) for line in found.lines)
    buttons = ()
    if found.more:
        command = "huddle audit" + (f" since {since_text}" if since_text else "")
        buttons = (Button("Older", f"{command} page {page + 1}"),)
    return Reply(
        title=f"Audit log, {scope}" + (f" · page {page}" if page > 1 else ""),
        text=text,
        buttons=buttons,
        visibility=Visibility.PRIVATE,
        sensitive=any(line.patient for line in found.lines),
        footer=note,
    )


def _read(rest: str) -> tuple[str, int]:
    text = " ".join(rest.split())
    page = 1
    found = _PAGE.search(text)
    if found:
        page = max(1, int(found.group(1)))
        text = text[: found.start()].strip()
    if not text:
        return "", page
    word, _, when = text.partition(" ")
    if word.casefold() != "since" or not when:
        raise UsageError(USAGE)
    return when, page


def _since(ctx: Context, text: str, zone: ZoneInfo) -> datetime:
    today = ctx.now.astimezone(zone).date()
    day = read_date(text, today=today, month_first=month_first(ctx.workspace.timezone)).day
    if day > today and not re.match(r"\s*\d{4}", text):
        # "since 25/11" means the last 25 November (29 February: the 28th that year).
        day = day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)
    return datetime.combine(day, time(0), tzinfo=zone)


def _line(line: AuditLine, zone: ZoneInfo) -> str:
    who = f"{line.actor_name}"
    patient = f" ({line.patient})" if line.patient else ""
    return f"• {line.at.astimezone(zone):%Y-%m-%d %H:%M} {who} {line.what}{patient}"
