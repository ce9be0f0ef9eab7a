"""Replies as Adaptive Cards, and what a card's ``Action.Submit`` sends back.

Pure functions over plain data. A button runs a command as if it had been typed; a
card sent in a 1:1 chat on a channel's behalf carries that channel in its buttons'
data, so pressing one still acts on the channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.teams.files import file_elements
from adapters.teams.mentions import mention_entities
from bot.model import Button, Form, FormField, Person, Reply

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.4"
BUTTONS_PER_ROW = 3
# Keys Huddle puts in Action.Submit data, prefixed so they never clash with form inputs.
SEAL = "huddle_seal"  # proves Huddle wrote CHANNEL for this person (see turns.channel_seal)
ACTION, COMMAND, CHANNEL, ANSWER = (
    "huddle_action",
    "huddle_command",
    "huddle_channel",
    "huddle_answer",
)
_OWN_KEYS = "huddle_"
_CODE = re.compile(r"`([^`\n]+)`")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+] |\d+[.)] )")
# Characters that would let text a person typed become a link ([text](url), <url>) or a
# fake mention (<at>...</at>). Backslash escapes render differently across Teams clients
# (microsoft/AdaptiveCards#4677, MicrosoftDocs/msteams-docs#5793), so they become their
# full-width look-alikes, which Markdown never parses and every client shows.
_LINK_SYNTAX = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞"})


@dataclass(frozen=True)
class Submitted:
    """What a card's Action.Submit sent back."""

    action: str  # "button" | "form"
    command: str  # full command text for buttons, the command name for forms
    channel_id: str | None  # the conversation the card was about (set for 1:1 copies)
    seal: str | None = None  # Huddle's seal over that channel, for the person it was sent to
    answer: str | None = None
    form: dict[str, str] | None = None


def submitted(value: object) -> Submitted | None:
    """Parse an Action.Submit payload Huddle put on one of its cards."""
    if not isinstance(value, dict) or value.get(ACTION) not in {"button", "form"}:
        return None
    command = str(value.get(COMMAND) or "").strip()
    if not command:
        return None
    channel = value.get(CHANNEL)
    channel_id = str(channel) if channel else None
    seal = str(value[SEAL]) if value.get(SEAL) else None
    if value[ACTION] == "button":
        answer = value.get(ANSWER)
        answer = str(answer).strip() if answer else None
        return Submitted("button", command, channel_id, seal, answer=answer)
    inputs = {
        str(k): "" if v is None else str(v)
        for k, v in value.items()
        if not str(k).startswith(_OWN_KEYS)
    }
    return Submitted("form", command, channel_id, seal, form=inputs)


def needs_card(reply: Reply) -> bool:
    return bool(reply.title or reply.fields or reply.buttons or reply.form or reply.files)


def adaptive_card(reply: Reply, *, channel_id: str | None = None, seal: str | None = None) -> dict:
    body: list[dict] = []
    people = reply.mentions
    if reply.title:
        body.append(_text(reply.title, people, weight="Bolder", size="Medium"))
    if reply.text:
        body.append(_text(reply.text, people))
    body.extend(file_elements(reply.files))  # the picture at a glance, its figures below
    for field in reply.fields:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [_text(field.label, people, weight="Bolder"), _text(field.value, people)],
            }
        )
    if reply.form is not None:
        body.extend(_input(field) for field in reply.form.fields)
    buttons = [_button(b, channel_id, seal) for b in reply.buttons]
    if reply.form is not None:
        buttons.insert(0, _form_submit(reply.form, channel_id, seal))
    for start in range(0, len(buttons), BUTTONS_PER_ROW):
        body.append({"type": "ActionSet", "actions": buttons[start : start + BUTTONS_PER_ROW]})
    if reply.footer:
        body.append(_text(reply.footer, people, isSubtle=True, size="Small"))
    msteams: dict = {"width": "Full"}
    if entities := mention_entities(reply.mentions):
        msteams["entities"] = entities
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "msteams": msteams,
        "body": body,
    }


def summary(reply: Reply) -> str:
    """The line Teams shows for a card in notifications and the chat list."""
    return reply.title or (reply.text.strip().splitlines() or [""])[0][:120]


