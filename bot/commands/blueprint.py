"""`/huddle blueprint`: the practice's service blueprint, and the team's suggestions for it.

`/huddle blueprint` lists the stages of the patient journey; `/huddle blueprint <stage>` shows one stage's blueprint
`/huddle blueprint suggest <stage> <list>: <text>` suggests an item for a stage's list, e.g. `/huddle blueprint suggest arrival recovery: offer a glass of water while they wait`
Lists: `operational`, `defects`, `experiential`, `above`, `recovery`, `offer`
Admins: `/huddle blueprint suggestions` shows what waits; `/huddle blueprint accept <id> [<edited text>]`, `/huddle blueprint decline <id>`; `/huddle blueprint skip <rule-id>` and `unskip <rule-id>` change which rules the meeting skips
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz, process

from bot.blueprint import LISTS, BlueprintError, ContentLibrary, Editor, NotAllowed, suggestions
from bot.blueprint import rules as own_rules
from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.commands.gate import MARKER, as_written, edit_button, findings, warning, without_marker
from bot.commands.suggest import closest
from bot.content import Stage, normalise_stage_name
from bot.model import Button, Field, Person, Reply
from bot.wording import shorten

# What people may call each list, normalised: the words of its field and its label too.
LIST_WORDS: dict[str, str] = {
    normalise_stage_name(word): list_name
    for list_name, words in {
        "operational_standards": ("operational", "operations", "operational standard"),
        "common_defects": ("defects", "defect", "likely defects", "service defects"),
        "experiential_standards": ("experiential", "experience", "experiential standard"),
        "above_and_beyond": ("above", "beyond", "above beyond", "wow"),
        "recovery_moves": ("recovery", "recoveries", "service recovery", "recovery move"),
        "offer_the_offer": ("offer", "offers", "the offer"),
    }.items()
    for word in (*words, list_name, LISTS[list_name])
}
SHORT_NAMES = ("operational", "defects", "experiential", "above", "recovery", "offer")
SHOWN = 5  # suggestions shown at once, with their three buttons each


def blueprint(ctx: Context, rest: str) -> Reply:
    word, _, tail = rest.strip().partition(" ")
    action = ACTIONS.get(word.casefold())
    if action is not None:
        return action(ctx, tail.strip())
    if not rest.strip():
        return _journey(ctx)
    stage = ctx.content.find_stage(rest)
    if stage is None:
        meant = closest(word, ACTIONS)
        if meant and not _fuzzy_stage(ctx, rest):
            raise UsageError(
                f"Did you mean `/huddle blueprint {meant}`? I haven't done anything yet: "
                "type it again."
            )
        raise UsageError(_unknown_stage(ctx, rest))
    return show_stage(stage)


def _journey(ctx: Context) -> Reply:
    return Reply(
        title="The patient journey",
        text="Pick a stage to see its service blueprint.",
        fields=tuple(
            Field(stage.name, f"`/huddle blueprint {stage.id}`") for stage in ctx.content.stages
        ),
        buttons=tuple(
            Button(stage.name, f"huddle blueprint {stage.id}") for stage in ctx.content.stages
        ),
    )


def show_stage(stage: Stage) -> Reply:
    """One stage's six lists, as this practice has them."""
    bp = stage.blueprint

    def bullets(items) -> str:
        return "\n".join(f"• {item}" for item in items) or "None listed yet."

    fields = [
        Field("What every practice does", bullets(bp.operational_standards)),
        Field("What can go wrong", bullets(bp.common_defects)),
        Field("What a great practice does", bullets(bp.experiential_standards)),
        Field("Above and beyond", bullets(bp.above_and_beyond)),
        Field("Making it right", bullets(bp.recovery_moves)),
    ]
    if bp.offer_the_offer:
        fields.append(Field("Offer the offer", bp.offer_the_offer))
    return Reply(
        title=f"Service blueprint · {stage.name}",
        text=f"Log a defect here with `/defect {stage.id}: what happened`.",
        fields=tuple(fields),
        footer=f"Add to it: `/huddle blueprint suggest {stage.id} recovery: your idea`",
    )


def _fuzzy_stage(ctx: Context, text: str) -> Stage | None:
    names = {n: s for s in ctx.content.stages for n in s.names()}
    found = process.extractOne(
        normalise_stage_name(text), list(names), scorer=fuzz.ratio, score_cutoff=80
    )
    return names[found[0]] if found else None


