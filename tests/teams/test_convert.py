"""The pure translation layer: activities in, neutral events and Adaptive Cards out."""

from __future__ import annotations

import pytest

from adapters.teams import activities, cards, convert
from bot.commands import COMMANDS
from bot.model import Button, Field, Form, FormField, Incoming, Person, Removed, Reply, ThreadReply


def _activity(**body):
    base = {
        "type": "message",
        "recipient": {"id": "28:bot", "name": "Huddle"},
        "conversation": {"id": "19:c@thread.tacv2", "conversationType": "channel"},
        "channelData": {"tenant": {"id": "T1"}},
        "channelId": "msteams",
    }
    return activities.parse_activity({**base, **body})


def _mention(bot_id="28:bot", name="Huddle"):
    return {
        "type": "mention",
        "text": f"<at>{name}</at>",
        "mentioned": {"id": bot_id, "name": name},
    }


def test_bot_mention_is_stripped_but_other_mentions_are_not_commands():
    activity = _activity(text="<at>Huddle</at> wow thanks <at>Priya</at>!", entities=[_mention()])
    assert activities.mentions_bot(activity)
    assert activities.command_text(activity) == "wow thanks @Priya!"


def test_a_persons_mention_reaches_the_core_as_a_person_and_the_bots_is_dropped():
    activity = _activity(
        text="<at>Huddle</at> huddle admin add <at>Dana Lee</at>",
        entities=[_mention(), _mention("29:dana", "Dana Lee")],
    )
    assert activities.command_text(activity) == "huddle admin add @Dana Lee"
    assert activities.people_mentioned(activity) == (Person("29:dana", "Dana Lee"),)


def test_a_person_a_reply_names_is_mentioned_in_teams():
    reply = Reply(
        text="Only the practice's admins can: @Dana.", mentions=(Person("29:dana", "Dana"),)
    )
    activity = convert.to_activity(reply)
    assert activity.text == "Only the practice's admins can: <at>Dana</at>."
    [entity] = activity.entities
    assert (entity.mentioned.id, entity.mentioned.name, entity.text) == (
        "29:dana",
        "Dana",
        "<at>Dana</at>",
    )


def test_mentioning_someone_else_is_not_mentioning_the_bot():
    activity = _activity(
        text="<at>Priya</at> defect list", entities=[_mention("29:priya", "Priya")]
    )
    assert not activities.mentions_bot(activity)


def test_html_from_the_teams_client_is_reduced_to_text():
    activity = _activity(text="<p>defect arrival: waited &amp; waited&nbsp;again</p>")
    assert activities.command_text(activity) == "defect arrival: waited & waited again"


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
    assert activities.split_conversation_id("19:c@thread.tacv2;messageid=1700") == (
        "19:c@thread.tacv2",
        "1700",
    )
    assert activities.split_conversation_id("a:1on1") == ("a:1on1", None)


def test_where_uses_the_tenant_and_the_conversation():
    place = activities.where(
        _activity(conversation={"id": "19:c;messageid=5", "conversationType": "channel"})
    )
    assert place == activities.Where("T1", "19:c", "5", "channel")
    assert place.shared


def test_emulator_activities_without_a_tenant_get_a_workspace_of_their_own():
    activity = activities.parse_activity(
        {"type": "message", "channelId": "emulator", "conversation": {"id": "conv-1"}}
    )
    assert activities.where(activity) == activities.Where("emulator", "conv-1", None, "personal")


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
    card = cards.adaptive_card(reply)
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
    card = cards.adaptive_card(Reply(text="", form=form))
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
    assert cards.submitted(value) == cards.Submitted(
        "form", "defect", "19:c", form={"stage": "arrival", "description": ""}
    )


def test_submitted_button_with_an_answer():
    value = {
        "huddle_action": "button",
        "huddle_command": "defect recover 3",
        "huddle_answer": " rang her ",
    }
    assert cards.submitted(value) == cards.Submitted(
        "button", "defect recover 3", None, answer="rang her"
    )


@pytest.mark.parametrize(
    "value", [None, "text", {}, {"huddle_action": "other"}, {"huddle_action": "button"}]
)
def test_values_that_are_not_huddle_submits_are_ignored(value):
    assert cards.submitted(value) is None


def test_plain_angle_brackets_typed_by_a_person_are_kept():
    activity = _activity(text="defect arrival: wait < 5 min > promised")
    assert activities.command_text(activity) == "defect arrival: wait < 5 min > promised"


def test_inline_code_becomes_bold_in_cards():
    card = cards.adaptive_card(Reply(title="Help", text="Type `defect list` to see them."))
    assert card["body"][1]["text"] == "Type **defect list** to see them."


