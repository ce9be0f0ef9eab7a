"""A practice's own rules: added, edited and removed by its admins, seen in chat and in the
weekly rotation at once; a removed rule that a meeting had stays readable in its history."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.blueprint import OPERATOR, BlueprintError
from bot.blueprint import rules as own_rules
from bot.blueprint.rules import Forgotten
from bot.blueprint.transfer import export_layer, import_folder, write_folder
from bot.content import load_content
from bot.meeting import next_rule
from bot.storage import meetings
from bot.storage.db import transaction
from tests.core.test_blueprint import ADMIN, edit, workspace_id
from tests.core.test_blueprint_transfer import NEW_RULE


@pytest.fixture
def practice(chat):
    chat.as_("Dana")("/huddle emoji star")
    return chat


def content_of(huddle):
    with Session(huddle.engine) as session:
        return huddle.contents.for_workspace(session=session, workspace_id=workspace_id(huddle))


def meeting_had(huddle, rule_id: str, week: int) -> None:
    """The channel's meeting of that week was posted with this rule."""
    with transaction(huddle.engine) as session:
        post = meetings.claim_meeting(
            session=session,
            workspace_id=workspace_id(huddle),
            channel_id="C1",
            period=f"2026-W{week:02d}",
            rule_id=rule_id,
            now=huddle.clock(),
        )
        meetings.mark_posted(session=session, post=post, message_id=f"m{week}", now=huddle.clock())


def test_an_added_rule_is_in_huddle_rules_and_next_in_the_rotation(huddle, practice):
    before = content_of(huddle)
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=NEW_RULE)
    assert "Our own rules" in practice("/huddle rules")  # its theme, among the year's
    for week, rule_id in enumerate(before.curriculum, start=1):
        meeting_had(huddle, rule_id, week)
    assert f"Next up: {NEW_RULE['title']}" in practice("/huddle rules").replace("\n", " ")
    content = content_of(huddle)
    assert next_rule(content, list(before.curriculum)).id == NEW_RULE["id"]


def test_adding_an_id_a_rule_has_is_refused_by_field(huddle, practice):
    taken = dict(NEW_RULE, id="listen-before-you-fix")
    with pytest.raises(BlueprintError) as refused:
        edit(huddle, own_rules.add_rule, editor=ADMIN, rule=taken)
    assert refused.value.problems[0][0] == "id" and "edit it instead" in str(refused.value)
    with pytest.raises(BlueprintError) as unknown_stage:
        edit(huddle, own_rules.add_rule, editor=ADMIN, rule=dict(NEW_RULE, stages=["moon"]))
    assert unknown_stage.value.problems[0][0] == "stages" and "moon" in str(unknown_stage.value)
    assert NEW_RULE["id"] not in content_of(huddle).rules


def test_removing_an_unused_rule_of_its_own_takes_it_out_everywhere(huddle, practice):
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=NEW_RULE)
    edit(huddle, own_rules.set_skipped, editor=ADMIN, rule_ids=[NEW_RULE["id"]])
    done = edit(huddle, own_rules.forget_rule, editor=ADMIN, rule_id=NEW_RULE["id"])
    assert done is Forgotten.REMOVED
    content = content_of(huddle)
    assert NEW_RULE["id"] not in content.rules and NEW_RULE["id"] not in content.skipped
    assert "Our own rules" not in practice("/huddle rules")


def test_a_removed_rule_a_meeting_had_stays_readable_but_leaves_the_rotation(huddle, practice):
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=NEW_RULE)
    meeting_had(huddle, NEW_RULE["id"], 1)
    done = edit(huddle, own_rules.forget_rule, editor=ADMIN, rule_id=NEW_RULE["id"])
    assert done is Forgotten.RETIRED
    content = content_of(huddle)
    assert NEW_RULE["id"] not in content.curriculum and NEW_RULE["id"] not in content.order
    assert content.rules[NEW_RULE["id"]].title == NEW_RULE["title"]  # the history reads it
    shown = practice("/huddle rules")
    assert f"• {NEW_RULE['title']}" in shown  # "Recently", as it was
    assert "Our own rules" not in shown  # no longer one of the year's themes
    assert "No rule has the id" in practice(f"/huddle blueprint skip {NEW_RULE['id']}")
    with Session(huddle.engine) as session:
        found = own_rules.current_rule(
            session=session,
            library=huddle.contents,
            workspace_id=workspace_id(huddle),
            rule_id=NEW_RULE["id"],
        )
    assert found is None
    assert (
        edit(huddle, own_rules.forget_rule, editor=ADMIN, rule_id=NEW_RULE["id"])
        is Forgotten.NOTHING
    )
    # Added again, it is back in the rotation.
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=NEW_RULE)
    assert NEW_RULE["id"] in content_of(huddle).curriculum


def test_forgetting_its_version_of_a_default_shows_the_default_again(huddle, practice, content):
    default = content.rules["listen-before-you-fix"]
    edit(
        huddle,
        own_rules.save_rule,
        editor=ADMIN,
        rule=dict(default.model_dump(), title="Hear them out"),
    )
    assert content_of(huddle).rules[default.id].title == "Hear them out"
    done = edit(huddle, own_rules.forget_rule, editor=ADMIN, rule_id=default.id)
    assert done is Forgotten.DEFAULT
    assert content_of(huddle).rules[default.id] == default


def test_own_rules_and_a_removed_one_round_trip_through_the_yaml_folder(
    huddle, practice, other_chat, tmp_path
):
    other_chat("/huddle blueprint")
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=NEW_RULE)
    kept = dict(NEW_RULE, id="our-umbrella-promise", title="The umbrella promise")
    edit(huddle, own_rules.add_rule, editor=ADMIN, rule=kept)
    meeting_had(huddle, NEW_RULE["id"], 1)
    edit(huddle, own_rules.forget_rule, editor=ADMIN, rule_id=NEW_RULE["id"])
    with Session(huddle.engine) as session:
        files = export_layer(
            session=session, library=huddle.contents, workspace_id=workspace_id(huddle)
        )
    [text] = [t for n, t in files.items() if n.startswith("rules/")]
    assert "retired: true" in text and "The umbrella promise" in text
    write_folder(files, tmp_path / "ours")
    edit(huddle, import_folder, external="T2", editor=OPERATOR, folder=tmp_path / "ours")
    with Session(huddle.engine) as session:
        theirs = huddle.contents.for_workspace(
            session=session, workspace_id=workspace_id(huddle, "T2")
        )
    assert theirs == content_of(huddle) == load_content(tmp_path / "ours")
    assert theirs.rules[NEW_RULE["id"]].retired and NEW_RULE["id"] not in theirs.curriculum
    assert kept["id"] in theirs.curriculum
