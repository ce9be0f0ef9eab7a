"""Issue 14 over the Teams wire: typos save nothing, stage choices by card button, lists
that page, and a 61-tidbit recall under Teams' message size limit, counted on the
activity JSON as the Bot Connector receives it (the stand-in answers 413 above it)."""

from __future__ import annotations

import json

import aiohttp

from bot.storage.models import Defect, RecoveryAction, Story, Tidbit
from tests.standins.bot_connector import utf16_size
from tests.teams.conftest import card_actions, rows

# Microsoft asks bots to stay within 80 KB of the 100 KB limit to be sure of delivery.
RECOMMENDED_BYTES = 80 * 1024


def _seen(post) -> str:
    """Every text a person reads in a post: its text and each card element's text."""
    texts = [post.text]

    def walk(node) -> None:
        if isinstance(node, dict):
            texts.extend(str(node[k]) for k in ("text", "title") if isinstance(node.get(k), str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(post.cards)
    return "\n".join(texts)


def _card(bot_connector) -> dict:
    [card] = bot_connector.posted[-1].cards
    return card


def _action(card: dict, title: str) -> dict:
    return next(a for a in card_actions(card) if a["title"] == title)


async def test_typos_of_subcommands_save_nothing(teams, bot_connector, engine):
    await teams.say("defect arrival: waited")
    for line, meant in [
        ("defect lsit", "/defect list"),
        ("defect recovr 1 called her back", "/defect recover"),
        ("wow nominat 3", "/wow nominate"),
        ("tidbit forgot 4", "/tidbit forget"),
    ]:
        assert await teams.say(line) == 201
        seen = _seen(bot_connector.posted[-1])  # a card shows `code` in bold
        assert f"Did you mean **{meant}**?" in seen or f"Did you mean `{meant}`?" in seen, line
    assert len(rows(engine, Defect)) == 1
    assert rows(engine, RecoveryAction) == rows(engine, Story) == rows(engine, Tidbit) == []


async def test_an_unknown_stage_is_filed_by_the_card_button_picked(teams, bot_connector, engine):
    await teams.say("defect the lift was broken")
    card = _card(bot_connector)
    assert rows(engine, Defect) == []
    titles = [a["title"] for a in card_actions(card)]
    assert titles[-1] == "No stage" and "Arrival" in titles

    await teams.post(teams.activity(value=_action(card, "Arrival")["data"]))

    [defect] = rows(engine, Defect)
    assert (defect.stage, defect.description) == ("arrival", "the lift was broken")


async def test_close_several_and_list_closed(teams, bot_connector, engine):
    for n in range(1, 4):
        await teams.say(f"defect waiting: late {n}")
    await teams.say("defect close 1 3")
    said = _seen(bot_connector.posted[-1])
    assert "Defect #1 is closed" in said and "Defect #3 is closed" in said
    await teams.say("defect list closed")
    assert _card(bot_connector)["body"][0]["text"] == "Closed defects (2)"


async def test_a_long_defect_list_pages_with_card_buttons(teams, bot_connector):
    for n in range(1, 13):
        await teams.say(f"defect arrival: waited {n}")
    await teams.say("defect list")
    card = _card(bot_connector)

    await teams.post(teams.activity(value=_action(card, "Next page")["data"]))

    second = _seen(bot_connector.posted[-1])
    assert "Page 2 of 2" in second and "waited 12" not in second


async def test_a_recall_of_61_long_tidbits_stays_under_the_size_limit_with_the_defect_first(
    teams, bot_connector, engine
):
    await teams.say("defect checkout: charged twice patient: JS-1042")
    for n in range(1, 62):
        await teams.say(f"tidbit JS-1042 note {n:02d} " + "x" * 492)
    assert len(rows(engine, Tidbit)) == 61
    posted = len(bot_connector.posted)

    assert await teams.say("tidbit JS-1042") == 201

    [recall] = bot_connector.posted[posted:]  # accepted: no 413, no retry, no apology
    assert utf16_size(json.dumps(recall.activity).encode()) < RECOMMENDED_BYTES
    said = _seen(recall)
    assert said.index("Defect #1 (open)") < said.index("note 61")
    assert "Tidbits 1–10 of 61" in said

    await teams.post(teams.activity(value=_action(recall.cards[0], "Older tidbits")["data"]))
    older = _seen(bot_connector.posted[-1])
    assert "note 51" in older and "note 61" not in older


async def test_the_stand_in_counts_a_message_in_utf16_and_answers_413_over_100_kb(
    bot_connector,
):
    # 60,000 characters: 60 KB in UTF-8, under the limit, but 120 KB in UTF-16, as Teams counts.
    url = f"{bot_connector.url}v3/conversations/a:1on1/activities"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"type": "message", "text": "x" * 60_000}) as big:
            assert big.status == 413
            assert (await big.json())["error"]["code"] == "MessageSizeTooBig"
        async with session.post(url, json={"type": "message", "text": "x" * 40_000}) as fits:
            assert fits.status == 200


async def test_long_descriptions_and_histories_stay_under_the_limit_in_list_and_show(
    teams, bot_connector
):
    for n in range(1, 11):
        await teams.say(f"defect arrival: {n:02d} " + "w" * 1990)
    for n in range(60):
        await teams.say(f"defect recover 10 step {n:02d} " + "r" * 980)
    for line in ("defect list", "defect show 10", "defect show 6 7 8 9 10"):
        posted = len(bot_connector.posted)
        assert await teams.say(line) == 201
        [reply] = bot_connector.posted[posted:]  # accepted, not refused with 413
        assert utf16_size(json.dumps(reply.activity).encode()) < RECOMMENDED_BYTES, line
    assert "60. step 59" in _seen(bot_connector.posted[-2])
