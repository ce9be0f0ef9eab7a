"""Undo, delete and recovery owners over Slack's wire: signed commands and clicks in,
the private word to a new owner as a direct message (chat.postMessage to their user id)."""

from __future__ import annotations

from adapters.slack.messenger import messenger_for
from bot.model import ConversationRef, Person, Reply
from tests.slack.conftest import button, said, slack_settings
from tests.slack.helpers import defects, stories


async def test_assigning_by_mention_tells_the_owner_in_a_direct_message(slack, api, engine):
    await slack.command("/defect arrival: waited 25 minutes", user="U2", name="jo")
    await slack.command("/defect assign 1 <@U7>", user="U9", name="dana")
    [owner] = [d.owner_id for d in defects(engine)]
    assert owner == "U7"
    posts = api.calls_to("chat.postMessage")
    in_channel = [p for p in posts if p["channel"] == "C1"]
    direct = [p for p in posts if p["channel"] == "U7"]
    assert len(in_channel) == 1 and "<@U7> now owns defect #1" in said(in_channel[0])
    assert len(direct) == 1
    assert "You own defect #1" in said(direct[0]) and "waited 25 minutes" in said(direct[0])
    # Nothing about it reached anyone else privately.
    assert all("You own defect" not in said(c) for c in api.calls_to("response_url"))


async def test_undo_on_the_reply_takes_it_back_and_only_for_its_author(slack, api, engine):
    await slack.command("/defect arrival: waited 25 minutes", user="U2", name="jo")
    logged = api.calls_to("response_url")[-1]
    undo = button(logged, "Undo")
    await slack.click(undo, user="U3", name="kim")
    assert "Only the person who recorded this defect can undo it" in said(
        api.calls_to("response_url")[-1]
    )
    assert len(defects(engine)) == 1
    await slack.click(undo, user="U2", name="jo")
    assert "Defect #1 is undone." in said(api.calls_to("response_url")[-1])
    assert defects(engine) == []


async def test_deleting_someone_elses_story_is_refused_naming_the_admins(slack, api, engine):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle admins", user="U9", name="dana")
    await slack.command("/wow <@U7> stayed late to re-do Mrs K's crown", user="U2", name="jo")
    await slack.command("/wow delete 1", user="U3", name="kim")
    refusal = said(api.calls_to("response_url")[-1])
    assert "Only the practice's admins can change or delete" in refusal and "<@U9>" in refusal
    assert len(stories(engine)) == 1
    await slack.command("/wow delete 1", user="U9", name="dana")
    assert stories(engine) == []


async def test_the_clocks_private_notice_goes_to_the_owners_direct_messages(api, huddle):
    messenger = messenger_for(slack_settings(api), huddle)
    try:
        reply = Reply(title="Defect you own", text="#1", to=Person("U7", "Priya"))
        await messenger.send(ConversationRef("slack", "T1", "C1"), reply, claim="owner-notice/x/1")
    finally:
        await messenger.close()
    [post] = api.calls_to("chat.postMessage")
    assert post["channel"] == "U7" and "Defect you own" in said(post)


async def test_a_tidbit_edited_and_undone_leaves_its_note_in_no_log(slack, api, log_output):
    await slack.command("/tidbit JS-1042 daughter's wedding in June", user="U2", name="jo")
    await slack.command("/tidbit edit 1 daughter's wedding moved to July", user="U2", name="jo")
    await slack.command("/tidbit undo 1", user="U2", name="jo")
    assert "is undone" in said(api.calls_to("response_url")[-1])
    logged = log_output.getvalue()
    for secret in ("wedding", "July", "JS-1042"):
        assert secret not in logged
