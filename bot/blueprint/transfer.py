"""A practice's own layer as the folder ``HUDDLE_CONTENT_DIR`` reads, and back.

Export writes only what the practice changed (``stages.yaml``, ``rules/*.yaml``,
``curriculum.yaml``), so the folder read as ``HUDDLE_CONTENT_DIR`` over the defaults
gives the practice's content. Import reads a folder with the very loader the server
uses at start-up, so its errors name the file and the field, and then replaces the
practice's layer with it. Fail-to-attend causes are the server's and are not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlmodel import Session

from bot.blueprint.checks import (
    Editor,
    audit_edit,
    body_of,
    own_layer,
    require_editor,
)
from bot.blueprint.library import ContentLibrary
from bot.content import ContentError, Overlay, apply_overlay, read_overlay
from bot.storage import blueprints


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())[:40] or "rules"


def export_layer(*, session: Session, library: ContentLibrary, workspace_id: int) -> dict[str, str]:
    """The practice's own layer as files: relative path -> YAML text (empty: no changes)."""
    layer = own_layer(session=session, library=library, workspace_id=workspace_id)
    files: dict[str, str] = {}
    if layer.stages or layer.stage_order:
        stages: dict = {"stages": [body_of(s) for s in layer.stages]}
        if layer.stage_order:
            stages["order"] = list(layer.stage_order)
        files["stages.yaml"] = _yaml(stages)
    # One file per run of rules sharing a theme, numbered, so reading them back in
    # file order keeps the rules' order (new rules join the curriculum in that order).
    runs: list[tuple[str, list[dict]]] = []
    for rule in layer.rules:
        body = body_of(rule)
        theme = body.pop("theme")
        if runs and runs[-1][0] == theme:
            runs[-1][1].append(body)
        else:
            runs.append((theme, [body]))
    for number, (theme, rules) in enumerate(runs, start=1):
        files[f"rules/{number:02d}-{_slug(theme)}.yaml"] = _yaml({"theme": theme, "rules": rules})
    curriculum: dict = {}
    if layer.curriculum:
        curriculum["order"] = list(layer.curriculum)
    if layer.skip is not None:
        curriculum["skip"] = list(layer.skip)
    if curriculum:
        files["curriculum.yaml"] = _yaml(curriculum)
    return files


def write_folder(files: dict[str, str], folder: Path) -> list[Path]:
    """Write exported files under ``folder`` (created); returns the paths written."""
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class Imported:
    stages: int
    rules: int
    skipped: int

    def summary(self) -> str:
        return (
            f"Imported {self.stages} stage(s) and {self.rules} rule(s) of the practice's own; "
            f"the meeting skips {self.skipped} rule(s)."
        )


def import_folder(
    *,
    session: Session,
    library: ContentLibrary,
    workspace_id: int,
    editor: Editor,
    now: datetime,
    folder: Path,
) -> Imported:
    """Replace the practice's own layer with a ``HUDDLE_CONTENT_DIR`` folder's.

    Raises ``ContentError`` naming the file and the field, with nothing changed.
    """
    require_editor(session=session, workspace_id=workspace_id, editor=editor)
    if not folder.is_dir():
        raise ContentError(f"{folder} is not a folder.")
    read = read_overlay(folder, required=False)
    layer = Overlay(
        stages=read.stages,
        stage_order=read.stage_order,
        rules=read.rules,
        curriculum=read.curriculum,
        skip=read.skip,
    )
    apply_overlay(library.base, layer, where=folder)  # the same checks as at start-up
    blueprints.replace_layer(
        session=session,
        workspace_id=workspace_id,
        stages=[(s.id, body_of(s)) for s in layer.stages],
        rules=[(r.id, body_of(r)) for r in layer.rules],
        by=editor.user_id,
        now=now,
        stage_order=list(layer.stage_order) or None,
        curriculum=list(layer.curriculum) or None,
        skip=None if layer.skip is None else list(layer.skip),
    )
    audit_edit(session, workspace_id, editor, "blueprint.import", now)
    return Imported(len(layer.stages), len(layer.rules), len(layer.skip or ()))
