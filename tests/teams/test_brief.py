"""/huddle brief over the Bot Connector: the day's detail in the asker's 1:1 chat only."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.storage.audit import audit_entries
from tests.sample_day import SAMPLE_REFS, TUESDAY, repeat_day, sync_sample
from tests.standins.bot_connector import utf16_size
from tests.teams.conftest import CHANNEL, TENANT

RECOMMENDED_BYTES = 80 * 1024  # as tests/teams/test_grammar_over_the_wire.py keeps replies


async def test_the_brief_asked_in_a_channel_answers_in_the_private_chat_only(
    teams, bot_connector, huddle
):
    await sync_sample(huddle, platform="teams", external_id=TENANT)

    assert await teams.say("huddle brief", scope="channel", mention=True) == 201

    [private] = bot_connector.in_conversation("a:1on1-29:alex")
    shown = private.everything()
    assert "8:00 am" in shown and "JS-1042" in shown and "DOC1" in shown
    assert "not confirmed" in shown
    for post in bot_connector.in_conversation(CHANNEL):
        for ref in SAMPLE_REFS:
            assert ref not in post.everything()


async def test_the_brief_asked_in_the_personal_chat_answers_there_with_tidbits_audited(
    teams, bot_connector, huddle
):
    assert await teams.say("tidbit JS-1042 daughter's wedding in June") == 201
    workspace_id = await sync_sample(huddle, platform="teams", external_id=TENANT)
    bot_connector.posted.clear()

    assert await teams.say("huddle brief today") == 201

    [answer] = bot_connector.posted
    assert answer.conversation_id == "a:1on1-29:alex"  # the 1:1 it was asked in, nowhere else
    shown = json.dumps(answer.cards, ensure_ascii=False)
    assert "8:00 am · JS-1042 · DOC1" in shown and "daughter's wedding in June" in shown
    assert utf16_size(json.dumps(answer.activity).encode()) < RECOMMENDED_BYTES
    with Session(huddle.engine) as session:
        reads = [
            e
            for e in audit_entries(session=session, workspace_id=workspace_id)
            if e.action == "tidbit.read"
        ]
    assert len(reads) == 8 and {e.actor_id for e in reads} == {"29:alex"}


async def test_a_practice_with_tidbits_off_gets_a_teams_brief_without_them(
    teams, bot_connector, huddle
):
    assert await teams.say("tidbit JS-1042 daughter's wedding in June") == 201
    workspace_id = await sync_sample(huddle, platform="teams", external_id=TENANT)
    assert await teams.say("huddle tidbits off") == 201
    bot_connector.posted.clear()

    assert await teams.say("huddle brief today") == 201
    assert await teams.say("tidbit JS-1042") == 201

    brief, refusal = bot_connector.posted
    shown = json.dumps(brief.cards, ensure_ascii=False)
    assert "8:00 am · JS-1042 · DOC1" in shown and "wedding" not in shown
    said = refusal.everything()
    assert "has tidbits turned off" in said and "wedding" not in said
    with Session(huddle.engine) as session:
        actions = [e.action for e in audit_entries(session=session, workspace_id=workspace_id)]
    assert "tidbit.read" not in actions


async def test_a_long_day_in_the_personal_chat_pages_within_a_card_and_more_goes_on(
    teams, bot_connector, huddle
):
    workspace_id = await sync_sample(huddle, platform="teams", external_id=TENANT)
    repeat_day(huddle, workspace_id, TUESDAY, times=6)

    assert await teams.say("huddle brief") == 201
    assert await teams.say("huddle brief today page 5") == 201

    first, last = bot_connector.in_conversation("a:1on1-29:alex")
    assert "page 1 of 5" in first.everything() and "huddle brief today page 2" in first.everything()
    assert "page 5 of 5" in last.everything()
    for answer in (first, last):
        assert utf16_size(json.dumps(answer.activity).encode()) < RECOMMENDED_BYTES
    assert bot_connector.in_conversation(CHANNEL) == []


async def test_the_clocks_morning_brief_reaches_the_teams_channel_with_counts_and_never_who(
    teams, bot_connector, huddle, settings, clock, sleeps
):
    """The clock's post goes through the Teams messenger to the Bot Connector: the day's
    counts in the channel at its brief time, no reference, tidbit or time of day."""
    from bot.clock.jobs import JOBS
    from tests.clock.conftest import local
    from tests.teams.test_proactive_and_failures import _installed_in_team, _messenger

    clock.set(local("Australia/Sydney", 2026, 11, 24, 6, 0))
    assert await teams.post(_installed_in_team(teams)) == 201
    for command in ("huddle schedule monday 8:30 am", "huddle brief at 7:45"):
        assert await teams.say(command, scope="channel", mention=True) == 201
    assert await teams.say("tidbit JS-1042 daughter's wedding in June") == 201
    await sync_sample(huddle, platform="teams", external_id=TENANT)
    bot_connector.posted.clear()

    messenger = _messenger(huddle, settings, sleeps)
    try:
        for minute in (44, 45, 46):
            await JOBS["morning-brief"](
                huddle, {"teams": messenger}, local("Australia/Sydney", 2026, 11, 24, 7, minute)
            )
    finally:
        messenger.close()

    [post] = bot_connector.posted
    assert post.conversation_id == CHANNEL
    shown = post.everything()
    assert "Morning brief" in shown and "8 patients today" in shown
    for secret in (*SAMPLE_REFS, "DOC1", "8:00", "wedding"):
        assert secret not in shown
    assert utf16_size(json.dumps(post.activity).encode()) < RECOMMENDED_BYTES
