"""The privacy gate: free text is checked before anything is stored.

A command calls ``gate(ctx, text, kind=..., command=...)`` just before it would save
``text``. A clean text, or one the person has already confirmed, gives None: save it.
Otherwise it gives the warning to show instead, privately, saying what looks sensitive
and why, with two buttons:

- "Save as written" runs the same command again with the marker word ``as-written``
  right after the command's name (``defect as-written:31 arrival: …``). The marker is
  only ever read there, as the first word, so a text can't carry it by accident; typing
  it by hand (``as-written``, no count) is the person choosing to save as written. The
  button's count is of the text's non-space characters: a text a platform cut short on
  the way back is refused, never saved cut.
- "Edit" asks for the text again with it prefilled (just the free text when the
  command ends with it: ``defect recover 3`` asks, ``rang her on …`` is prefilled).

Nothing is stored in between: the text travels only in the warning's own buttons.
Patient references are taken out of a text here too (``patient_ref_in``), so a
chart number is never mistaken for detail and a name is refused before saving.
A submitted form is carried the same way, as its values in JSON (``defect {…}``),
so "Edit" reopens the form prefilled.
"""

from __future__ import annotations

import json
import re

from bot.commands.context import Context, UsageError
from bot.model import Button, Person, Reply, Visibility
from bot.privacy import Finding, TextKind, advice, check, check_patient_ref, region_for_timezone
from bot.privacy.refs import find_patient_ref_spans

MARKER = "as-written"
EDIT_PROMPT = "Edit it, then send it again"


def confirmed(ctx: Context) -> bool:
    """Whether the person chose "Save as written" (or typed the marker) for this command."""
    first = ctx.incoming.text.strip().partition(" ")[0]
    return first.casefold().partition(":")[0] == MARKER


def without_marker(text: str, people: tuple[Person, ...] = ()) -> str:
    """The command's text with a leading ``as-written`` taken off (refused if cut short).

    ``people``: those the text mentions, whose names a platform may show differently.
    """
    stripped = text.strip()
    first, _, rest = stripped.partition(" ")
    word, colon, count = first.casefold().partition(":")
    if word != MARKER:
        return stripped
    rest = rest.strip()
    if colon and count != str(_weight(rest, people)):
        raise UsageError(
            "That came back shorter than you wrote it, so I saved nothing. "
            "Please send it again in shorter parts."
        )
    return rest


def _weight(text: str, people: tuple[Person, ...]) -> int:
    # Non-space characters: a platform may tidy spaces, but a cut text has fewer of these.
    # A mention counts as one: the platform may give the person's name differently.
    for person in sorted(people, key=lambda p: len(p.name), reverse=True):
        text = text.replace(person.at, "@")
    return sum(1 for ch in text if not ch.isspace())


def findings(ctx: Context, text: str, *, kind: TextKind) -> list[Finding]:
    """What in ``text`` looks like patient detail, read for this practice's country."""
    return findings_for(
        text, kind=kind, timezone=ctx.workspace.timezone, people=ctx.incoming.mentions
    )


def findings_for(
    text: str, *, kind: TextKind, timezone: str, people: tuple[Person, ...]
) -> list[Finding]:
    """``findings`` without a command: a teammate mentioned by name is not a patient."""
    for person in people:
        text = text.replace(person.at, "@teammate")
    return check(text, region=region_for_timezone(timezone), kind=kind)


def gate(ctx: Context, text: str, *, kind: TextKind, command: str) -> Reply | None:
    """None when ``text`` may be saved; else the warning to show, with nothing saved.

    ``command`` is the whole command (no slash, no marker) that would save ``text``, to be
    run again as written or edited: ``gate(ctx, "rang 0412 345 678", kind="recovery",
    command="defect recover 3 rang 0412 345 678")``.
    """
    if confirmed(ctx):
        return None
    found = findings(ctx, text, kind=kind)
    if not found:
        return None
    edit = edit_button(command, text)
    people = ctx.incoming.mentions
    return warning(found, save_command=as_written(command, people), edit=edit, mentions=people)


def gate_form(
    ctx: Context, texts: list[tuple[str, TextKind]], *, command: str, values: dict[str, str]
) -> Reply | None:
    """``gate`` for a submitted form: its free texts checked together, carried as JSON."""
    if confirmed(ctx):
        return None
    found = [f for text, kind in texts if text for f in findings(ctx, text, kind=kind)]
    if not found:
        return None
    carried = form_text(values)
    edit = Button("Edit", f"{command} {carried}")
    return warning(found, save_command=as_written(f"{command} {carried}"), edit=edit)


