"""Neutral replies -> terminal text."""

from __future__ import annotations

import textwrap

from bot.model import Reply, Visibility

WIDTH = 88


def render(reply: Reply, *, channel: str) -> str:
    """A reply as the console shows it: who can see it, then the content."""
    who = f"#{channel}" if reply.visibility is Visibility.CHANNEL else "only you can see this"
    if reply.thread_id and reply.visibility is Visibility.CHANNEL:
        who += ", in the thread"
    if reply.to is not None:
        who = f"privately to {reply.to.name}"
    lines = [f"┌─ Huddle ({who})"]
    if reply.title:
        lines.append(f"│ {reply.title}")
    for paragraph in reply.text.splitlines() if reply.text else []:
        lines.extend(_wrap(paragraph, "│ "))
    for field in reply.fields:
        lines.append(f"│ ▸ {field.label}")
        for paragraph in field.value.splitlines():
            lines.extend(_wrap(paragraph, "│   "))
    if reply.form is not None:
        lines.append(f"│ (In Slack and Teams this opens a form: {reply.form.title}.)")
        for form_field in reply.form.fields:
            if form_field.initial:  # a form to edit: what was filled in, to copy
                lines.extend(_wrap(f"{form_field.label}: {form_field.initial}", "│   "))
    for button in reply.buttons:
        hint = f"/{button.command}" + (" <your answer>" if button.prompt else "")
        lines.append(f"│ [{button.label}]  type: {hint}")
        if button.initial:  # the text to edit, whole, so it can be copied and changed
            lines.append(f"│   to edit, copy: /{button.command} {button.initial}")
    if reply.footer:
        lines.extend(_wrap(reply.footer, "│ "))
    lines.append("└─")
    return "\n".join(lines)


def _wrap(text: str, prefix: str) -> list[str]:
    if not text.strip():
        return [prefix.rstrip()]
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=prefix) or [prefix]
