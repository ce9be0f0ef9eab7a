"""The practice's own blueprint: edited by its admins, suggested by anyone, seen at once."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.blueprint import BlueprintError, Editor, NotAllowed, suggestions
from bot.blueprint import rules as own_rules
from bot.blueprint import stages as own_stages
from bot.model import ConversationRef
from bot.storage.blueprint_models import BlueprintSuggestion
from bot.storage.db import transaction
from bot.storage.models import AuditEntry
from bot.storage.workspaces import get_workspace

ADMIN = Editor("U-dana", "Dana")
IDEA = "Offer a glass of water to anyone who has waited more than ten minutes"


def workspace_id(huddle, external: str = "T1") -> int:
    with Session(huddle.engine) as session:
        return get_workspace(session=session, platform="slack", external_id=external).id


def edit(huddle, function, *, external: str = "T1", **kwargs):
    """Run one core edit in its own transaction, as a dashboard form would."""
    wid = workspace_id(huddle, external)
    with transaction(huddle.engine) as session:
        return function(
            session=session, library=huddle.contents, workspace_id=wid, now=huddle.clock(), **kwargs
        )


@pytest.fixture
def practice(chat):
    """Dana is the practice's first admin; Robin is on the team."""
    chat.as_("Dana")("/huddle emoji star")
    chat.as_("Robin")
    return chat


def test_an_edit_shows_in_huddle_blueprint_at_once_and_not_in_another_workspace(
    huddle, practice, other_chat
):
    other_chat("/huddle blueprint")
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Welcome")
    edit(
        huddle,
        own_stages.add_item,
        editor=ADMIN,
        stage_id="arrival",
        list_name="recovery_moves",
        text=IDEA,
    )
    [shown] = practice.replies("/huddle blueprint arrival")
    assert shown.title == "Service blueprint · Welcome"
    assert IDEA in shown.plain()
    assert "Welcome" in [f.label for f in practice.replies("/huddle blueprint")[0].fields]
    [theirs] = other_chat.replies("/huddle blueprint arrival")
    assert theirs.title == "Service blueprint · Arrival"
    assert IDEA not in theirs.plain()


def test_stages_can_be_added_reordered_and_retired(huddle, practice, content):
    edit(
        huddle,
        own_stages.save_stage,
        editor=ADMIN,
        stage={"id": "home-visits", "name": "Home visits", "aliases": ["house call"]},
    )
    edit(huddle, own_stages.set_stage_order, editor=ADMIN, order=["home-visits", "arrival"])
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="booking", retired=True)
    names = [f.label for f in practice.replies("/huddle blueprint")[0].fields]
    assert names[:2] == ["Home visits", "Arrival"]
    assert "Booking and reminders" not in names
    assert len(names) == len(content.stages)  # one added, one retired
    assert "Service blueprint · Home visits" in practice("/huddle blueprint house call")


def test_edits_are_checked_like_the_yaml_and_errors_name_the_field(huddle, practice):
    wid = workspace_id(huddle)
    with Session(huddle.engine) as session:  # closed: an open one blocks the next TRUNCATE
        before = huddle.contents.for_workspace(session=session, workspace_id=wid)
    with pytest.raises(BlueprintError) as short:
        edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="X")
    assert [f for f, _ in short.value.problems] == ["name"]
    with pytest.raises(BlueprintError) as long_defect:
        edit(
            huddle,
            own_stages.add_item,
            editor=ADMIN,
            stage_id="arrival",
            list_name="common_defects",
            text="waited " * 30,
        )
    assert long_defect.value.problems[0][0].startswith("blueprint.common_defects.")
    with pytest.raises(BlueprintError) as order:
        edit(huddle, own_stages.set_stage_order, editor=ADMIN, order=["arrival", "moon"])
    assert order.value.problems[0][0] == "order" and "moon" in str(order.value)
    rule = dict(before.rules["patient-is-the-reason"].model_dump(), question="Why not")
    with pytest.raises(BlueprintError) as question:
        edit(huddle, own_rules.save_rule, editor=ADMIN, rule=rule)
    assert [f for f, _ in question.value.problems] == ["question"]
    with pytest.raises(BlueprintError) as every:
        edit(huddle, own_rules.set_skipped, editor=ADMIN, rule_ids=list(before.curriculum))
    assert every.value.problems[0][0] == "skip"
    with Session(huddle.engine) as session:
        assert huddle.contents.for_workspace(session=session, workspace_id=wid) == before