def _text(text: str, people: tuple[Person, ...], **style) -> dict:
    return {"type": "TextBlock", "text": card_markdown(text, people), "wrap": True, **style}


def card_markdown(text: str, people: tuple[Person, ...] = ()) -> str:
    """Text as a TextBlock shows it: escaped, mentions, code in bold, Teams line breaks.

    ``Type `defect list` [here](u)`` becomes ``Type **defect list** ［here］(u)``.
    """
    return _line_breaks(shown_text(text, people, code_in_bold=True))


def shown_text(text: str, people: tuple[Person, ...], *, code_in_bold: bool = False) -> str:
    """``text`` with the known people as Teams mentions and no link or tag syntax left.

    A message's Markdown has inline code, a card's has not (``code_in_bold``).
    """
    known = sorted((p.name for p in people if p.user_id), key=len, reverse=True)
    pieces, last = [], 0
    if known:
        named = re.compile("@(" + "|".join(map(re.escape, known)) + r")(?!\w)")
        for found in named.finditer(text):
            pieces += [_escaped(text[last : found.start()], code_in_bold)]
            pieces.append(f"<at>{found.group(1)}</at>")
            last = found.end()
    pieces.append(_escaped(text[last:], code_in_bold))
    return "".join(pieces)


def _escaped(text: str, code_in_bold: bool) -> str:
    if code_in_bold:
        # Adaptive Cards have no inline code: show `defect list` in bold instead.
        return _CODE.sub(r"**\1**", text.translate(_LINK_SYNTAX))
    # A message has inline code, inside which Markdown makes no links: left as it is.
    parts = _CODE.split(text)  # text, code, text, code, ..., text
    return "".join(
        f"`{part}`" if i % 2 else part.translate(_LINK_SYNTAX) for i, part in enumerate(parts)
    )


def _line_breaks(text: str) -> str:
    """Teams' Markdown needs a blank line to break a line, except between list items."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    gap = False
    for line in lines:
        if not line.strip():
            gap = True
            continue
        if out:
            in_list = not gap and _LIST_ITEM.match(out[-1]) and _LIST_ITEM.match(line)
            out.append("\n" if in_list else "\n\n")
        out.append(line)
        gap = False
    return "".join(out)


def _data(action: str, command: str, channel_id: str | None, seal: str | None) -> dict:
    data = {ACTION: action, COMMAND: command}
    if channel_id:
        data[CHANNEL] = channel_id
        if seal:
            data[SEAL] = seal
    return data


def _style(button: Button) -> dict:
    styles = {"primary": "positive", "danger": "destructive"}
    return {"style": styles[button.style]} if button.style in styles else {}


def _button(button: Button, channel_id: str | None, seal: str | None) -> dict:
    submit = {
        "type": "Action.Submit",
        "title": button.label,
        "data": _data("button", button.command, channel_id, seal),
        **_style(button),
    }
    if not button.prompt:
        return submit
    # Ask for the text first: the button opens a small card with one input (prefilled to edit).
    answer = {
        "type": "Input.Text",
        "id": ANSWER,
        "label": button.prompt,
        "isMultiline": True,
        "isRequired": True,
        "errorMessage": "Please type an answer first.",
        "maxLength": max(1000, len(button.initial or "")),
    }
    if button.initial:
        answer["value"] = button.initial
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "body": [answer],
            "actions": [{**submit, "title": "Send"}],
        },
    }


def _input(field: FormField) -> dict:
    common = {"id": field.name, "label": field.label, "isRequired": not field.optional}
    if field.initial:
        common["value"] = field.initial
    if not field.optional:
        common["errorMessage"] = f"Please fill in: {field.label}"
    if field.kind == "select":
        return {
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": label, "value": value} for value, label in field.options],
            **common,
        }
    element = {"type": "Input.Text", "isMultiline": field.kind == "multiline", **common}
    if field.placeholder:
        element["placeholder"] = field.placeholder
    if field.max_length:
        element["maxLength"] = field.max_length
    return element


def _form_submit(form: Form, channel_id: str | None, seal: str | None) -> dict:
    return {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": _data("form", form.command, channel_id, seal),
    }
