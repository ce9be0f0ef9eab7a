"""What `/defect …` does with words it can't take as a known stage and a description.

Nothing is saved on a guess. A word close to a subcommand (`/defect lsit`) gets
"Did you mean `/defect list`?"; a description with no words (`/defect :`) is refused
with what to type; a defect whose stage isn't recognised (`/defect arival: waited`)
waits for the person to pick a stage or say "no stage". The text travels in the
buttons' commands, so nothing is stored before the choice.
"""

from __future__ import annotations

import re

from bot.commands.context import Context, UsageError
from bot.commands.suggest import closest
from bot.content import Stage
from bot.model import Button, Reply, Visibility
from bot.wording import shorten

SUBCOMMANDS = (
    "list",
    "show",
    "recover",
    "recovery",
    "assign",
    "edit",
    "delete",
    "undo",
    "close",
    "stage",
    "help",
)
NO_STAGE = "no stage"
# Slack keeps at most 2,000 characters of a button's value; leave room for the command.
_BUTTON_ROOM = 1900


def typo_of_subcommand(ctx: Context, word: str, rest: str) -> Reply | None:
    """ "Did you mean `/defect close 5`?" for `/defect cloes 5`, or None when it isn't one."""
    if ctx.content.find_stage(word) is not None:
        return None
    meant = closest(word, SUBCOMMANDS)
    if meant is None:
        return None
    line = f"defect {meant} {rest.strip()}".strip()
    buttons = (Button(f"Yes: /{shorten(line, 60)}", line),) if len(line) <= _BUTTON_ROOM else ()
    return Reply(
        text=f"Did you mean `/defect {meant}`? I haven't done anything yet: "
        f"type `/{shorten(line, 120)}`{' or press the button' if buttons else ''}.",
        buttons=buttons,
        visibility=Visibility.PRIVATE,
    )


def refuse_if_wordless(description: str) -> None:
    """`/defect :` or `/defect ...!`: nothing to log, so say what to type."""
    if not any(ch.isalnum() for ch in description):
        raise UsageError(
            "Tell me what happened, for example "
            "`/defect arrival: waited 25 minutes with no word from us`. Nothing was saved."
        )


def said_no_stage(text: str) -> str | None:
    """The description after `no stage:` (the person's own choice), or None."""
    head, colon, tail = text.partition(":")
    if colon and " ".join(head.casefold().replace("-", " ").split()) in {NO_STAGE, "nostage"}:
        return tail.strip()
    return None


def _compact(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


def near_stage(ctx: Context, head: str) -> Stage | None:
    """The stage ``head`` is most likely a typo of (`arival` -> Arrival), or None."""
    by_name = {_compact(n): s for s in ctx.content.stages for n in s.names() if _compact(n)}
    meant = closest(_compact(head), by_name)
    return by_name[meant] if meant else None


def _guess(ctx: Context, text: str) -> tuple[Stage | None, str]:
    """The stage the text most likely starts with, and the rest: `arival: waited` (a near
    miss before the colon) or `arrival waited` (a stage with the colon left out)."""
    head, colon, tail = text.partition(":")
    if colon and len(head) <= 40:
        stage = near_stage(ctx, head)
        return (stage, tail.strip()) if stage else (None, text.strip())
    words = text.split()
    for size in (2, 1):
        stage = ctx.content.find_stage(" ".join(words[:size]))
        if len(words) > size and stage is not None:
            return stage, " ".join(words[size:])
    return None, text.strip()


def ask_for_stage(ctx: Context, text: str, patient_ref: str | None) -> Reply:
    """Which stage? One button per stage and "No stage", each carrying the whole defect."""
    guess, description = _guess(ctx, text)
    refuse_if_wordless(description)
    suffix = f" patient: {patient_ref}" if patient_ref else ""
    stages = list(ctx.content.stages)
    if guess is not None:
        stages.remove(guess)
        stages.insert(0, guess)
    intro = (
        f"Did you mean {guess.name}? " if guess else "I don't recognise a stage there. "
    ) + "Which stage of the patient journey was it? Nothing is saved until you choose."
    typed = f"`/defect {(guess or stages[0]).id}: {shorten(description, 60)}`"
    typed_none = f"`/defect {NO_STAGE}: {shorten(description, 60)}`"
    buttons: tuple[Button, ...] = ()
    if len(description) + len(suffix) + 40 <= _BUTTON_ROOM:
        picks = [
            Button(
                stage.name,
                f"defect {stage.id}: {description}{suffix}",
                style="primary" if stage is guess else None,
            )
            for stage in stages
        ]
        buttons = (*picks, Button("No stage", f"defect {NO_STAGE}: {description}{suffix}"))
        how = "Pick one below, or type it: " + typed + f", or {typed_none}."
    else:
        how = "Type it with its stage, like " + typed + f", or {typed_none}."
    return Reply(
        title="Which stage?",
        text=f"{intro}\n\n“{shorten(description, 300)}”\n\n{how}",
        buttons=buttons,
        visibility=Visibility.PRIVATE,
        sensitive=patient_ref is not None,
    )