def _unknown_stage(ctx: Context, text: str) -> str:
    names = ", ".join(f"`{s.id}`" for s in ctx.content.stages)
    near = _fuzzy_stage(ctx, text)
    meant = f" Did you mean `{near.id}`?" if near else ""
    return f"I don't know the stage “{shorten(text, 30)}”.{meant} Try one of {names}."


def _find_list(text: str) -> str | None:
    return LIST_WORDS.get(normalise_stage_name(text))


def _parse_target(ctx: Context, head: str) -> tuple[Stage, str]:
    """'in the chair recovery' -> (the stage, 'recovery_moves'); near misses are asked about."""
    words = head.split()
    for cut in range(len(words) - 1, 0, -1):
        stage = ctx.content.find_stage(" ".join(words[:cut]))
        list_name = _find_list(" ".join(words[cut:]))
        if stage is not None and list_name is not None:
            return stage, list_name
    if len(words) < 2:
        raise UsageError(SUGGEST_USAGE)
    stage_text, list_text = " ".join(words[:-1]), words[-1]
    if ctx.content.find_stage(stage_text) is None:
        raise UsageError(_unknown_stage(ctx, stage_text) + " Nothing was saved.")
    near = process.extractOne(
        normalise_stage_name(list_text), list(LIST_WORDS), scorer=fuzz.ratio, score_cutoff=75
    )
    meant = f" Did you mean `{_short(LIST_WORDS[near[0]])}`?" if near else ""
    lists = ", ".join(f"`{name}`" for name in SHORT_NAMES)
    raise UsageError(
        f"I don't know the list “{shorten(list_text, 30)}”.{meant} Try one of {lists}. "
        "Nothing was saved."
    )


def _short(list_name: str) -> str:
    return SHORT_NAMES[list(LISTS).index(list_name)]


SUGGEST_USAGE = (
    "Say the stage, the list and your idea: "
    "`/huddle blueprint suggest arrival recovery: offer a glass of water while they wait`."
)


def _suggest(ctx: Context, rest: str) -> Reply:
    written = rest.partition(" ")[0].casefold().partition(":")[0] == MARKER
    rest = without_marker(rest) if written else rest
    head, colon, text = rest.partition(":")
    if not colon or not text.strip() or not head.strip():
        raise UsageError(SUGGEST_USAGE)
    stage, list_name = _parse_target(ctx, head)
    text = " ".join(text.split())
    command = f"suggest {stage.id} {_short(list_name)}: {text}"
    if not written and (found := findings(ctx, text, kind="defect")):
        edit = edit_button(f"huddle blueprint {command}", text)
        return warning(found, save_command=f"huddle blueprint {as_written(command)}", edit=edit)
    try:
        saved = suggestions.suggest(
            session=ctx.session,
            workspace_id=ctx.workspace_id,
            stage=stage,
            list_name=list_name,
            text=text,
            author=Person(ctx.incoming.user_id, ctx.incoming.user_name),
            now=ctx.now,
        )
    except BlueprintError as error:
        raise UsageError(f"That doesn't fit the blueprint: {error}. Nothing was saved.") from None
    return Reply(
        text=f"Thanks! Suggestion #{saved.id} for {stage.name} · {LISTS[list_name]} waits for "
        "an admin to accept it.",
    )


def _editor(ctx: Context, what: str) -> tuple[Editor, str | None]:
    note = require_admin(ctx, what)
    incoming = ctx.incoming
    editor = Editor(incoming.user_id, incoming.user_name, bool(incoming.platform_admin))
    return editor, note


def _library(ctx: Context) -> ContentLibrary:
    return ctx.library or ContentLibrary(ctx.content)


def _pending(ctx: Context, rest: str) -> Reply:
    _, note = _editor(ctx, "review blueprint suggestions")
    waiting = suggestions.pending(session=ctx.session, workspace_id=ctx.workspace_id)
    if not waiting:
        return Reply(text="No suggestions are waiting.", footer=note)
    shown = waiting[:SHOWN]
    fields = tuple(
        Field(
            f"#{s.id} · {ctx.content.stage_name(s.stage_id)} · {LISTS.get(s.list_name, s.list_name)}",
            f"{s.text}\nfrom {s.author_name}",
        )
        for s in shown
    )
    buttons = tuple(
        button
        for s in shown
        for button in (
            Button(f"Accept #{s.id}", f"huddle blueprint accept {s.id}", style="primary"),
            Button(
                f"Edit #{s.id}",
                f"huddle blueprint accept {s.id}",
                prompt="Edit the item, then it is added",
                initial=s.text,
            ),
            Button(f"Decline #{s.id}", f"huddle blueprint decline {s.id}", style="danger"),
        )
    )
    more = f" Showing the first {SHOWN}." if len(waiting) > SHOWN else ""
    return Reply(
        title="Blueprint suggestions",
        text=f"{len(waiting)} waiting.{more}",
        fields=fields,
        buttons=buttons,
        footer=note,
    )