def test_a_non_admin_edit_is_refused_and_changes_nothing(huddle, practice):
    with pytest.raises(NotAllowed):
        edit(
            huddle,
            own_stages.update_stage,
            editor=Editor("U-robin", "Robin"),
            stage_id="arrival",
            name="Robin's welcome",
        )
    assert "Service blueprint · Arrival" in practice("/huddle blueprint arrival")
    practice("/huddle blueprint suggest arrival recovery: " + IDEA)
    refused = practice("/huddle blueprint accept 1")
    assert "Only the practice's admins can accept blueprint suggestions" in refused
    assert "@Dana" in refused
    assert IDEA not in practice("/huddle blueprint arrival")
    assert "Only the practice's admins" in practice("/huddle blueprint skip patient-is-the-reason")


def test_an_edit_is_audited_without_its_text(huddle, practice, engine):
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Welcome")
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "blueprint.stage"))
        [entry] = list(entries)
    assert (entry.actor_id, entry.record_count) == ("U-dana", 1)


def test_a_suggestion_accepted_by_an_admin_shows_in_the_blueprint(practice, engine):
    thanks = practice("/huddle blueprint suggest front desk recovery: " + IDEA)
    assert "Suggestion #1 for Arrival · Service recovery moves waits" in thanks
    assert IDEA not in practice("/huddle blueprint arrival")  # pending until accepted
    practice.as_("Dana")
    [waiting] = practice.replies("/huddle blueprint suggestions")
    assert IDEA in waiting.plain() and "from Robin" in waiting.plain()
    accept = next(b for b in waiting.buttons if b.label == "Accept #1")
    assert "Added to Arrival · Service recovery moves" in practice(accept.command)
    assert IDEA in practice.as_("Robin")("/huddle blueprint arrival")
    assert "No suggestions are waiting" in practice.as_("Dana")("/huddle blueprint suggestions")


def test_an_admin_can_edit_a_suggestion_as_they_accept_it(practice):
    practice("/huddle blueprint suggest in the chair above: give a blanket")
    [waiting] = practice.as_("Dana").replies("/huddle blueprint suggestions")
    edit_button = next(b for b in waiting.buttons if b.label == "Edit #1")
    assert edit_button.initial == "give a blanket"
    practice(f"{edit_button.command} Offer a warm blanket to anyone who feels the cold")
    shown = practice("/huddle blueprint in-the-chair")
    assert "Offer a warm blanket to anyone who feels the cold" in shown
    assert "give a blanket" not in shown


def test_a_declined_suggestion_changes_nothing(practice, engine):
    practice("/huddle blueprint suggest arrival experiential: " + IDEA)
    assert "declined" in practice.as_("Dana")("/huddle blueprint decline 1")
    assert IDEA not in practice("/huddle blueprint arrival")
    assert "already declined" in practice("/huddle blueprint accept 1")
    with Session(engine) as session:
        assert session.exec(select(BlueprintSuggestion.state)).one() == "declined"


def test_stage_and_list_names_are_forgiven_and_a_near_miss_saves_nothing(practice, engine):
    assert "Did you mean `recovery`?" in practice("/huddle blueprint suggest arrival recovry: hi")
    assert "Did you mean `arrival`?" in practice("/huddle blueprint suggest arival recovery: hi")
    assert "Did you mean `/huddle blueprint suggest`?" in practice("/huddle blueprint sugest x")
    assert "Say the stage, the list and your idea" in practice("/huddle blueprint suggest arrival")
    with Session(engine) as session:
        assert session.exec(select(BlueprintSuggestion)).all() == []
    saved = practice("/huddle blueprint suggest checkout and payment offer the offer: " + IDEA)
    assert "Checkout" in saved and "Offer the offer" in saved


def test_a_suggestion_with_patient_details_asks_before_saving(practice, engine):
    [warning] = practice.replies(
        "/huddle blueprint suggest arrival recovery: ring Mrs Jones on 0412 345 678 after"
    )
    assert warning.title == "Before I save this"
    with Session(engine) as session:
        assert session.exec(select(BlueprintSuggestion)).all() == []
    save = next(b for b in warning.buttons if b.label == "Save as written")
    assert "waits for an admin" in practice(save.command)
    with Session(engine) as session:
        assert len(session.exec(select(BlueprintSuggestion)).all()) == 1