def edit_button(command: str, text: str) -> Button:
    """ "Edit": the command asks again for ``text``, prefilled (else for all it was given)."""
    command, text = command.strip(), text.strip()
    if text and command.endswith(text) and len(command) > len(text):
        asks = command[: -len(text)].strip()
        return Button("Edit", asks, prompt=EDIT_PROMPT, initial=text)
    name, _, rest = command.partition(" ")
    return Button("Edit", name, prompt=EDIT_PROMPT, initial=rest.strip())


def as_written(command: str, people: tuple[Person, ...] = ()) -> str:
    """``defect arrival: waited`` -> ``defect as-written:14 arrival: waited``."""
    name, _, rest = command.strip().partition(" ")
    rest = rest.strip()
    return f"{name} {MARKER}:{_weight(rest, people)} {rest}"


def warning(
    found: list[Finding], *, save_command: str, edit: Button, mentions: tuple[Person, ...] = ()
) -> Reply:
    """The private warning: what looks sensitive and why, and the two choices.

    ``mentions``: the people the text names, so a platform that can keeps them in the
    "Save as written" command (a story keeps its heroes).
    """
    lines = advice(found)
    return Reply(
        title="Before I save this",
        text="\n".join([lines[0], *(f"• {line}" for line in lines[1:])]),
        buttons=(Button("Save as written", save_command, style="primary"), edit),
        footer="Nothing is saved until you choose.",
        visibility=Visibility.PRIVATE,
        sensitive=True,
        mentions=mentions,
    )


def form_text(values: dict[str, str]) -> str:
    """A form's values as the text a command carries them in."""
    return json.dumps({k: v for k, v in values.items() if v}, ensure_ascii=False)


def is_form_text(text: str) -> bool:
    return text.startswith("{")


def form_values(text: str) -> dict[str, str]:
    """The values ``form_text`` wrote, or a UsageError when they were cut or changed."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError("I couldn't read that form again. Please open it with `/defect`.")
    return {str(k): v for k, v in data.items()}


# What is left around a reference once it is taken out: its keyword, or its brackets.
_REF_BEFORE = re.compile(r"(?:\b(?i:patient|pt)\.?\s*[:=]?\s*#?|\(\s*)$")
_REF_AFTER = re.compile(r"^\s*\)")


def take_patient_refs(text: str) -> tuple[list[str], str]:
    """The patient references named anywhere in ``text``, and the text without the first.

    ``patient: JS-1042``, ``patient JS-1042``, ``pt JS-1042`` or ``(JS-1042)``:

    >>> take_patient_refs("waited 40 min (JS-1042) at the desk")
    (['JS-1042'], 'waited 40 min at the desk')
    """
    spans = find_patient_ref_spans(text)
    if not spans:
        return [], text
    refs = list(dict.fromkeys(text[a:b].strip() for a, b in spans))
    start, end = spans[0]
    before = _REF_BEFORE.sub("", text[:start]).rstrip(
        " ,;"
    )  # a colon left here ends a stage: keep it
    after = _REF_AFTER.sub("", text[end:]).lstrip(" ,;:")
    return refs, " ".join(f"{before} {after}".split())


# The older form, a reference at the very end: `… patient ref: JS-1042`, `… pt#JS-1042`.
_PATIENT_SUFFIX = re.compile(
    r"[\s,;(\[]*\b(?:patient|pt)\s*(?:ref)?\s*[:#]\s*(?P<ref>[^\s)\]]{1,64})[)\]]?\s*$",
    re.IGNORECASE,
)


def patient_ref_in(text: str) -> tuple[str | None, str]:
    """The patient reference in ``text``, wherever it is, and the text without it.

    ``patient: JS-1042``, ``patient JS-1042``, ``pt JS-1042`` or ``(JS-1042)`` anywhere;
    one that looks like a name, email or phone is refused with a hint.
    """
    match = _PATIENT_SUFFIX.search(text)
    if match:
        ref, rest = match.group("ref"), text[: match.start()].rstrip(" ,;")
    else:
        refs, rest = take_patient_refs(text)
        if not refs:
            return None, text
        if len(refs) > 1:
            raise UsageError("One patient per defect, please: log a defect for each patient.")
        ref = refs[0]
    hint = check_patient_ref(ref)
    if hint:
        raise UsageError(hint + " Nothing was saved.")
    return ref, rest
