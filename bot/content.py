"""Loads and validates ``content/``: the weekly rules, the curriculum and the journey stages.

Layout of a content folder (the defaults in ``content/``, or a practice's own in
``HUDDLE_CONTENT_DIR``, merged over the defaults):

    stages.yaml          stages: [{id, name, aliases, retired, blueprint}], order: [stage ids]
    rules/*.yaml         theme: ..., rules: [{id, title, rule, why, question, challenge, ...,
                         retired}]
    curriculum.yaml      order: [rule ids], skip: [rule ids]
    fail_to_attend.yaml  causes: [{id, name, aliases}]: why a patient missed a visit

A practice's rules with a default's id replace it; new ids are added; its stages
with a default's id replace that stage, new ones follow; its stage ``order``, if
given, replaces the order of the stages (those it leaves out follow); a stage with
``retired: true`` is no longer offered but its defects keep its name, and a rule with
``retired: true`` is in no meeting's order any more but past meetings still show it; its
curriculum, if given, replaces the order (rules it leaves out follow at the end);
its ``skip``, if given, replaces the list of rules the meeting skips; its
fail-to-attend causes, if given, replace the list. A malformed file raises
``ContentError`` naming the file and the field.

The same layer (an ``Overlay``) comes from a practice's folder or, per workspace,
from the database (``bot.blueprint``): ``apply_overlay`` merges either the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from bot.storage.fail_to_attends import FTA_STAGE  # not a journey stage: its own kind

FTA_STAGE_NAME = "Fail to attend"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ContentError(Exception):
    """A content file is missing, unreadable or invalid; the message names file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Blueprint(_Strict):
    operational_standards: tuple[Text, ...] = ()
    common_defects: tuple[Annotated[str, StringConstraints(max_length=120)], ...] = ()
    experiential_standards: tuple[Text, ...] = ()
    above_and_beyond: tuple[Text, ...] = ()
    recovery_moves: tuple[Text, ...] = ()
    offer_the_offer: Text | None = None


class Stage(_Strict):
    id: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    aliases: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)], ...] = ()
    retired: bool = False
    blueprint: Blueprint = Blueprint()

    def names(self) -> set[str]:
        """Every way staff may name this stage, normalised."""
        return {normalise_stage_name(n) for n in (self.id, self.name, *self.aliases)}


def _bounded(low: int, high: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=low, max_length=high)]


class FtaCause(_Strict):
    """A root cause of a fail-to-attend, as ``/fta`` offers it."""

    id: Slug
    name: _bounded(3, 70)
    aliases: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)], ...] = ()

    def names(self) -> set[str]:
        return {normalise_stage_name(n) for n in (self.id, self.name, *self.aliases)}


class Rule(_Strict):
    id: Slug
    theme: Text
    title: _bounded(3, 80)
    rule: _bounded(20, 240)
    why: _bounded(120, 1200)
    question: _bounded(15, 240)
    challenge: _bounded(30, 400)
    story_prompt: _bounded(20, 300)
    stages: tuple[Slug, ...] = ()
    retired: bool = False  # a practice's rule it removed that past meetings used

    @field_validator("question")
    @classmethod
    def _is_a_question(cls, value: str) -> str:
        if not value.endswith("?"):
            raise ValueError("a discussion question ends with '?'")
        return value


class _RuleFile(_Strict):
    theme: Text
    rules: tuple[dict, ...]


class _StagesFile(_Strict):
    stages: tuple[Stage, ...] = ()
    order: tuple[Slug, ...] = ()


class _FtaFile(_Strict):
    causes: tuple[FtaCause, ...] = Field(min_length=1)


class _CurriculumFile(_Strict):
    order: tuple[Slug, ...] = ()
    skip: tuple[Slug, ...] | None = None


