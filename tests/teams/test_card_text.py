"""Card text as Teams renders it: line breaks Teams honours, and no link a person smuggled in.

Teams runs a TextBlock's text through Markdown: one ``\\n`` is not a line break there (the
card-format guide asks for ``\\n\\n``), except between the items of a list; and
``[text](url)`` becomes a link whose words hide where it goes.
"""

from __future__ import annotations

from adapters.teams import cards, convert
from bot.model import Field, Person, Reply
from bot.storage.models import Story
from tests.teams.conftest import CHANNEL, rows


def _texts(card: dict) -> list[str]:
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                yield node["text"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return list(walk(card["body"]))


async def test_each_line_of_a_defect_is_its_own_line_on_the_card(teams, bot_connector):
    await teams.say("defect arrival: waited 25 minutes\nno one told her why")

    [post] = bot_connector.posted
    [card] = post.cards
    assert "waited 25 minutes\n\nno one told her why" in _texts(card)


def test_list_items_stay_one_list_and_the_lines_around_it_break():
    reply = Reply(title="This week", text="Three things:\n- greet by name\n- offer water\n1. smile")

    text = cards.adaptive_card(reply)["body"][1]["text"]

    assert text == "Three things:\n\n- greet by name\n- offer water\n1. smile"


def test_blank_lines_are_kept_as_one_paragraph_break():
    reply = Reply(title="t", text="first\n\n\nsecond\n")
    assert cards.adaptive_card(reply)["body"][1]["text"] == "first\n\nsecond"


async def test_a_story_cannot_carry_a_disguised_link(teams, bot_connector, engine):
    await teams.say(
        "wow @Priya stayed late, [see the thank-you card](https://evil.example/login) "
        "and <https://evil.example/x>",
        scope="channel",
        mention=True,
    )

    [post] = bot_connector.in_conversation(CHANNEL)
    [card] = post.cards
    text = "\n".join(_texts(card))
    assert "](" not in text and "[" not in text and "<https" not in text
    assert "［see the thank-you card］(https://evil.example/login)" in text  # shown, not a link
    assert "<at>Priya</at> stayed late" in text  # Huddle's own mention still works
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == "29:priya"
    [story] = rows(engine, Story)  # escaping is for display: the words are kept as typed
    assert "[see the thank-you card](https://evil.example/login)" in story.text


async def test_huddles_own_formatting_still_renders_on_a_card(teams, bot_connector):
    await teams.say("defect help")

    [post] = bot_connector.posted
    [card] = post.cards
    text = "\n".join(_texts(card))
    assert "**/defect list** shows open defects" in text  # inline code shown in bold
    assert "`" not in text


def test_a_typed_mention_tag_is_not_a_mention_but_a_known_person_is():
    priya = Person("29:priya", "Priya")
    reply = Reply(
        title="Story",
        text="@Priya helped; <at>Boss</at> said so",
        fields=(Field("[Label](https://evil.example)", "@Priya"),),
        mentions=(priya,),
    )

    card = cards.adaptive_card(reply)

    assert _texts(card) == [
        "Story",
        "<at>Priya</at> helped; ＜at＞Boss＜/at＞ said so",
        "［Label］(https://evil.example)",
        "<at>Priya</at>",
    ]


def test_a_person_whose_name_has_brackets_is_still_mentioned():
    odd = Person("29:sam", "Sam [Nurse]")
    text = cards.card_markdown("thanks @Sam [Nurse] and [x](y)", (odd,))
    assert text == "thanks <at>Sam [Nurse]</at> and ［x］(y)"
    assert cards.mention_entities((odd,))[0]["text"] == "<at>Sam [Nurse]</at>"


def test_a_plain_message_shows_a_typed_link_as_text_and_keeps_mentions_and_code():
    priya = Person("29:priya", "Priya")
    reply = Reply(
        text="@Priya: [open](https://evil.example) or type `defect list`", mentions=(priya,)
    )

    activity = convert.to_activity(reply)

    assert activity.text == "<at>Priya</at>: ［open］(https://evil.example) or type `defect list`"
    assert activity.entities[0].mentioned.id == "29:priya"


def test_inline_code_in_a_plain_message_is_left_as_written():
    reply = Reply(text="Type `wow <what a teammate did>`, not [this](https://evil.example)")
    assert convert.to_activity(reply).text == (
        "Type `wow <what a teammate did>`, not ［this］(https://evil.example)"
    )
