"""Who may change what, over Slack's wire: signed slash commands in, users.info through the stand-in."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from bot.storage.models import PracticeAdmin, Subscription, Tidbit
from tests.slack.conftest import button, said, serve
from tests.slack.test_oauth import install, multi_settings


def _schedule(engine) -> tuple | None:
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).first()
        return None if sub is None else (sub.weekday, sub.hour, sub.minute, sub.timezone)


def _last_said(api) -> str:
    """The last thing said: privately (response_url) or in the channel (chat.postMessage)."""
    calls = [c for c in api.calls if c.method in ("response_url", "chat.postMessage")]
    return said(calls[-1])


async def test_a_workspace_admin_is_an_admin_and_a_non_admin_is_refused_naming_them(
    slack, api, engine
):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle schedule monday 07:45 Australia/Sydney", user="U9", name="dana")
    assert "Every Monday 7:45 am Sydney time (Australia/Sydney)" in _last_said(api)

    for line, what in (
        ("/huddle schedule monday 08:00 America/New_York", "change the schedule"),
        ("/huddle stop", "stop the meeting"),
        ("/huddle timezone America/New_York", "change the practice's timezone"),
    ):
        response = await slack.command(line, user="U2", name="robin")
        assert response.status == 200
        refusal = api.calls_to("response_url")[-1]
        assert refusal["response_type"] == "ephemeral"
        assert f"Only the practice's admins can {what}: <@U9>. Ask one of them." in said(refusal)
    assert _schedule(engine) == (0, 7, 45, "Australia/Sydney")
    # users.info once per person, not once per command.
    assert sorted(call["user"] for call in api.calls_to("users.info")) == ["U2", "U9"]


async def test_a_workspace_owner_is_an_admin_without_being_added(slack, api, engine):
    api.user_roles["U8"] = "primary_owner"
    await slack.command("/huddle schedule tuesday 09:00", user="U8", name="sam")
    assert _schedule(engine) == (1, 9, 0, "Australia/Sydney")


async def test_the_installer_is_an_admin_without_being_added(huddle, settings, api, engine):
    api.add_oauth_code("code-a", team_id="TA", token="xoxb-team-a", name="Smile Dental")
    client = await serve(huddle, settings, multi_settings(api))
    try:
        assert await install(client, "code-a") == 200
    finally:
        await client.close()
    with Session(engine) as session:
        [admin] = session.exec(select(PracticeAdmin)).all()
    # Slack's install names no one by name: the id stands until they use Huddle, and
    # is mentioned as <@U-installer-TA>, so Slack shows their name anyway.
    assert (admin.user_id, admin.source, admin.name) == (
        "U-installer-TA",
        "installer",
        "U-installer-TA",
    )


async def test_forgetting_another_persons_tidbit_is_refused_naming_the_admins(slack, api, engine):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle admins", user="U9", name="dana")
    await slack.command("/tidbit JS-1042 daughter's wedding in June", user="U2", name="robin")
    await slack.command("/tidbit forget 1", user="U3", name="kim")
    assert (
        "Only the practice's admins can delete someone else's tidbit: <@U9>. Ask one of them."
        in _last_said(api)
    )
    await slack.command("/tidbit forget 1", user="U9", name="dana")
    assert "deleted for good" in _last_said(api)
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []


async def test_admins_are_added_and_removed_by_mention(slack, api, engine):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle admin add <@U2|robin>", user="U9", name="dana")
    assert "<@U2> is now one of the practice's admins, added by dana" in _last_said(api)
    await slack.command("/huddle schedule monday 08:00", user="U2", name="robin")
    assert _schedule(engine) == (0, 8, 0, "Australia/Sydney")
    await slack.command("/huddle admin remove <@U2>", user="U9", name="dana")
    assert "no longer one of the practice's admins" in _last_said(api)
    await slack.command("/huddle stop", user="U2", name="robin")
    assert "Only the practice's admins can stop the meeting: <@U9>." in _last_said(api)


async def test_changing_a_schedule_asks_first_and_only_the_confirm_button_applies_it(
    slack, api, engine
):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle schedule monday 07:45 Australia/Sydney", user="U9", name="dana")
    await slack.command("/huddle schedule friday 16:00 Europe/London", user="U9", name="dana")
    ask = api.calls_to("response_url")[-1]
    assert ask["response_type"] == "ephemeral"
    assert "Monday 7:45 am Sydney time (Australia/Sydney)" in said(ask)
    assert _schedule(engine) == (0, 7, 45, "Australia/Sydney")

    await slack.click(button(ask, "Replace it"), user="U9", name="dana")
    assert "Every Friday 4:00 pm London time (Europe/London)" in _last_said(api)
    assert _schedule(engine) == (4, 16, 0, "Europe/London")


async def test_a_slow_users_info_never_holds_up_the_ack(slack, api, engine):
    release = api.hold("users.info")
    # (The timeout only turns a hang into a failure: an app that waited would never answer.)
    response = await asyncio.wait_for(
        slack.command("/huddle schedule monday 08:00", drain=False), timeout=10
    )
    assert response.status == 200
    await api.wait_for("users.info")
    release()
    await slack.adapter.drained()
    assert _schedule(engine) == (0, 8, 0, "Australia/Sydney")
