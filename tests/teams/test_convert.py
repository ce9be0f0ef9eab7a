"""The pure translation layer: activities in, Adaptive Cards out."""

from __future__ import annotations

import pytest

from adapters.teams import convert
from bot.model import Button, Field, Form, FormField, Reply


def _activity(**body):
    base = {
        "type": "message",
        "recipient": {"id": "28:bot", "name": "Huddle"},
        "conversation": {"id": "19:c@thread.tacv2", "conversationType": "channel"},
        "channelData": {"tenant": {"id": "T1"}},
        "channelId": "msteams",
    }
    return convert.parse_activity({**base, **body})


def _mention(bot_id="28:bot", name="Huddle"):
    return {
        "type": "mention",
        "text": f"<at>{name}</at>",
        "mentioned": {"id": bot_id, "name": name},
    }


def test_bot_mention_is_stripped_but_other_mentions_are_not_commands():
    activity = _activity(text="<at>Huddle</at> wow thanks <at>Priya</at>!", entities=[_mention()])
    assert convert.mentions_bot(activity)
    assert convert.command_text(activity) == "wow thanks Priya!"


def test_mentioning_someone_else_is_not_mentioning_the_bot():
    activity = _activity(
        text="<at>Priya</at> defect list", entities=[_mention("29:priya", "Priya")]
    )
    assert not convert.mentions_bot(activity)


def test_html_from_the_teams_client_is_reduced_to_text():
    activity = _activity(text="<p>defect arrival: waited &amp; waited&nbsp;again</p>")
    assert convert.command_text(activity) == "defect arrival: waited & waited again"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("defect list", ("defect", "list")),
        ("/Defect list", ("defect", "list")),
        ("  / wow  Priya was kind ", ("wow", "Priya was kind")),
        ("tidbit", ("tidbit", "")),
        ("hello", None),
        ("", None),
        ("defectlist", None),
    ],
)
def test_parse_command(text, parsed):
    assert convert.parse_command(text) == parsed


def test_reply_chain_suffix_is_split_from_the_conversation_id():
    assert convert.split_conversation_id("19:c@thread.tacv2;messageid=1700") == (
        "19:c@thread.tacv2",
        "1700",
    )
    assert convert.split_conversation_id("a:1on1") == ("a:1on1", None)


def test_where_uses_the_tenant_and_the_conversation():
    place = convert.where(
        _activity(conversation={"id": "19:c;messageid=5", "conversationType": "channel"})
    )
    assert place == convert.Where("T1", "19:c", "5", "channel")
    assert place.shared


def test_emulator_activities_without_a_tenant_get_a_workspace_of_their_own():
    activity = convert.parse_activity(
        {"type": "message", "channelId": "emulator", "conversation": {"id": "conv-1"}}
    )
    assert convert.where(activity) == convert.Where("emulator", "conv-1", None, "personal")


def test_plain_reply_is_markdown_text_without_a_card():
    activity = convert.to_activity(Reply(text="Defect #3 is closed."))
    assert activity.text == "Defect #3 is closed."
    assert not activity.attachments


def test_structured_reply_is_an_adaptive_card():
    reply = Reply(
        title="Open defects (1)",
        text="Newest first.",
        fields=(Field("#1 · Arrival", "waited"),),
        buttons=(Button("Close #1", "defect close 1", style="danger"),),
        footer="Thanks",
    )
    activity = convert.to_activity(reply, channel_id="19:c")
    [attachment] = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    card = attachment.content
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [b.get("text") for b in card["body"] if b["type"] == "TextBlock"]
    assert texts == ["Open defects (1)", "Newest first.", "Thanks"]
    [action_set] = [b for b in card["body"] if b["type"] == "ActionSet"]
    [close] = action_set["actions"]
    assert close == {
        "type": "Action.Submit",
        "title": "Close #1",
        "style": "destructive",
        "data": {
            "huddle_action": "button",
            "huddle_command": "defect close 1",
            "huddle_channel": "19:c",
        },
    }
    assert activity.summary == "Open defects (1)"


def test_many_buttons_wrap_into_rows():
    reply = Reply(text="Pick", buttons=tuple(Button(str(i), f"defect close {i}") for i in range(7)))
    card = convert.adaptive_card(reply)
    rows = [b for b in card["body"] if b["type"] == "ActionSet"]
    assert [len(r["actions"]) for r in rows] == [3, 3, 1]


def test_form_becomes_inputs_and_a_submit_action():
    form = Form(
        title="Log",
        command="defect",
        submit_label="Log it",
        fields=(
            FormField("stage", "Stage", kind="select", options=(("arrival", "Arrival"),)),
            FormField("description", "What?", kind="multiline", max_length=500),
            FormField("patient_ref", "Patient", optional=True, placeholder="JS-1"),
        ),
    )
    card = convert.adaptive_card(Reply(text="", form=form))
    inputs = {b["id"]: b for b in card["body"] if b["type"].startswith("Input.")}
    assert inputs["stage"]["choices"] == [{"title": "Arrival", "value": "arrival"}]
    assert inputs["description"]["isMultiline"] and inputs["description"]["maxLength"] == 500
    assert inputs["patient_ref"]["isRequired"] is False
    assert inputs["patient_ref"]["placeholder"] == "JS-1"
    [row] = [b for b in card["body"] if b["type"] == "ActionSet"]
    assert row["actions"][0]["data"] == {"huddle_action": "form", "huddle_command": "defect"}