def test_a_skipped_rule_is_left_out_of_the_next_meeting(huddle, practice, content):
    first, second = content.rules_in_order()[:2]
    assert first.title in practice("/huddle preview")
    skipped = practice.as_("Dana")(f"/huddle blueprint skip {first.id}")
    assert f"The meeting skips “{first.title}”" in skipped
    assert second.title in practice("/huddle preview")
    _, meeting = huddle.claim_meeting(ConversationRef("slack", "T1", "C1"))
    assert meeting.title == f"Monday Morning Meeting · {second.title}"
    practice(f"/huddle blueprint unskip {first.id}")
    assert huddle.contents.base.curriculum == content.curriculum


def test_the_merge_is_cached_until_the_next_edit(huddle, practice):
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Welcome")
    wid = workspace_id(huddle)
    with Session(huddle.engine) as session:
        once = huddle.contents.for_workspace(session=session, workspace_id=wid)
        assert huddle.contents.for_workspace(session=session, workspace_id=wid) is once
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Hello")
    with Session(huddle.engine) as session:
        assert (
            huddle.contents.for_workspace(session=session, workspace_id=wid).stage("arrival").name
            == "Hello"
        )


def test_suggestions_of_another_workspace_are_not_found(huddle, practice, other_chat):
    practice("/huddle blueprint suggest arrival recovery: " + IDEA)
    other_chat.as_("Kim")("/huddle emoji heart")  # Kim administers the other practice
    assert "there is no suggestion #1" in other_chat("/huddle blueprint accept 1")
    assert "No suggestions are waiting" in other_chat("/huddle blueprint suggestions")
    with pytest.raises(BlueprintError):
        edit(
            huddle,
            suggestions.accept,
            external="T2",
            editor=Editor("U-kim", "Kim"),
            suggestion_id=1,
        )


def test_a_retired_stage_is_no_longer_offered_but_its_defects_keep_its_name(huddle, practice):
    assert "Defect #1 logged · Booking and reminders" in practice(
        "/defect booking: reminder went out for the wrong day"
    )
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="booking", retired=True)
    assert "Booking and reminders" in practice("/defect list")
    assert "I don't know the stage" in practice("/huddle blueprint booking")
    [form] = practice.replies("/defect")
    offered = [value for value, _ in form.form.fields[0].options]
    assert offered and "booking" not in offered


def test_an_edit_rolled_back_is_never_cached(huddle, practice):
    wid = workspace_id(huddle)
    with pytest.raises(RuntimeError), transaction(huddle.engine) as session:
        own_stages.update_stage(
            session=session,
            library=huddle.contents,
            workspace_id=wid,
            editor=ADMIN,
            now=huddle.clock(),
            stage_id="arrival",
            name="Rolled back",
        )
        seen = huddle.contents.for_workspace(session=session, workspace_id=wid)
        assert seen.stage("arrival").name == "Rolled back"  # the edit's own transaction sees it
        raise RuntimeError("the rest of the request failed")
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="waiting", name="Lounge")
    assert "Service blueprint · Arrival" in practice("/huddle blueprint arrival")


def test_the_door_reads_the_workspace_and_its_blueprint_revision_in_one_statement(
    huddle, practice, other_chat
):
    import sqlalchemy as sa

    other_chat("/huddle blueprint")
    edit(huddle, own_stages.update_stage, editor=ADMIN, stage_id="arrival", name="Welcome")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(" ".join(statement.split()))

    sa.event.listen(huddle.engine, "before_cursor_execute", seen)
    try:
        [ours] = practice.replies("/huddle blueprint arrival")
        [theirs] = other_chat.replies("/huddle blueprint arrival")
    finally:
        sa.event.remove(huddle.engine, "before_cursor_execute", seen)
    # Each practice still sees its own blueprint (an edited one, and the server's)...
    assert ours.title == "Service blueprint · Welcome"
    assert theirs.title == "Service blueprint · Arrival"
    # ... and no command reads the revision in a statement of its own.
    assert not [s for s in statements if s.startswith("SELECT blueprint_settings.revision")]