def normalise_stage_name(name: str) -> str:
    """'Checkout & Payment' -> 'checkout payment'; 'in-the-chair' -> 'in the chair'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold()).split())


@dataclass(frozen=True)
class Content:
    """Everything in ``content/``, validated and merged."""

    rules: dict[str, Rule]
    curriculum: tuple[str, ...]  # the meeting's order, without the skipped rules
    stages: tuple[Stage, ...]  # the journey, without the retired stages
    fta_causes: tuple[FtaCause, ...] = ()
    retired_stages: tuple[Stage, ...] = ()  # still named on their old defects
    skipped: tuple[str, ...] = ()  # rules the practice's meeting leaves out
    order: tuple[str, ...] = ()  # every rule id in order, the skipped ones in their place

    def fta_cause(self, cause_id: str | None) -> FtaCause | None:
        return next((c for c in self.fta_causes if c.id == cause_id), None)

    def find_fta_cause(self, text: str) -> FtaCause | None:
        """The cause staff meant by ``text`` (its id, name or an alias, any case)."""
        key = normalise_stage_name(text)
        return next((c for c in self.fta_causes if key and key in c.names()), None)

    def stage(self, stage_id: str | None) -> Stage | None:
        return self._stages_by_id.get(stage_id)  # type: ignore[arg-type]

    @cached_property
    def stage_positions(self) -> dict[str, int]:
        """Each stage id's place in the journey (without the retired ones)."""
        found: dict[str, int] = {}
        for n, s in enumerate(self.stages):
            found.setdefault(s.id, n)  # the first of an id wins, as in ``_stages_by_id``
        return found

    @cached_property
    def _stages_by_id(self) -> dict[str, Stage]:
        # Looked up once per line of a digest: a dict, not a scan (the first of an id wins).
        found: dict[str, Stage] = {}
        for s in (*self.stages, *self.retired_stages):
            found.setdefault(s.id, s)
        return found

    def find_stage(self, name: str) -> Stage | None:
        """The stage staff meant by ``name`` (its id, name or an alias, any case)."""
        key = normalise_stage_name(name)
        if not key:
            return None
        return next((s for s in self.stages if key in s.names()), None)

    def stage_name(self, stage_id: str | None) -> str:
        stage = self.stage(stage_id)
        if stage is not None:
            return stage.name
        if stage_id == FTA_STAGE:
            return FTA_STAGE_NAME
        return "Unassigned" if stage_id is None else stage_id

    def rules_in_order(self) -> list[Rule]:
        return [self.rules[rule_id] for rule_id in self.curriculum]


@dataclass(frozen=True)
class Overlay:
    """One layer of content over another: a practice's folder, or its own in the database.

    Empty parts change nothing; ``skip`` None keeps the skips below, a tuple replaces them.
    """

    stages: tuple[Stage, ...] = ()
    stage_order: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    curriculum: tuple[str, ...] = ()
    skip: tuple[str, ...] | None = None
    fta_causes: tuple[FtaCause, ...] = ()


EMPTY = Content(rules={}, curriculum=(), stages=())


def load_content(extra_dir: Path | None = None, base_dir: Path = DEFAULT_CONTENT_DIR) -> Content:
    """Load the default content, then a practice's own folder over it."""
    content = apply_overlay(EMPTY, read_overlay(base_dir, required=True), where=base_dir)
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ContentError(f"HUDDLE_CONTENT_DIR={extra_dir} is not a folder.")
        content = apply_overlay(content, read_overlay(extra_dir, required=False), where=extra_dir)
    return content


def read_overlay(folder: Path, *, required: bool) -> Overlay:
    """A content folder as a layer; ``required``: the defaults, where every file must be."""
    stages = _read_stages_file(folder / "stages.yaml", required=required)
    curriculum = _read_curriculum(folder / "curriculum.yaml", required=required)
    return Overlay(
        stages=stages.stages,
        stage_order=stages.order,
        rules=tuple(_load_rules(folder / "rules").values()),
        curriculum=curriculum.order,
        skip=curriculum.skip,
        fta_causes=_load_causes(folder / "fail_to_attend.yaml", required=required),
    )


def apply_overlay(content: Content, overlay: Overlay, *, where: Path | str) -> Content:
    """``overlay`` merged over ``content`` (see the module's docstring), checked.

    Raises ``ContentError`` naming the file (under ``where``) and the field.
    """
    stages = {s.id: s for s in (*content.stages, *content.retired_stages)}
    stages.update({s.id: s for s in overlay.stages})
    unknown = [s for s in overlay.stage_order if s not in stages]
    if unknown:
        raise ContentError(
            f"{where}/stages.yaml: field 'order': no stage has the id {', '.join(unknown)}"
        )
    stage_ids = list(dict.fromkeys((*overlay.stage_order, *stages)))
    rules = dict(content.rules)
    rules.update({r.id: r for r in overlay.rules})
    order = list(overlay.curriculum or content.order or content.curriculum)
    order = [r for r in order if r not in rules or not rules[r].retired]
    seen = set(order)
    order += [r for r, rule in rules.items() if r not in seen and not rule.retired]
    skipped = content.skipped if overlay.skip is None else overlay.skip
    merged = Content(
        rules=rules,
        curriculum=tuple(r for r in order if r not in skipped),
        stages=tuple(stages[s] for s in stage_ids if not stages[s].retired),
        fta_causes=overlay.fta_causes or content.fta_causes,
        retired_stages=tuple(stages[s] for s in stage_ids if stages[s].retired),
        skipped=tuple(skipped),
        order=tuple(order),
    )
    _check_references(merged, where)
    return merged


