"""Export and import a practice's own blueprint as the folder HUDDLE_CONTENT_DIR reads."""

from __future__ import annotations

import pytest
import yaml
from sqlmodel import Session

from bot.blueprint import OPERATOR
from bot.blueprint import rules as own_rules
from bot.blueprint import stages as own_stages
from bot.blueprint.transfer import export_layer, import_folder, write_folder
from bot.cli import main
from bot.content import ContentError, load_content
from tests.core.test_blueprint import ADMIN, edit, workspace_id

NEW_RULE = {
    "id": "our-coffee-promise",
    "theme": "Our own rules",
    "title": "The coffee promise",
    "rule": "Offer every patient who waits more than ten minutes a drink and an honest update.",
    "why": (
        "Waiting is easier to bear when someone notices it. A drink and a straight answer "
        "about the delay tell a patient that we know their time matters too, and they turn "
        "a grumble into a thank-you."
    ),
    "question": "Who in the waiting room today has waited longest, and do they know why?",
    "challenge": "Every time the diary runs ten minutes late this week, go out and tell them.",
    "story_prompt": "Share a time a drink and an update turned a long wait around.",
    "stages": ["waiting"],
}


def _build_a_blueprint(huddle, content) -> None:
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Welcome")
    edit(
        huddle,
        own_stages.save_stage,
        editor=ADMIN,
        stage={
            "id": "home-visits",
            "name": "Home visits",
            "blueprint": {"recovery_moves": ["Ring the next day to check all is well."]},
        },
    )
    edit(huddle, own_stages.set_stage_order, editor=ADMIN, order=["home-visits", "first-call"])
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="booking", retired=True)
    edit(huddle, own_rules.save_rule, editor=ADMIN, rule=NEW_RULE)
    changed = dict(content.rules["listen-before-you-fix"].model_dump(), title="Hear them out")
    edit(huddle, own_rules.save_rule, editor=ADMIN, rule=changed)
    edit(huddle, own_rules.set_skipped, editor=ADMIN, rule_ids=["patient-is-the-reason"])


def _content_of(huddle, external: str):
    with Session(huddle.engine) as session:
        wid = workspace_id(huddle, external)
        return huddle.contents.for_workspace(session=session, workspace_id=wid)


def _export(huddle, external: str) -> dict[str, str]:
    with Session(huddle.engine) as session:
        return export_layer(
            session=session, library=huddle.contents, workspace_id=workspace_id(huddle, external)
        )


def test_export_then_import_gives_the_same_blueprint(huddle, chat, other_chat, content, tmp_path):
    chat.as_("Dana")("/huddle emoji star")
    other_chat("/huddle blueprint")
    _build_a_blueprint(huddle, content)
    files = _export(huddle, "T1")
    assert set(files) == {
        "stages.yaml",
        "rules/01-our-own-rules.yaml",
        "rules/02-the-classic-rules-part-one-people-first.yaml",
        "curriculum.yaml",
    }
    write_folder(files, tmp_path / "ours")
    edit(
        huddle,
        import_folder,
        external="T2",
        editor=OPERATOR,
        folder=tmp_path / "ours",
    )
    ours = _content_of(huddle, "T1")
    assert _content_of(huddle, "T2") == ours
    assert _export(huddle, "T2") == files
    # ... and the very folder, read as HUDDLE_CONTENT_DIR at start-up, is the same content.
    assert load_content(tmp_path / "ours") == ours
    assert ours.stages[0].id == "home-visits" and ours.stage("booking").retired
    assert "patient-is-the-reason" not in ours.curriculum
    assert "Service blueprint · Welcome" in other_chat("/huddle blueprint arrival")


def test_an_import_names_the_file_and_field_and_changes_nothing(huddle, chat, content, tmp_path):
    chat("/huddle blueprint")
    folder = tmp_path / "broken"
    (folder / "rules").mkdir(parents=True)
    bad = dict(NEW_RULE, question="Who waited longest today")
    theme = bad.pop("theme")
    (folder / "rules" / "ours.yaml").write_text(yaml.safe_dump({"theme": theme, "rules": [bad]}))
    with pytest.raises(ContentError) as error:
        edit(huddle, import_folder, editor=OPERATOR, folder=folder)
    assert "ours.yaml" in str(error.value)
    assert "field 'rules.0(our-coffee-promise).question'" in str(error.value)
    (folder / "rules" / "ours.yaml").unlink()
    (folder / "stages.yaml").write_text("stages: []\norder: [arrival, moon]\n")
    with pytest.raises(ContentError, match="field 'order': no stage has the id moon"):
        edit(huddle, import_folder, editor=OPERATOR, folder=folder)
    assert _content_of(huddle, "T1") == content


def test_the_command_line_exports_and_imports(
    huddle, chat, other_chat, content, tmp_path, monkeypatch, capsys, engine
):
    chat.as_("Dana")("/huddle emoji star")
    other_chat("/huddle blueprint")
    _build_a_blueprint(huddle, content)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("HUDDLE_CONTENT_DIR", raising=False)
    out = tmp_path / "exported"
    assert main(["blueprint", "export", "--workspace", "T1", "--out", str(out)]) == 0
    assert (out / "stages.yaml").is_file()
    assert main(["blueprint", "export", "--workspace", "T1", "--out", str(out)]) == 2  # not empty
    assert main(["blueprint", "import", "--workspace", "T2", str(out)]) == 0
    assert "Imported 3 stage(s) and 2 rule(s)" in capsys.readouterr().out
    assert _content_of(huddle, "T2") == _content_of(huddle, "T1")
    assert main(["blueprint", "import", "--workspace", "T9", str(out)]) == 2
    assert "No workspace has the id T9" in capsys.readouterr().err
