"""Replies -> Block Kit, and Slack payloads -> the core's types: pure functions, no network."""

from __future__ import annotations

import json

from adapters.slack import convert, modals
from bot.model import Button, Field, Form, FormField, Person, Reply


def test_a_reply_renders_header_text_fields_buttons_and_footer_in_order():
    reply = Reply(
        title="Defect #3 logged",
        text="Waited 25 minutes",
        fields=(Field("Patient", "JS-1042"),),
        buttons=(Button("Close", "defect close 3", style="danger"),),
        footer="Thank you",
    )

    blocks = convert.blocks(reply)

    assert [b["type"] for b in blocks] == ["header", "section", "section", "actions", "context"]
    assert blocks[2]["text"]["text"] == "*Patient*\nJS-1042"
    [close] = blocks[3]["elements"]
    assert close["value"] == "defect close 3" and close["style"] == "danger"
    assert close["action_id"].startswith(convert.BUTTON_ACTION)


def test_prompt_buttons_carry_their_question():
    element = convert.button_element(Button("Add recovery", "defect recover 3", prompt="What?"), 0)

    assert element["action_id"].startswith(convert.PROMPT_ACTION)
    assert convert.prompt_from_value(element["value"]) == ("defect recover 3", "What?", None, None)


def test_long_text_is_split_within_slacks_limits_and_blocks_are_capped():
    reply = Reply(
        title="T" * 400,
        text=("line of text\n" * 600),
        fields=tuple(Field(f"f{n}", "v") for n in range(80)),
        buttons=tuple(Button(f"b{n}", f"defect close {n}") for n in range(30)),
    )

    blocks = convert.blocks(reply)

    assert len(blocks) <= convert.MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= convert.MAX_HEADER_TEXT
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    assert len({a["block_id"] for a in actions}) == 2


def test_user_text_is_escaped_so_it_cannot_ping_everyone_or_link_but_names_people():
    text = convert.blocks(Reply(text="<!here> & <https://x.test|y> <@U1> <@U2|dana>"))[0]
    assert text["text"]["text"] == (
        "&lt;!here&gt; &amp; &lt;https://x.test|y&gt; &lt;@U1&gt; &lt;@U2|dana&gt;"
    )
    # Only the people a reply names (Reply.mentions) become real mentions.
    named = convert.blocks(Reply(text="Thanks, @dana!", mentions=(Person("U2", "dana"),)))[0]
    assert named["text"]["text"] == "Thanks, <@U2>!"


def test_fallback_text_is_plain_and_bounded():
    assert convert.fallback_text(Reply(text="x" * 5000)).endswith("…")
    assert convert.fallback_text(Reply(text="")) == " "


def test_a_form_becomes_a_modal_and_its_submission_becomes_form_values():
    form = Form(
        title="Log a service defect (long title)",
        command="defect",
        fields=(
            FormField("stage", "Stage", kind="select", options=(("arrival", "Arrival"),)),
            FormField("description", "What happened?", kind="multiline", max_length=2000),
            FormField("patient_ref", "Patient", optional=True),
        ),
    )

    view = modals.form_modal(form, metadata='{"command": "defect"}')

    assert view["callback_id"] == convert.FORM_CALLBACK
    assert len(view["title"]["text"]) <= 24
    assert [b["optional"] for b in view["blocks"]] == [False, False, True]
    assert view["blocks"][1]["element"]["multiline"] is True
    submitted = {
        **view,
        "state": {
            "values": {
                "stage": {
                    "stage": {"type": "static_select", "selected_option": {"value": "arrival"}}
                },
                "description": {"description": {"type": "plain_text_input", "value": "late"}},
                "patient_ref": {"patient_ref": {"type": "plain_text_input", "value": None}},
            }
        },
    }
    assert modals.form_values(submitted) == {
        "stage": "arrival",
        "description": "late",
        "patient_ref": "",
    }
    assert modals.modal_command(submitted) == "defect"


def test_a_slash_command_becomes_incoming():
    incoming = convert.incoming_from_command(
        {
            "team_id": "T1",
            "team_domain": "smile",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "alex",
            "command": "/defect",
            "text": "list",
        }
    )
    assert (incoming.platform, incoming.workspace_id, incoming.command, incoming.text) == (
        "slack",
        "T1",
        "defect",
        "list",
    )


def test_a_modal_submission_answers_where_the_command_was_typed():
    origin = convert.Origin("T1", "C9", "U1", "alex", response_url="https://hooks.slack.com/x")
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "username": "alex"},
        "view": {"private_metadata": origin.metadata("defect")},
    }

    restored = convert.origin_from_interaction(payload)

    assert (restored.channel_id, restored.response_url) == ("C9", "https://hooks.slack.com/x")
    assert json.loads(payload["view"]["private_metadata"])["command"] == "defect"


def test_a_button_runs_its_command_for_the_clicker():
    origin = convert.Origin("T1", "C1", "U2", "jo")
    incoming = origin.incoming("wow nominate 4")
    assert (incoming.command, incoming.text, incoming.user_id) == ("wow", "nominate 4", "U2")


def test_a_reaction_event_becomes_a_reaction_without_its_skin_tone():
    event = {
        "type": "reaction_removed",
        "user": "U2",
        "reaction": "clap::skin-tone-3",
        "item": {"type": "message", "channel": "C1", "ts": "1800000000.000100"},
    }

    reaction = convert.reaction_from_event(event, team_id="T1", event_id="Ev1")

    assert (reaction.channel_id, reaction.message_id, reaction.user_id) == (
        "C1",
        "1800000000.000100",
        "U2",
    )
    assert (reaction.emoji, reaction.added, reaction.event_id) == ("clap", False, "Ev1")


def test_a_reaction_to_a_file_is_not_a_reaction_to_a_message():
    event = {"type": "reaction_added", "user": "U2", "reaction": "star", "item": {"type": "file"}}

    assert convert.reaction_from_event(event, team_id="T1", event_id=None) is None


def test_only_a_persons_new_message_inside_a_thread_is_a_thread_reply():
    reply = {"type": "message", "user": "U7", "text": "hi", "ts": "2.0", "thread_ts": "1.0"}

    assert convert.is_thread_reply(reply)
    assert not convert.is_thread_reply({**reply, "thread_ts": "2.0"})  # the thread's root
    assert not convert.is_thread_reply({k: v for k, v in reply.items() if k != "thread_ts"})
    assert not convert.is_thread_reply({**reply, "bot_id": "B1"})
    assert not convert.is_thread_reply({**reply, "subtype": "message_changed"})

    event = convert.thread_reply_from_event(
        {**reply, "channel": "C1"}, team_id="T1", user_name="Priya", event_id="Ev2"
    )
    assert (event.thread_id, event.message_id, event.user_name, event.text) == (
        "1.0",
        "2.0",
        "Priya",
        "hi",
    )


def test_long_text_is_never_split_inside_an_entity_or_a_mention():
    # 2,998 characters, then an ampersand: escaped, "&amp;" straddles the 3,000 limit.
    reply = Reply(text="x" * 2998 + "&" + "y" * 10)
    pieces = [b["text"]["text"] for b in convert.blocks(reply)]
    assert all(len(p) <= convert.MAX_SECTION_TEXT for p in pieces)
    assert pieces[0].endswith("x") and pieces[1].startswith("&amp;")
    named = Reply(text="x" * 2995 + "@Priya", mentions=(Person("U123", "Priya"),))
    pieces = [b["text"]["text"] for b in convert.blocks(named)]
    assert pieces[1] == "<@U123>"
    assert not convert.fallback_text(Reply(text="a" * 2998 + "&b")).endswith("&am…")
