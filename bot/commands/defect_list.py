"""`/defect list …` and `/defect show …`: defects found by filter, a page at a time.

`/defect list` shows open defects, newest first; after it, any of `open`, `closed`,
`all`, `mine`, a stage, an owner (`@person`), and `more` or `page 2`. Every word is
understood or answered: an unknown one gets "Did you mean …?" or a hint, never
silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.context import Context, UsageError
from bot.commands.parsing import looks_like_id, parse_ids
from bot.commands.recovery import find_defect, history
from bot.commands.suggest import closest
from bot.model import Button, Field, Reply, Visibility
from bot.storage import defect_lists, defects
from bot.wording import local_date, shorten

LIST_LIMIT = 10
# Bounds that keep every reply inside Slack's 50 blocks and Teams' 100 KB: a list shows
# each defect's newest 5 actions; `/defect show` the newest 40 of one, or 5 each of 5.
LISTED_ACTIONS = 5
SHOWN_ACTIONS = 40
SHOWN_AT_ONCE = 5
_STATES = ("open", "closed", "all")
_WORDS = (*_STATES, "mine", "more", "page")
_OWNER = re.compile(r"^owner=(?P<id>[^\s]{1,64})$")


@dataclass(frozen=True)
class ListFilter:
    """What `/defect list …` asked for; ``words()`` writes it back for the page buttons."""

    state: str = "open"
    mine: bool = False
    stage: str | None = None
    owner_id: str | None = None
    owner_name: str | None = None
    page: int = 1

    def words(self) -> str:
        parts = [self.state] + (["mine"] if self.mine else [])
        parts += [self.stage] if self.stage else []
        parts += [f"owner={self.owner_id}"] if self.owner_id else []
        return " ".join(parts)

    def described(self, ctx: Context) -> str:
        what = {"open": "Open defects", "closed": "Closed defects", "all": "Defects"}[self.state]
        if self.stage:
            what += f" at {ctx.content.stage_name(self.stage)}"
        if self.owner_name or self.owner_id:
            what += f" owned by {self.owner_name or 'them'}"
        if self.mine:
            what += " you logged or own"
        return what


def parse_filter(ctx: Context, rest: str) -> ListFilter:
    """The words after `list`, each one understood, or a UsageError saying what to type."""
    found: dict = {}
    text = rest
    for person in ctx.incoming.mentions:  # "@Priya Shah" may hold a space: take it whole
        if person.at in text and person.user_id:
            text = text.replace(person.at, " ", 1)
            found.setdefault("owner_id", person.user_id)
            found.setdefault("owner_name", person.name)
    words = text.replace(",", " ").split()
    index = 0
    while index < len(words):
        word = words[index]
        key = word.casefold()
        index += 1
        if key in _STATES:
            found["state"] = key
        elif key == "mine":
            found["mine"] = True
        elif key == "more":
            found["page"] = found.get("page", 1) + 1
        elif key == "page" and index < len(words) and looks_like_id(words[index]):
            found["page"] = max(1, parse_ids(words[index], what="page", example="page 2")[0])
            index += 1
        elif owner := _OWNER.match(word):
            found["owner_id"] = owner.group("id")
        elif looks_like_id(word) and "page" in found:
            found["page"] = max(1, int(word.lstrip("#")))
        elif (stage := ctx.content.find_stage(word)) is not None:
            found["stage"] = stage.id
        elif index < len(words) and (stage := ctx.content.find_stage(f"{word} {words[index]}")):
            found["stage"] = stage.id
            index += 1
        else:
            raise UsageError(_unknown(ctx, word))
    return ListFilter(**found)


def _unknown(ctx: Context, word: str) -> str:
    if word.startswith("@"):
        return (
            f"I can't tell who “{shorten(word, 30)}” is: mention them (pick the name from "
            "the list as you type @), like `/defect list @Priya`."
        )
    stages = {s.id: s.id for s in ctx.content.stages}
    meant = closest(word, (*_WORDS, *stages))
    if meant:
        return f"Did you mean `/defect list {meant}`? I haven't listed anything yet."
    names = ", ".join(f"`{s.id}`" for s in ctx.content.stages)
    return (
        f"I don't know “{shorten(word, 30)}” after `/defect list`. Use `open` (the default), "
        f"`closed`, `all`, `mine`, an owner (`@name`), `more` or `page 2`, or a stage: {names}."
    )


def listing(ctx: Context, rest: str) -> Reply:
    chosen = parse_filter(ctx, rest)
    me = ctx.incoming.user_id if chosen.mine else None
    total, views = defect_lists.defect_views_page(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        state=chosen.state,
        stage=chosen.stage,
        owner_id=chosen.owner_id,
        mine=me,
        offset=(chosen.page - 1) * LIST_LIMIT,
        limit=LIST_LIMIT,
    )
    what = chosen.described(ctx)
    if total == 0:
        plain = chosen == ListFilter(page=chosen.page)
        hint = (
            "Log one with `/defect <stage>: <what happened>`."
            if plain
            else ("`/defect list all` shows every defect, open and closed.")
        )
        return Reply(text=f"No {what[0].lower()}{what[1:]}. {hint}", visibility=Visibility.PRIVATE)
    pages = -(-total // LIST_LIMIT)
    if not views:
        raise UsageError(
            f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages > 1 else ''} "
            f"of {what.lower()}: try `/defect list {chosen.words()} page {pages}`."
        )
    fields = [_field(ctx, view, width=120, last=LISTED_ACTIONS) for view in views]
    buttons = [
        Button(f"Close #{v.defect.id}", f"defect close {v.defect.id}") for v in views if v.is_open
    ]
    words = chosen.words()
    if chosen.page > 1:
        buttons.append(Button("Previous page", f"defect list {words} page {chosen.page - 1}"))
    if chosen.page < pages:
        buttons.append(Button("Next page", f"defect list {words} page {chosen.page + 1}"))
    shown = f"Newest first. Page {chosen.page} of {pages}." if pages > 1 else "Newest first."
    if chosen.page < pages:
        shown += f" See more with `/defect list {words} page {chosen.page + 1}`."
    return Reply(
        title=f"{what} ({total})",
        text=shown,
        fields=tuple(fields),
        buttons=tuple(buttons),
        visibility=Visibility.PRIVATE,
    )


def _field(
    ctx: Context, view: defects.DefectView, *, width: int, last: int, whole: bool = False
) -> Field:
    defect = view.defect
    tz = ctx.workspace.timezone
    status = f"closed {local_date(defect.closed_at, tz)}" if defect.closed_at else "open"
    label = (
        f"#{defect.id} · {ctx.content.stage_name(defect.stage)} · {status} · "
        f"{local_date(defect.created_at, tz)} · {defect.reporter_name}"
    )
    return Field(
        label,
        f"{defect.description if whole else shorten(defect.description, 200)}\n"
        f"{history(view, tz, width=width, last=last)}",
    )


def show(ctx: Context, rest: str) -> Reply:
    """`/defect 3` or `/defect show 3 4`: each defect with its stage, owner and every action."""
    ids = parse_ids(rest, what="defect", example="/defect show 3")[:SHOWN_AT_ONCE]
    found = [find_defect(ctx, str(defect_id), "/defect show 3") for defect_id in ids]
    views = defects.views_of(
        session=ctx.session, workspace_id=ctx.workspace_id, ids=[d.id for d in found]
    )
    last = SHOWN_ACTIONS if len(views) == 1 else LISTED_ACTIONS
    fields = tuple(_field(ctx, view, width=300, last=last, whole=True) for view in views)
    buttons = []
    for view in views:
        if view.is_open:
            buttons.append(
                Button(
                    f"Add recovery to #{view.defect.id}",
                    f"defect recover {view.defect.id}",
                    prompt="What did we do, or what will we do, to make it right?",
                )
            )
            buttons.append(Button(f"Close #{view.defect.id}", f"defect close {view.defect.id}"))
    title = f"Defect #{ids[0]}" if len(ids) == 1 else "Defects " + ", ".join(f"#{i}" for i in ids)
    open_count = sum(view.is_open for view in views)
    text = "Open." if len(views) == 1 and open_count else "Closed." if len(views) == 1 else ""
    if len(views) > 1:
        text = f"{open_count} open, {len(views) - open_count} closed."
    return Reply(
        title=title, text=text, fields=fields, buttons=tuple(buttons), visibility=Visibility.PRIVATE
    )