def _suggestion_id(rest: str, verb: str) -> tuple[int, str]:
    number, _, text = rest.strip().lstrip("#").partition(" ")
    if not number.isdigit() or len(number) > 9:
        raise UsageError(f"Say which suggestion: `/huddle blueprint {verb} 3`.")
    return int(number), text.strip()


def _accept(ctx: Context, rest: str) -> Reply:
    written = rest.partition(" ")[0].casefold().partition(":")[0] == MARKER
    rest = without_marker(rest) if written else rest
    number, text = _suggestion_id(rest, "accept")
    editor, note = _editor(ctx, "accept blueprint suggestions")
    if text and not written and (found := findings(ctx, text, kind="defect")):
        command = f"accept {number} {text}"
        edit = edit_button(f"huddle blueprint {command}", text)
        return warning(found, save_command=f"huddle blueprint {as_written(command)}", edit=edit)
    try:
        found, stage = suggestions.accept(
            session=ctx.session,
            library=_library(ctx),
            workspace_id=ctx.workspace_id,
            editor=editor,
            now=ctx.now,
            suggestion_id=number,
            text=text or None,
        )
    except (BlueprintError, NotAllowed) as error:
        raise UsageError(f"I couldn't accept it: {error}. Nothing was changed.") from None
    return Reply(
        text=f"Added to {stage.name} · {LISTS[found.list_name]}, suggested by "
        f"{found.author_name}. `/huddle blueprint {stage.id}` shows it.",
        footer=note,
    )


def _decline(ctx: Context, rest: str) -> Reply:
    number, _ = _suggestion_id(rest, "decline")
    editor, note = _editor(ctx, "decline blueprint suggestions")
    try:
        suggestions.decline(
            session=ctx.session,
            workspace_id=ctx.workspace_id,
            editor=editor,
            now=ctx.now,
            suggestion_id=number,
        )
    except (BlueprintError, NotAllowed) as error:
        raise UsageError(f"I couldn't decline it: {error}.") from None
    return Reply(text=f"Suggestion #{number} is declined; the blueprint is unchanged.", footer=note)


def _skipping(skip: bool) -> Callable[[Context, str], Reply]:
    verb = "skip" if skip else "unskip"

    def change(ctx: Context, rest: str) -> Reply:
        rule_id = rest.strip().casefold()
        if not rule_id:
            raise UsageError(f"Say which rule, by its id: `/huddle blueprint {verb} <rule-id>`.")
        if rule_id not in ctx.content.order:  # a removed (retired) rule is not offered
            near = process.extractOne(rule_id, list(ctx.content.order), score_cutoff=80)
            meant = f" Did you mean `{near[0]}`?" if near else ""
            raise UsageError(f"No rule has the id “{shorten(rule_id, 40)}”.{meant}")
        editor, note = _editor(ctx, f"{verb} rules")
        skipped = [r for r in ctx.content.skipped if r != rule_id] + ([rule_id] if skip else [])
        try:
            own_rules.set_skipped(
                session=ctx.session,
                library=_library(ctx),
                workspace_id=ctx.workspace_id,
                editor=editor,
                now=ctx.now,
                rule_ids=skipped,
            )
        except (BlueprintError, NotAllowed) as error:
            raise UsageError(f"I couldn't {verb} it: {error}.") from None
        title = ctx.content.rules[rule_id].title
        done = "skips" if skip else "no longer skips"
        return Reply(text=f"The meeting {done} “{title}”.", footer=note)

    return change


def _help(ctx: Context, rest: str) -> Reply:
    return Reply(title="/huddle blueprint", text=__doc__.strip())


ACTIONS: dict[str, Callable[[Context, str], Reply]] = {
    "help": _help,
    "suggest": _suggest,
    "suggestions": _pending,
    "accept": _accept,
    "decline": _decline,
    "skip": _skipping(True),
    "unskip": _skipping(False),
}