TEAM = {"tenant": {"id": "T1"}, "team": {"id": "19:general@thread.tacv2", "name": "Smile"}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A team: every channel of it, whichever channel the activity names.
        (
            {"type": "installationUpdate", "action": "remove", "channelData": TEAM},
            Removed(
                "teams", "T1", channel_id="19:c@thread.tacv2", group_id="19:general@thread.tacv2"
            ),
        ),
        (
            {
                "type": "conversationUpdate",
                "membersRemoved": [{"id": "28:bot"}],
                "channelData": {**TEAM, "eventType": "teamMemberRemoved"},
            },
            Removed(
                "teams", "T1", channel_id="19:c@thread.tacv2", group_id="19:general@thread.tacv2"
            ),
        ),
        (
            {"type": "conversationUpdate", "channelData": {**TEAM, "eventType": "teamDeleted"}},
            Removed(
                "teams", "T1", channel_id="19:c@thread.tacv2", group_id="19:general@thread.tacv2"
            ),
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
            Removed("teams", "T1", channel_id="19:reception@thread.tacv2"),
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
            Removed("teams", "T1", channel_id="19:shared@thread.tacv2"),
        ),
        # A chat (no team): that conversation.
        (
            {
                "type": "conversationUpdate",
                "membersRemoved": [{"id": "28:bot"}],
                "conversation": {"id": "19:g@thread.v2", "conversationType": "groupChat"},
            },
            Removed("teams", "T1", channel_id="19:g@thread.v2"),
        ),
        (
            {
                "type": "installationUpdate",
                "action": "remove",
                "conversation": {"id": "a:1on1", "conversationType": "personal"},
            },
            Removed("teams", "T1", channel_id="a:1on1"),
        ),
    ],
)
def test_removal_signals_name_what_huddle_was_removed_from(body, expected):
    removed = convert.removal(_activity(**body))
    assert removed == expected
    assert removed.channel_id or removed.group_id  # never the whole tenant


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


def test_every_command_of_the_table_parses_and_nothing_else_does():
    for name in COMMANDS:
        assert convert.parse_command(f"{name} help") == (name, "help")
        assert convert.parse_command(f"/{name.upper()}") == (name, "")
    assert convert.parse_command("quit") is None


def test_a_command_added_to_the_table_is_parsed_without_touching_the_adapter(monkeypatch):
    monkeypatch.setitem(COMMANDS, "recall", COMMANDS["tidbit"])
    assert convert.parse_command("recall JS-1") == ("recall", "JS-1")


def test_help_lists_every_command_of_the_table_with_its_summary_and_the_teams_advice():
    text = convert.help_text()
    assert "in a channel, @mention me first" in text
    for command in COMMANDS.values():
        assert f"`{command.name}`: {command.summary}" in text


CHAIN = "19:c@thread.tacv2;messageid=1700"


def test_a_channel_reply_not_addressed_to_huddle_is_only_a_thread_reply():
    activity = _activity(
        id="1705",
        text="Priya stayed late",
        **{"from": {"id": "29:sam", "name": "Sam"}},
        conversation={"id": CHAIN, "conversationType": "channel"},
    )
    inbound = convert.inbound(activity)
    [reply] = inbound.events  # nothing stored about the conversation for chatter
    assert reply == ThreadReply(
        "teams",
        "T1",
        "19:c@thread.tacv2",
        "1700",
        "1705",
        "29:sam",
        "Sam",
        "Priya stayed late",
        event_id="1705",
    )


@pytest.mark.parametrize(
    "conversation_id",
    ["19:c@thread.tacv2;messageid=1705", "19:c@thread.tacv2"],
    ids=["a new post", "no reply chain"],
)
def test_a_channel_message_not_addressed_to_huddle_outside_a_reply_chain_brings_nothing(
    conversation_id,
):
    activity = _activity(
        id="1705",
        text="lunch is here",
        **{"from": {"id": "29:sam", "name": "Sam"}},
        conversation={"id": conversation_id, "conversationType": "channel"},
    )
    assert convert.inbound(activity) is None


def test_a_command_with_a_mention_refreshes_the_reference_then_runs():
    activity = _activity(
        id="1705",
        text="<at>Huddle</at> defect list",
        entities=[_mention()],
        **{"from": {"id": "29:sam", "name": "Sam"}},
        channelData={"tenant": {"id": "T1"}, "team": {"id": "19:team", "name": "Smile"}},
    )
    inbound = convert.inbound(activity)
    installed, incoming = inbound.events
    assert (installed.channel_id, installed.kind, installed.group_id) == (
        "19:c@thread.tacv2",
        "channel",
        "19:team",
    )
    assert installed.data["conversation"]["id"] == "19:c@thread.tacv2"
    assert "teamId" not in installed.data  # the team is the reference's group, a column
    assert incoming == Incoming(
        "teams",
        "T1",
        "19:c@thread.tacv2",
        "29:sam",
        "Sam",
        "defect",
        "list",
        event_id="1705",
        workspace_name="Smile",
    )
    assert inbound.typed and not inbound.needs_help
