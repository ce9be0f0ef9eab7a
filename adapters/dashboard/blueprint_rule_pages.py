"""The practice's own weekly rules on the Blueprint page: added, edited and removed in forms.

Only admins write; everyone signed in reads a rule. Every change is the core's own
``bot.blueprint.rules`` function (``blueprint_views``), checked as the YAML loader
checks ``rules/*.yaml``, each problem shown beside its field. A rule that is not this
practice's (another's own rule, or one it removed) is 404 before anything runs.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from adapters.dashboard import blueprint_views as bv
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render, viewer
from bot.blueprint import BlueprintError, NotAllowed
from bot.blueprint.rules import Forgotten
from bot.content import Rule

LABELS = {
    "title": "Title",
    "theme": "Theme (rules that share one are shown together)",
    "rule": "The rule, in one or two sentences",
    "why": "Why it matters",
    "question": "The question the team discusses",
    "challenge": "This week's challenge",
    "story_prompt": "The story it asks for",
}
LONG = {"rule", "why", "challenge", "story_prompt"}  # a textarea, not a line


def _hint(name: str) -> str:
    """The schema's own limits for a field, in words: "120 to 1200 characters"."""
    limits = next(iter(Rule.model_fields[name].metadata), None)
    low, high = getattr(limits, "min_length", None), getattr(limits, "max_length", None)
    words = (
        f"{low} to {high} characters"
        if low and high
        else f"at most {high} characters"
        if high
        else "Required"
    )
    return f"{words}, ending with a question mark" if name == "question" else words


HINTS = {name: _hint(name) for name in LABELS}


def _library(request: web.Request):
    huddle = request.app[HUDDLE]
    return huddle, huddle.engine, huddle.contents


async def _rule(request: web.Request, shown) -> Rule:
    _, engine, library = _library(request)
    rule_id = request.match_info["rule_id"]
    if len(rule_id) > 64:
        raise web.HTTPNotFound()
    found = await asyncio.to_thread(bv.rule_of, engine, library, shown.workspace_id, rule_id)
    if found is None:
        raise web.HTTPNotFound()
    return found


def _values(rule: Rule | None) -> dict:
    if rule is None:
        return {"id": "", **dict.fromkeys(LABELS, ""), "stages": []}
    return {"id": rule.id, **{n: getattr(rule, n) for n in LABELS}, "stages": list(rule.stages)}


async def _page(
    request,
    shown,
    rule: Rule | None,
    *,
    values=None,
    errors=None,
    notice=None,
    confirm=False,
    status=200,
):
    _, engine, library = _library(request)
    found = await asyncio.to_thread(bv.journey, engine, library, shown.workspace_id)
    own = rule is not None and any(line.own for line in found.rules if line.rule.id == rule.id)
    return await render(
        request,
        "blueprint_rule.html",
        {
            "title": f"Rule · {rule.title}" if rule else "Add a rule",
            "rule": rule,
            "own": own,
            "default": rule is not None and rule.id in library.base.rules,
            "labels": LABELS,
            "hints": HINTS,
            "long": LONG,
            "stages": found.content.stages,
            "values": values or _values(rule),
            "errors": errors or {},
            "notice": notice,
            "confirm": confirm,
        },
        status=status,
    )


async def new_rule_page(request: web.Request) -> web.StreamResponse:
    return await _page(request, await viewer(request, admin=True), None)


async def rule_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    return await _page(request, shown, await _rule(request, shown))


async def _write(request, shown, before: Rule | None, rule: dict, form, function):
    """Check for patient detail, then ``function`` (add or save); the page, either way."""
    huddle, engine, library = _library(request)
    detail = bv.rule_patient_detail(rule, before, shown.timezone)
    if detail and form.get("as_written") != "yes":  # nothing saved: say why, keep the text
        return await _page(
            request, shown, before, values=rule, errors=detail, confirm=True, status=422
        )
    try:
        saved = await asyncio.to_thread(
            function, engine, library, shown.workspace_id, bv.editor_of(shown), huddle.clock(), rule
        )
    except NotAllowed:
        raise web.HTTPForbidden(reason="admin") from None
    except BlueprintError as error:
        errors = bv.by_field(error, bv.RULE_FIELDS)
        return await _page(request, shown, before, values=rule, errors=errors, status=422)
    verb = "Added" if before is None else "Saved"
    notice = f"{verb} “{saved.title}”. `/huddle rules` in chat shows it now."
    return await _page(request, shown, saved, notice=notice)


async def add_rule(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    rule = {"id": str(form.get("id", "")).strip(), **bv.rule_from(form)}
    return await _write(request, shown, None, rule, form, bv.add_rule)


async def save_rule(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    before = await _rule(request, shown)
    form = await request.post()
    rule = {"id": before.id, **bv.rule_from(form)}
    return await _write(request, shown, before, rule, form, bv.save_rule)


REMOVED = {
    Forgotten.DEFAULT: "Your version of “{title}” is gone: the default rule shows again.",
    Forgotten.REMOVED: "“{title}” is removed from your rules.",
    Forgotten.RETIRED: (
        "“{title}” is removed from the weekly rotation. Meetings that had it still show it."
    ),
    Forgotten.NOTHING: "“{title}” is one of the defaults and has no version of yours to remove.",
}


async def remove_rule(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    before = await _rule(request, shown)
    huddle, engine, library = _library(request)
    try:
        done = await asyncio.to_thread(
            bv.forget_rule,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            before.id,
        )
    except BlueprintError as error:  # e.g. it was the one rule the meeting does not skip
        errors = bv.by_field(error, bv.RULE_FIELDS)
        return await _page(request, shown, before, errors=errors, status=422)
    notice = REMOVED[done].format(title=before.title)
    if done is Forgotten.DEFAULT:
        after = await asyncio.to_thread(bv.rule_of, engine, library, shown.workspace_id, before.id)
        return await _page(request, shown, after, notice=notice)
    return await _page(request, shown, None, notice=notice)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/blueprint/rules", new_rule_page, name="blueprint-rules")
    app.router.add_post("/blueprint/rules", add_rule, name="blueprint-rule-add")
    app.router.add_get("/blueprint/rules/{rule_id}", rule_page, name="blueprint-rule")
    app.router.add_post("/blueprint/rules/{rule_id}", save_rule, name="blueprint-rule-save")
    app.router.add_post(
        "/blueprint/rules/{rule_id}/remove", remove_rule, name="blueprint-rule-remove"
    )
