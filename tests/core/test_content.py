"""Quality gates for content/: what a practice manager reads aloud every Monday."""

import re
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from bot.content import DEFAULT_CONTENT_DIR, ContentError, load_content

EXPECTED_STAGES = [
    "first-call",
    "booking",
    "arrival",
    "waiting",
    "in-the-chair",
    "checkout",
    "follow-up",
]
PLACEHOLDER = re.compile(r"lorem|ipsum|\bTODO\b|\bTBD\b|FIXME|placeholder|xxx|\.\.\.$", re.I)


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_a_full_year_of_rules_validates(content):
    assert len(content.rules) == 52
    assert len(set(content.curriculum)) == 52 == len(content.curriculum)
    assert set(content.curriculum) == set(content.rules)


def test_rule_ids_are_unique_across_files():
    ids = []
    for path in sorted((DEFAULT_CONTENT_DIR / "rules").glob("*.yaml")):
        ids += [rule["id"] for rule in yaml.safe_load(path.read_text())["rules"]]
    assert len(ids) == len(set(ids)) == 52


def test_every_rule_field_holds_real_text(content):
    for rule in content.rules.values():
        for field in ("title", "rule", "why", "question", "challenge", "story_prompt", "theme"):
            value = getattr(rule, field)
            assert not PLACEHOLDER.search(value), (rule.id, field)
        assert _sentences(rule.rule) == 1, rule.id
        assert _sentences(rule.why) >= 3, rule.id  # a paragraph, not a line
        assert rule.question.endswith("?"), rule.id
        assert len(rule.challenge.split()) >= 12, rule.id
        assert len(rule.story_prompt.split()) >= 8, rule.id


def test_no_two_rules_share_a_title_or_a_near_identical_body(content):
    titles = [rule.title.casefold() for rule in content.rules.values()]
    assert len(titles) == len(set(titles))
    bodies = {rule.id: _shingles(f"{rule.rule} {rule.why}") for rule in content.rules.values()}
    for (a, sa), (b, sb) in combinations(bodies.items(), 2):
        assert not (sa & sb), f"{a} and {b} share a run of eight words"


def test_every_stage_a_rule_is_tagged_with_exists(content):
    stage_ids = {stage.id for stage in content.stages}
    for rule in content.rules.values():
        assert set(rule.stages) <= stage_ids, rule.id


def test_the_curriculum_is_grouped_in_themes(content):
    themes = [rule.theme for rule in content.rules_in_order()]
    runs = [theme for i, theme in enumerate(themes) if i == 0 or themes[i - 1] != theme]
    assert len(runs) == len(set(runs)) >= 8  # each theme is worked through in one go


def test_the_default_journey_has_a_complete_blueprint_per_stage(content):
    assert [stage.id for stage in content.stages] == EXPECTED_STAGES
    for stage in content.stages:
        bp = stage.blueprint
        assert len(bp.operational_standards) >= 3, stage.id
        assert len(bp.common_defects) >= 4, stage.id
        assert len(bp.experiential_standards) >= 3, stage.id
        assert len(bp.above_and_beyond) >= 2, stage.id
        assert len(bp.recovery_moves) >= 3, stage.id
        assert bp.offer_the_offer and len(bp.offer_the_offer.split()) >= 8, stage.id
        assert stage.aliases, stage.id


@pytest.mark.parametrize(
    ("typed", "stage_id"),
    [
        ("phone", "first-call"),
        ("Front Desk", "arrival"),
        ("reminder", "booking"),
        ("waiting room", "waiting"),
        ("chair", "in-the-chair"),
        ("billing", "checkout"),
        ("recall", "follow-up"),
        ("Checkout and payment", "checkout"),
    ],
)
def test_staff_can_name_a_stage_the_way_they_say_it(content, typed, stage_id):
    assert content.find_stage(typed).id == stage_id


def _write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


OWN_RULE = {
    "id": "our-coffee-promise",
    "title": "Our coffee promise",
    "rule": "Every patient who waits more than ten minutes is offered a drink and an honest update.",
    "why": (
        "Our waiting room is small and the clock on the wall is large. When a patient has waited "
        "ten minutes, an offer of a drink tells them we have noticed. An honest update tells them "
        "how long is left, so they can decide whether to stay. Both cost us a minute."
    ),
    "question": "Who on the team is best placed to notice the ten-minute mark, and how?",
    "challenge": "Keep a tally at reception of every offer made this week and bring it next Monday.",
    "story_prompt": "Share a time this week when a drink and an update turned a long wait around.",
    "stages": ["waiting"],
}


