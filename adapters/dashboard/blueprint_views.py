"""The blueprint page's reads and edits, thin over the core's ``bot.blueprint``.

Every edit is the core's own function (``bot.blueprint.stages``, ``rules``,
``transfer``) in one transaction: the same checks the YAML loader applies, the same
admins-only rule, the same audit entry; nothing is validated twice or differently here.
A ``BlueprintError``'s problems come back by field, for the form to show beside it.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.blueprint import LISTS, BlueprintError, ContentLibrary, Editor, transfer
from bot.blueprint import rules as own_rules
from bot.blueprint import stages as own_stages
from bot.blueprint.checks import SINGLE, own_layer
from bot.commands.gate import findings_for
from bot.content import Content, ContentError, Rule, Stage
from bot.privacy import advice
from bot.storage.blueprint_models import BlueprintSuggestion
from bot.storage.blueprints import get_suggestion, pending_suggestions
from bot.storage.db import transaction

UPLOAD_MAX = 512 * 1024  # a practice's own layer is a few YAML files
FILES_MAX = 200


@dataclass(frozen=True)
class RuleLine:
    rule: Rule
    own: bool  # the practice's own version, or a rule of its own
    skipped: bool


@dataclass(frozen=True)
class Journey:
    content: Content
    own_stage_ids: frozenset[str]
    rules: list[RuleLine]
    waiting: list[BlueprintSuggestion]
    changed: bool  # the practice has a layer of its own (something to export)


def editor_of(viewer) -> Editor:
    return Editor(viewer.person.user_id, viewer.person.name)


def journey(engine, library: ContentLibrary, workspace_id: int) -> Journey:
    with transaction(engine) as session:
        content = library.for_workspace(session=session, workspace_id=workspace_id)
        layer = own_layer(session=session, library=library, workspace_id=workspace_id)
        waiting = pending_suggestions(session=session, workspace_id=workspace_id)
        for suggestion in waiting:
            session.expunge(suggestion)
    own_rules_ids = {r.id for r in layer.rules}
    skipped = set(content.skipped)
    rules = [
        RuleLine(content.rules[rule_id], rule_id in own_rules_ids, rule_id in skipped)
        for rule_id in content.order
        if rule_id in content.rules
    ]
    changed = bool(
        layer.stages or layer.stage_order or layer.rules or layer.curriculum or layer.skip
    )
    return Journey(content, frozenset(s.id for s in layer.stages), rules, waiting, changed)


def stage_of(engine, library: ContentLibrary, workspace_id: int, stage_id: str) -> Stage | None:
    """The stage as this practice sees it (retired ones too), or None: not one of its own."""
    with transaction(engine) as session:
        return library.for_workspace(session=session, workspace_id=workspace_id).stage(stage_id)


def suggestion_of(engine, workspace_id: int, suggestion_id: int) -> BlueprintSuggestion | None:
    with transaction(engine) as session:
        found = get_suggestion(
            session=session, workspace_id=workspace_id, suggestion_id=suggestion_id
        )
        if found is not None:
            session.expunge(found)
        return found


# -- forms to the core's arguments ---------------------------------------------------


def lines_of(text: str) -> list[str]:
    """A textarea, one item a line; a leading bullet or dash is the person's, not the item's."""
    items = (line.strip().lstrip("•-*").strip() for line in text.splitlines())
    return [item for item in items if item]


def stage_changes(form) -> dict:
    """The stage form as ``update_stage``'s changes (unchecked: the core decides)."""
    changes: dict = {
        "name": str(form.get("name", "")),
        "aliases": [a.strip() for a in str(form.get("aliases", "")).split(",") if a.strip()],
        "retired": form.get("retired") == "yes",
    }
    for list_name in LISTS:
        text = str(form.get(list_name, ""))
        if list_name == SINGLE:
            changes[list_name] = " ".join(text.split()) or None
        else:
            changes[list_name] = lines_of(text)
    return changes


def patient_detail(changes: dict, stage: Stage, timezone: str) -> dict[str, list[str]]:
    """New items that look like patient detail, by field: the chat's own check, as a
    suggestion gets it (everyone in a channel sees ``/huddle blueprint``)."""
    found: dict[str, list[str]] = {}
    for list_name in LISTS:
        value, before = changes.get(list_name), getattr(stage.blueprint, list_name)
        items = [value] if isinstance(value, str) else list(value or ())
        known = {before} if isinstance(before, str) else set(before or ())
        for number, item in enumerate(items, start=1):
            hits = (
                []
                if item in known
                else findings_for(item, kind="defect", timezone=timezone, people=())
            )
            if hits:
                why = " ".join(advice(hits)[1:])
                found.setdefault(list_name, []).append(
                    f"item {number}: everyone in a channel sees the blueprint. {why}"
                )
    return found


STAGE_FIELDS = frozenset({"name", "aliases", "retired", *LISTS})


def by_field(error: BlueprintError, fields=STAGE_FIELDS) -> dict[str, list[str]]:
    """Problems keyed by the form's field: ``blueprint.common_defects.2`` -> ``common_defects``
    with "item 3: ..."; problems of no field of this form (``fields``) are under ``""``."""
    found: dict[str, list[str]] = {}
    for where, message in error.problems:
        parts = where.split(".") if where else []
        if parts and parts[0] == "blueprint":
            parts = parts[1:]
        name = parts[0] if parts else ""
        if len(parts) > 1 and parts[1].isdigit():
            message = f"item {int(parts[1]) + 1}: {message}"
        if name not in fields:
            name, message = "", f"{where}: {message}" if where else message
        found.setdefault(name, []).append(message)
    return found


