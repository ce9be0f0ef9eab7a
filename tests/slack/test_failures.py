"""When Slack's Web API fails: retried with slack-sdk's handlers, logged with context, the person
told, and nothing they typed lost."""

from __future__ import annotations

import logging

from tests.slack.conftest import said
from tests.slack.helpers import defects, stories, tidbits


async def test_a_rate_limited_post_is_retried_after_retry_after(slack, api, engine):
    api.fail("chat.postMessage", status=429, retry_after=0)

    await slack.command("/wow <@U7|Priya> drove Mrs K home")

    assert len(api.calls_to("chat.postMessage")) == 2
    assert stories(engine)[0].message_id is not None
    assert api.calls_to("response_url") == []


async def test_transient_server_errors_are_retried(slack, api, engine):
    api.fail("chat.postMessage", status=500, times=1)
    api.fail("chat.postMessage", status=503, times=1)

    await slack.command("/wow <@U7|Priya> drove Mrs K home")

    assert len(api.calls_to("chat.postMessage")) == 3
    assert stories(engine)[0].message_id is not None


async def test_when_slack_keeps_failing_the_story_is_kept_and_the_author_told(
    slack, api, engine, caplog
):
    api.fail("chat.postMessage", status=500, times=10)

    await slack.command("/wow <@U7|Priya> drove Mrs K home when her taxi didn't come")

    assert len(api.calls_to("chat.postMessage")) == 3  # the first try and two retries
    [story] = stories(engine)
    assert story.message_id is None
    [told] = api.calls_to("response_url")
    assert told["response_type"] == "ephemeral"
    assert "Your WOW story #1 is saved" in said(told)
    assert "try again" in said(told)
    failure = next(r for r in caplog.records if "chat.postMessage failed" in r.getMessage())
    assert "workspace=T1" in failure.getMessage() and "channel=C1" in failure.getMessage()
    assert "taxi" not in failure.getMessage()


async def test_a_channel_the_bot_is_not_in_is_joined_once_and_the_post_retried(slack, api, engine):
    api.require_join = True

    await slack.command("/wow <@U7|Priya> drove Mrs K home")

    assert api.methods().count("conversations.join") == 1
    assert len(api.calls_to("chat.postMessage")) == 2
    assert stories(engine)[0].message_id is not None


async def test_a_private_channel_the_bot_cannot_join_gets_a_clear_hint(slack, api, engine):
    api.fail("chat.postMessage", error="not_in_channel", times=2)
    api.fail("conversations.join", error="method_not_supported_for_channel_type")

    await slack.command("/wow <@U7|Priya> drove Mrs K home")

    [told] = api.calls_to("response_url")
    assert "/invite @Huddle" in said(told)
    assert len(stories(engine)) == 1


async def test_when_the_response_url_fails_the_defect_is_kept_and_confirmed_by_ephemeral(
    slack, api, engine
):
    api.fail("response_url", status=500, times=10)

    await slack.command("/defect arrival: waited 25 minutes")

    assert len(defects(engine)) == 1
    [fallback] = api.calls_to("chat.postEphemeral")
    assert (fallback["channel"], fallback["user"]) == ("C1", "U1")
    assert "Defect #1 logged" in said(fallback)


async def test_when_every_route_to_the_person_fails_the_defect_is_still_stored_and_logged(
    slack, api, engine, caplog
):
    caplog.set_level(logging.INFO)
    api.fail("response_url", status=500, times=10)
    api.fail("chat.postEphemeral", status=500, times=10)

    response = await slack.command("/defect arrival: the patient JS-1042 waited 25 minutes")

    assert response.status == 200
    assert len(defects(engine)) == 1
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("huddle")]
    assert any("could not reach the person" in line and "workspace=T1" in line for line in logged)
    assert all("waited 25 minutes" not in line for line in logged)


async def test_an_expired_trigger_falls_back_to_telling_how_to_type_it(slack, api, engine):
    api.fail("views.open", error="expired_trigger_id")

    await slack.command("/defect")

    [told] = api.calls_to("response_url")
    assert "/defect arrival: waited 25 minutes" in said(told)


async def test_when_slack_cannot_be_reached_a_tidbit_is_still_stored_and_never_logged(
    slack, api, engine, caplog
):
    caplog.set_level(logging.DEBUG)
    secret = "daughter's wedding in June in Wagga"
    api.fail("response_url", status=500, times=10)
    api.fail("chat.postEphemeral", status=500, times=10)

    await slack.command(f"/tidbit JS-1042 {secret}")

    assert tidbits(engine) == 1
    handler = logging.StreamHandler()
    everything = "\n".join(handler.format(record) for record in caplog.records)
    assert "could not reach the person" in everything  # the failure itself is logged
    assert secret not in everything and "JS-1042" not in everything


async def test_when_slack_keeps_rate_limiting_the_story_is_kept_and_the_author_told(
    slack, api, engine
):
    api.fail("chat.postMessage", status=429, retry_after=0, times=10)

    await slack.command("/wow <@U7|Priya> drove Mrs K home")

    assert len(api.calls_to("chat.postMessage")) == 3  # the first try and two retries
    [story] = stories(engine)
    assert story.message_id is None
    [told] = api.calls_to("response_url")
    assert "Your WOW story #1 is saved" in said(told)
    assert "ratelimited" in said(told) and "try again in a few minutes" in said(told)