def test_a_practice_adds_its_own_rules_and_edits_stages(tmp_path, content):
    _write(tmp_path, "rules/our-rules.yaml", {"theme": "Our practice", "rules": [OWN_RULE]})
    arrival = content.stage("arrival").model_dump()
    arrival["name"] = "Reception"
    arrival["aliases"] = [*arrival["aliases"], "welcome counter"]
    _write(tmp_path, "stages.yaml", {"stages": [arrival]})
    merged = load_content(tmp_path)
    assert len(merged.rules) == 53
    assert merged.curriculum[-1] == "our-coffee-promise"  # added rules follow the default order
    assert merged.find_stage("welcome counter").name == "Reception"
    assert [s.id for s in merged.stages] == EXPECTED_STAGES


def test_a_practice_curriculum_replaces_the_order(tmp_path, content):
    _write(tmp_path, "rules/our-rules.yaml", {"theme": "Our practice", "rules": [OWN_RULE]})
    _write(tmp_path, "curriculum.yaml", {"order": ["our-coffee-promise"]})
    merged = load_content(tmp_path)
    assert merged.curriculum[0] == "our-coffee-promise"
    assert len(merged.curriculum) == 53


def test_a_malformed_practice_file_names_the_file_and_the_field(tmp_path):
    broken = dict(OWN_RULE, question="No question mark here")
    path = _write(tmp_path, "rules/ours.yaml", {"theme": "Ours", "rules": [broken]})
    with pytest.raises(ContentError) as error:
        load_content(tmp_path)
    assert str(path) in str(error.value)
    assert "rules.0(our-coffee-promise).question" in str(error.value)


def test_a_missing_field_and_an_unknown_stage_tag_are_named(tmp_path):
    missing = {k: v for k, v in OWN_RULE.items() if k != "challenge"}
    _write(tmp_path, "rules/ours.yaml", {"theme": "Ours", "rules": [missing]})
    with pytest.raises(ContentError, match="challenge"):
        load_content(tmp_path)
    _write(
        tmp_path, "rules/ours.yaml", {"theme": "Ours", "rules": [dict(OWN_RULE, stages=["moon"])]}
    )
    with pytest.raises(ContentError, match="unknown stage moon"):
        load_content(tmp_path)


def test_invalid_yaml_and_unknown_curriculum_ids_are_named(tmp_path):
    (tmp_path / "stages.yaml").write_text("stages: [unclosed")
    with pytest.raises(ContentError, match=r"stages\.yaml: not valid YAML"):
        load_content(tmp_path)
    (tmp_path / "stages.yaml").unlink()
    _write(tmp_path, "curriculum.yaml", {"order": ["no-such-rule"]})
    with pytest.raises(ContentError, match="no rule has the id no-such-rule"):
        load_content(tmp_path)


def test_a_content_file_cannot_make_python_objects(tmp_path):
    # The fast loader is still the safe one: a Python tag is refused, never run.
    (tmp_path / "stages.yaml").write_text("stages: !!python/object/apply:os.getcwd []")
    with pytest.raises(ContentError, match=r"stages\.yaml: not valid YAML"):
        load_content(tmp_path)


def test_an_alias_cannot_name_two_stages(tmp_path, content):
    waiting = content.stage("waiting").model_dump()
    waiting["aliases"] = ["front desk"]
    _write(tmp_path, "stages.yaml", {"stages": [waiting]})
    with pytest.raises(ContentError, match="'front desk' names both"):
        load_content(tmp_path)


def test_the_readme_example_rule_is_valid_content(tmp_path):
    readme = (DEFAULT_CONTENT_DIR.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own content", 1)[1].split("\n## ", 1)[0]
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if "rules:" in b)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ours.yaml").write_text(example, encoding="utf-8")

    merged = load_content(tmp_path)

    assert merged.curriculum[-1] == "greet-by-name"
    assert merged.rules["greet-by-name"].stages == ("arrival",)


