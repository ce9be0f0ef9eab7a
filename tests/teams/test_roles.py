"""Who may change what, over the Teams wire: Activities in at /api/messages, the Bot Connector stand-in out."""

from __future__ import annotations

from bot.storage.models import PracticeAdmin, Subscription, Tidbit
from tests.teams.conftest import card_actions, rows


def _said(bot_connector) -> str:
    return "\n".join(post.everything() for post in bot_connector.posted)


async def _added_by_dana(teams) -> None:
    assert await teams.post(teams.activity("installationUpdate", action="add", user="Dana")) < 300


async def _mentioning(teams, text: str, *, user: str, person: str) -> int:
    """A channel message to Huddle that also @mentions ``person``."""
    body = teams.activity(text=text, scope="channel", user=user, mention=True)
    body["text"] = body["text"].replace(f"@{person}", f"<at>{person}</at>")
    body["entities"].append(
        {
            "type": "mention",
            "text": f"<at>{person}</at>",
            "mentioned": {"id": f"29:{person.lower()}", "name": person},
        }
    )
    return await teams.post(body)


async def test_the_person_who_added_huddle_is_an_admin_and_others_are_refused_by_name(
    teams, bot_connector, engine
):
    await _added_by_dana(teams)
    assert [(a.user_id, a.source) for a in rows(engine, PracticeAdmin)] == [
        ("29:dana", "installer")
    ]
    await teams.say("huddle schedule monday 07:45", scope="channel", user="Dana", mention=True)
    for line, what in (
        ("huddle schedule friday 09:00", "change the schedule"),
        ("huddle stop", "stop the meeting"),
        ("huddle timezone Europe/London", "change the practice's timezone"),
    ):
        await teams.say(line, scope="channel", user="Robin", mention=True)
        assert f"Only the practice's admins can {what}: <at>Dana</at>. Ask one of them." in _said(
            bot_connector
        )
    [sub] = rows(engine, Subscription)
    assert (sub.weekday, sub.hour, sub.minute, sub.active) == (0, 7, 45, True)
    assert "<@" not in _said(bot_connector)  # Teams mentions, never Slack's markup


async def test_admins_are_added_and_removed_by_mention(teams, bot_connector, engine):
    await _added_by_dana(teams)
    await _mentioning(teams, "huddle admin add @Robin", user="Dana", person="Robin")
    assert "<at>Robin</at> is now one of the practice's admins, added by Dana." in _said(
        bot_connector
    )
    assert {a.user_id for a in rows(engine, PracticeAdmin)} == {"29:dana", "29:robin"}
    await teams.say("huddle schedule monday 08:00", scope="channel", user="Robin", mention=True)
    assert len(rows(engine, Subscription)) == 1

    await _mentioning(teams, "huddle admin remove @Robin", user="Dana", person="Robin")
    assert [a.user_id for a in rows(engine, PracticeAdmin)] == ["29:dana"]
    await _mentioning(teams, "huddle admin remove @Dana", user="Dana", person="Dana")
    assert "is the practice's only admin" in _said(bot_connector)
    assert [a.user_id for a in rows(engine, PracticeAdmin)] == ["29:dana"]


async def test_forgetting_another_persons_tidbit_is_refused(teams, bot_connector, engine):
    await _added_by_dana(teams)
    await teams.say("tidbit JS-1042 daughter's wedding in June", user="Robin")
    await teams.say("tidbit forget 1", user="Kim")
    assert "Only the practice's admins can delete someone else's tidbit: <at>Dana</at>." in _said(
        bot_connector
    )
    assert len(rows(engine, Tidbit)) == 1
    await teams.say("tidbit forget 1", user="Dana")
    assert rows(engine, Tidbit) == []


async def test_changing_a_schedule_asks_first_and_only_the_confirm_applies_it(
    teams, bot_connector, engine
):
    await _added_by_dana(teams)
    await teams.say("huddle schedule monday 07:45", user="Dana")
    await teams.say("huddle schedule friday 16:00 Europe/London", user="Dana")
    assert "every Monday 7:45 am Sydney time (Australia/Sydney)" in _said(bot_connector)
    [ask] = bot_connector.posted[-1].cards
    assert [a["title"] for a in card_actions(ask)] == ["Replace it"]
    [sub] = rows(engine, Subscription)
    assert (sub.weekday, sub.hour) == (0, 7)
    await teams.say("huddle schedule friday 16:00 Europe/London confirm", user="Dana")
    [sub] = rows(engine, Subscription)
    assert (sub.weekday, sub.hour, sub.timezone) == (4, 16, "Europe/London")