def test_submitted_form_values_are_separated_from_huddle_keys():
    value = {
        "huddle_action": "form",
        "huddle_command": "defect",
        "huddle_channel": "19:c",
        "stage": "arrival",
        "description": None,
    }
    assert convert.submitted(value) == convert.Submitted(
        "form", "defect", "19:c", form={"stage": "arrival", "description": ""}
    )


def test_submitted_button_with_an_answer():
    value = {
        "huddle_action": "button",
        "huddle_command": "defect recover 3",
        "huddle_answer": " rang her ",
    }
    assert convert.submitted(value) == convert.Submitted(
        "button", "defect recover 3", None, "rang her"
    )


@pytest.mark.parametrize(
    "value", [None, "text", {}, {"huddle_action": "other"}, {"huddle_action": "button"}]
)
def test_values_that_are_not_huddle_submits_are_ignored(value):
    assert convert.submitted(value) is None


def test_plain_angle_brackets_typed_by_a_person_are_kept():
    activity = _activity(text="defect arrival: wait < 5 min > promised")
    assert convert.command_text(activity) == "defect arrival: wait < 5 min > promised"


def test_inline_code_becomes_bold_in_cards():
    card = convert.adaptive_card(Reply(title="Help", text="Type `defect list` to see them."))
    assert card["body"][1]["text"] == "Type **defect list** to see them."


TEAM = {"tenant": {"id": "T1"}, "team": {"id": "19:general@thread.tacv2", "name": "Smile"}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A team: every channel of it, whichever channel the activity names.
        (
            {"type": "installationUpdate", "action": "remove", "channelData": TEAM},
            convert.Removal("T1", "19:general@thread.tacv2", "19:c@thread.tacv2"),
        ),
        (
            {
                "type": "conversationUpdate",
                "membersRemoved": [{"id": "28:bot"}],
                "channelData": {**TEAM, "eventType": "teamMemberRemoved"},
            },
            convert.Removal("T1", "19:general@thread.tacv2", "19:c@thread.tacv2"),
        ),
        (
            {"type": "conversationUpdate", "channelData": {**TEAM, "eventType": "teamDeleted"}},
            convert.Removal("T1", "19:general@thread.tacv2", "19:c@thread.tacv2"),
        ),
        # One channel: the deleted one, not the conversation the event arrives in.
        (
            {
                "type": "conversationUpdate",
                "channelData": {
                    **TEAM,
                    "eventType": "channelDeleted",
                    "channel": {"id": "19:reception@thread.tacv2"},
                },
            },
            convert.Removal("T1", None, "19:reception@thread.tacv2"),
        ),
        # Taken out of one shared channel, not out of the team.
        (
            {
                "type": "conversationUpdate",
                "membersRemoved": [{"id": "28:bot"}],
                "channelData": {
                    **TEAM,
                    "eventType": "channelMemberRemoved",
                    "channel": {"id": "19:shared@thread.tacv2"},
                },
            },
            convert.Removal("T1", None, "19:shared@thread.tacv2"),
        ),
        # A chat (no team): that conversation.
        (
            {
                "type": "conversationUpdate",
                "membersRemoved": [{"id": "28:bot"}],
                "conversation": {"id": "19:g@thread.v2", "conversationType": "groupChat"},
            },
            convert.Removal("T1", None, "19:g@thread.v2"),
        ),
        (
            {
                "type": "installationUpdate",
                "action": "remove",
                "conversation": {"id": "a:1on1", "conversationType": "personal"},
            },
            convert.Removal("T1", None, "a:1on1"),
        ),
    ],
)
def test_removal_signals_name_what_huddle_was_removed_from(body, expected):
    assert convert.removal(_activity(**body)) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"type": "installationUpdate", "action": "remove-upgrade", "channelData": TEAM},
        {"type": "installationUpdate", "action": "add", "channelData": TEAM},
        {
            "type": "conversationUpdate",
            "membersRemoved": [{"id": "29:someone"}],
            "channelData": {**TEAM, "eventType": "teamMemberRemoved"},
        },
        {"type": "conversationUpdate", "channelData": {**TEAM, "eventType": "teamArchived"}},
        {"type": "conversationUpdate", "channelData": {**TEAM, "eventType": "channelDeleted"}},
        {"type": "conversationUpdate", "channelData": "not an object"},
        {"type": "message", "text": "remove", "channelData": TEAM},
        {"type": "installationUpdate", "action": "remove", "channelData": {}},
    ],
    ids=[
        "remove-upgrade",
        "add",
        "someone else left",
        "team archived",
        "channelDeleted naming no channel",
        "odd channelData",
        "a message",
        "no tenant",
    ],
)
def test_other_activities_are_not_removals(body):
    assert convert.removal(_activity(**body)) is None