# A sedated patient cannot consent to going home alone, driving or a taxi on their own: the
# escort is an adult, arranged before the appointment. Anything in content that mentions
# sedation must say so, and must not offer the unsafe ways home near that mention.
SEDATION = re.compile(r"\bsedat", re.I)
ESCORT_ARRANGED = re.compile(r"\badult\b.*\bescort\b.*\barranged\b.*\bbefore\b", re.I)
UNSAFE_WAY_HOME = re.compile(
    r"\b(?:alone|on (?:their|his|her) own|by (?:them|him|her)sel(?:f|ves)|drive|drives|drove"
    r"|driving|behind the wheel|taxi|cab|rideshare|uber|walk home)\b",
    re.I,
)
A_CHOICE = re.compile(
    r"\b(?:their|his|her) (?:choice|call|decision)\b|\bup to (?:them|the patient)\b"
)


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [text for inner in value for text in _strings_in(inner)]
    return []


def _content_texts(content) -> list[tuple[str, list[str]]]:
    """Every rule and stage as (name, all its text fields), nothing left out."""
    rules = [(f"rule {r.id}", _strings_in(r.model_dump())) for r in content.rules.values()]
    stages = [(f"stage {s.id}", _strings_in(s.model_dump())) for s in content.stages]
    return rules + stages


def _sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", " ".join(text.split())) if s]


def sedation_problems(content) -> list[str]:
    problems = []
    for name, texts in _content_texts(content):
        sentences = [s for text in texts for s in _sentences_of(text)]
        mentions = [i for i, s in enumerate(sentences) if SEDATION.search(s)]
        for i in mentions:
            if not ESCORT_ARRANGED.search(sentences[i]):
                problems.append(f"{name}: no adult escort arranged before: {sentences[i]!r}")
            near = " ".join(sentences[max(0, i - 1) : i + 2])
            if found := UNSAFE_WAY_HOME.search(near):
                problems.append(f"{name}: {found.group(0)!r} next to sedation: {near!r}")
        if mentions and (found := A_CHOICE.search(" ".join(sentences))):
            problems.append(f"{name}: mentions sedation and calls leaving {found.group(0)!r}")
    return problems


def test_no_rule_or_stage_lets_a_sedated_patient_leave_alone_or_drive(content):
    assert sedation_problems(content) == []
    mentions = [name for name, texts in _content_texts(content) if SEDATION.search(" ".join(texts))]
    assert {"stage checkout", "rule offer-to-call-a-taxi"} <= set(mentions)


def test_the_sedation_check_catches_the_wording_it_replaced(tmp_path, content):
    checkout = content.stage("checkout").model_dump()
    checkout["blueprint"]["offer_the_offer"] = (
        "Offer to call a taxi or a family member for a patient who has had sedation or a long "
        "procedure, even if they drove themselves in."
    )
    taxi = content.rules["offer-to-call-a-taxi"].model_dump()
    taxi["rule"] = (
        "After sedation, a long appointment or a tough visit, offer to call a taxi or a family "
        "member before the patient heads out."
    )
    taxi["why"] += " Most will say they are fine, and that is their choice."
    taxi.pop("theme")
    _write(tmp_path, "stages.yaml", {"stages": [checkout]})
    _write(tmp_path, "rules/old.yaml", {"theme": "Old", "rules": [dict(taxi, id="old-taxi")]})

    problems = sedation_problems(load_content(tmp_path))

    assert any("stage checkout: no adult escort" in p for p in problems)
    assert any("stage checkout: 'taxi' next to sedation" in p for p in problems)
    assert any("rule old-taxi: no adult escort" in p for p in problems)
    assert any(
        "rule old-taxi: mentions sedation and calls leaving 'their choice'" in p for p in problems
    )


def test_the_default_fail_to_attend_causes_are_six_each_with_words_staff_type(content):
    assert [c.id for c in content.fta_causes] == [
        "urgency",
        "no-reminder",
        "booking-call",
        "transport",
        "forgot",
        "other",
    ]
    assert all(cause.aliases for cause in content.fta_causes)
    owners: dict[str, str] = {}
    for cause in content.fta_causes:
        for key in cause.names():
            assert owners.setdefault(key, cause.id) == cause.id, key  # no word names two
    assert content.stage_name("fail-to-attend") == "Fail to attend"


def test_a_practice_s_own_fail_to_attend_causes_replace_the_list(tmp_path):
    own = {"causes": [{"id": "weather", "name": "Snowed in", "aliases": ["snow"]}]}
    _write(tmp_path, "fail_to_attend.yaml", own)
    merged = load_content(tmp_path)
    assert [c.id for c in merged.fta_causes] == ["weather"]
    assert merged.find_fta_cause("Snow").id == "weather"
    _write(tmp_path, "fail_to_attend.yaml", {"causes": []})
    with pytest.raises(ContentError, match=r"fail_to_attend\.yaml"):
        load_content(tmp_path)