# libyaml's safe loader where PyYAML was built with it: the content is read by every
# process at start, and the pure-Python loader took about 15 times as long (150 ms).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror})") from exc


def _validation_message(path: Path, exc: ValidationError, prefix: str = "") -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        problems.append(f"field '{where}': {error['msg']}")
    return f"{path}: " + "; ".join(problems)


def _read_stages_file(path: Path, *, required: bool) -> _StagesFile:
    if not path.exists():
        if required:
            raise ContentError(f"{path}: missing (the journey stages)")
        return _StagesFile()
    try:
        document = _StagesFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ContentError(_validation_message(path, exc)) from exc
    for field_name, ids in (("stages", [s.id for s in document.stages]), ("order", document.order)):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ContentError(f"{path}: field '{field_name}': listed twice: {', '.join(twice)}")
    return document


def _load_causes(path: Path, *, required: bool) -> tuple[FtaCause, ...]:
    if not path.exists():
        if required:
            raise ContentError(f"{path}: missing (the causes of a fail-to-attend)")
        return ()
    try:
        return _FtaFile.model_validate(_read_yaml(path)).causes
    except ValidationError as exc:
        raise ContentError(_validation_message(path, exc)) from exc


def _load_rules(folder: Path) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    origin: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            document = _RuleFile.model_validate(_read_yaml(path))
        except ValidationError as exc:
            raise ContentError(_validation_message(path, exc)) from exc
        for index, raw in enumerate(document.rules):
            try:
                rule = Rule.model_validate({"theme": document.theme, **raw})
            except ValidationError as exc:
                label = f"rules.{index}" + (f"({raw.get('id')})" if raw.get("id") else "")
                raise ContentError(_validation_message(path, exc, prefix=label)) from exc
            if rule.id in rules:
                raise ContentError(
                    f"{path}: field 'rules.{index}.id': '{rule.id}' is already used in "
                    f"{origin[rule.id]}"
                )
            rules[rule.id] = rule
            origin[rule.id] = path
    return rules


def _read_curriculum(path: Path, *, required: bool) -> _CurriculumFile:
    if not path.exists():
        if required:
            raise ContentError(f"{path}: missing (the order of the weekly rules)")
        return _CurriculumFile()
    try:
        document = _CurriculumFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ContentError(_validation_message(path, exc)) from exc
    for field_name, ids in (("order", document.order), ("skip", document.skip or ())):
        twice = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if twice:
            raise ContentError(f"{path}: field '{field_name}': listed twice: {', '.join(twice)}")
    return document


def _check_references(content: Content, where: Path | str) -> None:
    unknown = [rule_id for rule_id in content.order if rule_id not in content.rules]
    if unknown:
        raise ContentError(
            f"{where}/curriculum.yaml: field 'order': no rule has the id {', '.join(unknown)}"
        )
    if not content.rules:
        raise ContentError(f"{where}/rules: no rules found")
    unknown = [rule_id for rule_id in content.skipped if rule_id not in content.rules]
    if unknown:
        raise ContentError(
            f"{where}/curriculum.yaml: field 'skip': no rule has the id {', '.join(unknown)}"
        )
    if not content.curriculum:
        raise ContentError(f"{where}/curriculum.yaml: field 'skip': it skips every rule")
    if not content.stages:
        raise ContentError(f"{where}/stages.yaml: field 'stages': no stage is left unretired")
    stage_ids = {stage.id for stage in (*content.stages, *content.retired_stages)}
    for rule in content.rules.values():
        missing = [s for s in rule.stages if s not in stage_ids]
        if missing:
            raise ContentError(
                f"rule '{rule.id}': field 'stages': unknown stage {', '.join(missing)} "
                f"(known: {', '.join(sorted(stage_ids))})"
            )
    owners: dict[str, str] = {}
    for stage in (*content.stages, *content.retired_stages):
        for key in stage.names():
            if key in owners and owners[key] != stage.id:
                raise ContentError(
                    f"stages.yaml: field 'aliases': '{key}' names both '{owners[key]}' "
                    f"and '{stage.id}'"
                )
            owners[key] = stage.id
