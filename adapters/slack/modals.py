"""Slack modals: a core Form as a modal, the one-question modal behind a prompt button,
and what a submitted modal carries (its values, the people it picked, its command).
"""

from __future__ import annotations

import json

from adapters.slack.convert import (
    FORM_CALLBACK,
    MAX_MODAL_TITLE,
    MAX_OPTION_TEXT,
    PROMPT_CALLBACK,
    PROMPT_INPUT,
    plain_text,
)
from bot.model import Form, FormField


def form_modal(form: Form, *, metadata: str) -> dict:
    """A core Form as a modal view (views.open)."""
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": metadata,
        "title": plain_text(form.title, MAX_MODAL_TITLE),
        "submit": plain_text(form.submit_label, MAX_MODAL_TITLE),
        "close": plain_text("Cancel", MAX_MODAL_TITLE),
        "blocks": [_input_block(field) for field in form.fields],
    }


def _input_block(field: FormField) -> dict:
    if field.kind == "select":
        element: dict = {
            "type": "static_select",
            "action_id": field.name,
            "options": [
                {"text": plain_text(label, MAX_OPTION_TEXT), "value": value}
                for value, label in field.options[:100]
            ],
        }
        if field.placeholder:
            element["placeholder"] = plain_text(field.placeholder, 150)
        chosen = [o for o in element["options"] if field.initial and o["value"] == field.initial]
        if chosen:
            element["initial_option"] = chosen[0]
    elif field.kind == "person":
        element = {"type": "users_select", "action_id": field.name}
    else:
        element = {
            "type": "plain_text_input",
            "action_id": field.name,
            "multiline": field.kind == "multiline",
        }
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if field.placeholder:
            element["placeholder"] = plain_text(field.placeholder, 150)
        if field.initial:
            element["initial_value"] = field.initial[: element.get("max_length", 3000)]
    return {
        "type": "input",
        "block_id": field.name,
        "optional": field.optional,
        "label": plain_text(field.label, 2000),
        "element": element,
    }


def prompt_modal(
    command: str,
    question: str,
    *,
    metadata: str,
    picks: str | None = None,
    initial: str | None = None,
) -> dict:
    """The one-question modal behind a prompt button (a people picker when it picks a person),
    with its answer prefilled when there is one to edit."""
    element: dict = {
        "type": "plain_text_input",
        "action_id": PROMPT_INPUT,
        "multiline": True,
        "max_length": 3000,
    }
    if initial:
        element["initial_value"] = initial[:3000]
    if picks == "person":
        element = {"type": "users_select", "action_id": PROMPT_INPUT}
    return {
        "type": "modal",
        "callback_id": PROMPT_CALLBACK,
        "private_metadata": metadata,
        "title": plain_text("Huddle", MAX_MODAL_TITLE),
        "submit": plain_text("Send", MAX_MODAL_TITLE),
        "close": plain_text("Cancel", MAX_MODAL_TITLE),
        "blocks": [
            {
                "type": "input",
                "block_id": PROMPT_INPUT,
                "label": plain_text(question, 2000),
                "element": element,
            }
        ],
    }


def form_values(view: dict) -> dict[str, str]:
    """A submitted modal's state -> {field name: value}; empty optional fields are ''."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action_id, state in actions.items():
            name = action_id or block_id
            if state.get("type") == "users_select" or "selected_user" in state:
                # Written as Slack writes a mention, so it reaches the core as a person.
                user = state.get("selected_user")
                values[name] = f"<@{user}>" if user else ""
            elif state.get("type") == "static_select" or "selected_option" in state:
                option = state.get("selected_option") or {}
                values[name] = option.get("value") or ""
            else:
                values[name] = state.get("value") or ""
    return values


def modal_command(view: dict) -> str:
    """The command a submitted modal belongs to."""
    try:
        return str(json.loads(view.get("private_metadata") or "{}").get("command") or "")
    except ValueError:
        return ""