# -- edits: the core's functions, in one transaction -----------------------------------


def update_stage(engine, library, workspace_id, editor, now, stage_id, changes) -> Stage:
    with transaction(engine) as session:
        return own_stages.update_stage(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            stage_id=stage_id,
            **changes,
        )


def add_stage(engine, library, workspace_id, editor, now, stage_id: str, name: str) -> Stage:
    with transaction(engine) as session:
        return own_stages.save_stage(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            stage={"id": stage_id.strip(), "name": name},
        )


def order_from(form, stage_ids: list[str]) -> list[str]:
    """The stages sorted by the positions typed beside them (ties keep their order)."""

    def position(item: tuple[int, str]) -> tuple[float, int]:
        index, stage_id = item
        text = str(form.get(f"order-{stage_id}", "")).strip()
        try:
            return float(text), index
        except ValueError:
            return float(index + 1), index

    return [stage_id for _, stage_id in sorted(enumerate(stage_ids), key=position)]


def set_order(engine, library, workspace_id, editor, now, order: list[str]) -> None:
    with transaction(engine) as session:
        own_stages.set_stage_order(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            order=order,
        )


def set_skipped(engine, library, workspace_id, editor, now, rule_ids: list[str]) -> None:
    with transaction(engine) as session:
        own_rules.set_skipped(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            rule_ids=rule_ids,
        )


# -- the practice's own rules ----------------------------------------------------------

RULE_TEXTS = ("title", "theme", "rule", "why", "question", "challenge", "story_prompt")
RULE_FIELDS = frozenset({"id", "stages", *RULE_TEXTS})


def rule_of(engine, library: ContentLibrary, workspace_id: int, rule_id: str) -> Rule | None:
    """The rule as this practice has it, or None: not one of its rules (or one it removed)."""
    with transaction(engine) as session:
        return own_rules.current_rule(
            session=session, library=library, workspace_id=workspace_id, rule_id=rule_id
        )


def rule_from(form) -> dict:
    """The rule form as a rule's fields (unchecked: the core decides)."""
    rule: dict = {name: str(form.get(name, "")) for name in RULE_TEXTS}
    rule["stages"] = [str(stage_id) for stage_id in form.getall("stages", [])]
    return rule


def rule_patient_detail(rule: dict, before: Rule | None, timezone: str) -> dict[str, list[str]]:
    """Changed texts that look like patient detail, by field: a rule is posted to the
    channel every week it comes round."""
    found: dict[str, list[str]] = {}
    for name in RULE_TEXTS:
        text = rule.get(name) or ""
        if before is not None and text == getattr(before, name):
            continue
        hits = findings_for(text, kind="defect", timezone=timezone, people=())
        if hits:
            why = " ".join(advice(hits)[1:])
            found.setdefault(name, []).append(f"the whole team sees the rule. {why}")
    return found


def add_rule(engine, library, workspace_id, editor, now, rule: dict) -> Rule:
    with transaction(engine) as session:
        return own_rules.add_rule(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            rule=rule,
        )


def save_rule(engine, library, workspace_id, editor, now, rule: dict) -> Rule:
    with transaction(engine) as session:
        return own_rules.save_rule(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            rule=rule,
        )


def forget_rule(engine, library, workspace_id, editor, now, rule_id: str) -> own_rules.Forgotten:
    with transaction(engine) as session:
        return own_rules.forget_rule(
            session=session,
            library=library,
            workspace_id=workspace_id,
            editor=editor,
            now=now,
            rule_id=rule_id,
        )


# -- export and import as the YAML folder -----------------------------------------------


def export_zip(engine, library: ContentLibrary, workspace_id: int) -> bytes:
    """The practice's own layer as a zip of the folder ``HUDDLE_CONTENT_DIR`` reads."""
    with transaction(engine) as session:
        files = transfer.export_layer(session=session, library=library, workspace_id=workspace_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


class UploadError(ValueError):
    """The upload is not a zip of the folder: says what to send instead."""


def _unpack(data: bytes, folder: Path) -> Path:
    """Write the zip's YAML files under ``folder``; the folder that holds them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError(
            "That file isn't a zip. Upload the zip the Export button gives, "
            "or a zip of a folder holding stages.yaml, rules/ and curriculum.yaml."
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > FILES_MAX or sum(m.file_size for m in members) > UPLOAD_MAX * 8:
            raise UploadError("That zip is too big for a practice's blueprint.")
        for member in members:
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or path.suffix not in {".yaml", ".yml"}:
                continue  # only the folder's YAML files, and only inside it
            target = folder.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    top = [p for p in folder.iterdir()]
    if len(top) == 1 and top[0].is_dir() and top[0].name != "rules":
        return top[0]  # a zip of the folder itself
    return folder


def import_zip(engine, library, workspace_id, editor, now, data: bytes) -> transfer.Imported:
    """Replace the practice's layer with the uploaded folder's (nothing changed on an error:
    ``UploadError`` or ``ContentError`` naming the file and the field)."""
    with tempfile.TemporaryDirectory(prefix="huddle-import-") as tmp:
        folder = _unpack(data, Path(tmp))
        try:
            with transaction(engine) as session:
                return transfer.import_folder(
                    session=session,
                    library=library,
                    workspace_id=workspace_id,
                    editor=editor,
                    now=now,
                    folder=folder,
                )
        except ContentError as error:  # name the file inside the upload, not our folder
            raise ContentError(
                str(error).replace(f"{folder}/", "").replace(str(folder), "the upload")
            ) from None
