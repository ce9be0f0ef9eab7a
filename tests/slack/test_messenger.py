"""The clock's Slack messenger: posts, threads, one shared session, 429s surfaced with Retry-After."""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from adapters.slack.messenger import SlackMessenger, build_messenger, messenger_for
from bot.clock.fanout import Delivery, deliver_all
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from tests.slack.conftest import TOKEN, said, slack_settings
from tests.slack.test_authorize_cache import StoreReads
from tests.standins.slack_api import SlackAPIStandIn

POST = Reply(title="Monday Morning Meeting", text="This week's rule", visibility=Visibility.CHANNEL)


@pytest.fixture
async def messenger(api, huddle):
    messenger = messenger_for(slack_settings(api), huddle)
    yield messenger
    await messenger.close()


def test_the_messenger_is_registered_for_the_clock():
    [entry] = [e for e in entry_points(group="huddle.messengers") if e.name == "slack"]
    assert entry.load() is build_messenger


def test_no_messenger_when_slack_is_not_configured(huddle, settings, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env
    assert build_messenger(settings, huddle) is None


async def test_send_posts_and_returns_the_message_ts(messenger, api):
    ts = await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    [post] = api.calls_to("chat.postMessage")
    assert post["channel"] == "C1" and post.token == TOKEN
    assert "Monday Morning Meeting" in said(post)
    assert ts and ts.startswith("18")


async def test_send_into_a_thread(messenger, api):
    await messenger.send(ConversationRef("slack", "T1", "C1", thread_id="1800000001.000100"), POST)

    assert api.calls_to("chat.postMessage")[0]["thread_ts"] == "1800000001.000100"


async def test_a_rate_limit_comes_back_as_delivery_error_with_retry_after(messenger, api):
    api.fail("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(DeliveryError) as raised:
        await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    assert raised.value.retry_after == 7
    assert not raised.value.permanent


async def test_an_archived_channel_is_a_permanent_failure(messenger, api):
    api.fail("chat.postMessage", error="is_archived")

    with pytest.raises(DeliveryError) as raised:
        await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    assert raised.value.permanent
    assert "is_archived" in str(raised.value)


async def test_server_errors_are_retried_before_giving_up(messenger, api):
    api.fail("chat.postMessage", status=500, times=2)

    assert await messenger.send(ConversationRef("slack", "T1", "C1"), POST)
    assert len(api.calls_to("chat.postMessage")) == 3


async def test_patient_data_is_never_posted(messenger, api):
    with pytest.raises(DeliveryError):
        await messenger.send(
            ConversationRef("slack", "T1", "C1"),
            Reply(text="tidbit", visibility=Visibility.CHANNEL, sensitive=True),
        )
    assert api.calls == []


async def test_concurrent_sends_share_one_session_and_the_stand_in_rate_limits_them(huddle):
    async with SlackAPIStandIn(rate_limit=3, retry_after=1) as api:
        api.add_workspace("T1", token=TOKEN)
        messenger: SlackMessenger = messenger_for(slack_settings(api), huddle)
        try:
            results = await asyncio.gather(
                *(messenger.send(ConversationRef("slack", "T1", f"C{n}"), POST) for n in range(5)),
                return_exceptions=True,
            )
            session = messenger.client.session
        finally:
            await messenger.close()

    posted = [r for r in results if isinstance(r, str)]
    limited = [r for r in results if isinstance(r, DeliveryError)]
    assert len(posted) == 3
    assert len(limited) == 2 and all(e.retry_after == 1 for e in limited)
    assert session is not None
    assert {id(session)} == {id(messenger.client.session)}


# -- multi-workspace: bot tokens from the installation store, read once per workspace ------

CLIENT_ID = "1111.2222"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def install(huddle, team_id: str, token: str, *, at: float) -> None:
    """What the OAuth flow stores (slack-sdk's installation store, in our database)."""
    SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=huddle.engine).save(
        Installation(
            app_id="A0HUDDLE",
            team_id=team_id,
            bot_token=token,
            bot_id=f"B{team_id}",
            bot_user_id=f"UB{team_id}",
            bot_scopes="chat:write,commands",
            user_id="U-installer",
            installed_at=at,
        )
    )


def uninstall(huddle, team_id: str) -> None:
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=huddle.engine)
    store.delete_all(enterprise_id=None, team_id=team_id)


@pytest.fixture
def store_reads(multi) -> list[str]:
    """The teams whose bot token was read from the installation store (one query each)."""
    reads: list[str] = []
    store = multi.installation_store.store  # slack-sdk's SQLAlchemyInstallationStore
    find_bot = store.find_bot

    def counted(**kwargs):
        reads.append(kwargs["team_id"])
        return find_bot(**kwargs)

    store.find_bot = counted
    return reads


@pytest.fixture
def time_now() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def multi(api, huddle, time_now):
    settings = slack_settings(
        api, SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET="secret"
    )
    messenger = messenger_for(settings, huddle, token_lifetime=300, monotonic=time_now)
    assert messenger.tokens is not None
    yield messenger
    await messenger.close()


async def test_posts_to_ten_channels_of_a_workspace_read_its_token_once(
    multi, api, huddle, store_reads
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    refs = [ConversationRef("slack", "T1", f"C{n}") for n in range(10)]

    await asyncio.gather(*(multi.send(ref, POST) for ref in refs[:5]))  # at once, as the clock does
    for ref in refs[5:]:
        await multi.send(ref, POST)

    posts = api.calls_to("chat.postMessage")
    assert sorted(p["channel"] for p in posts) == sorted(r.channel_id for r in refs)
    assert {p.token for p in posts} == {TOKEN}
    assert len(store_reads) == 1


async def test_a_token_is_read_again_once_its_lifetime_is_over(
    multi, api, huddle, store_reads, time_now
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    await multi.send(ConversationRef("slack", "T1", "C1"), POST)
    time_now.now += 299
    await multi.send(ConversationRef("slack", "T1", "C2"), POST)
    assert len(store_reads) == 1
    time_now.now += 1
    await multi.send(ConversationRef("slack", "T1", "C3"), POST)
    assert len(store_reads) == 2


async def test_a_reinstall_is_picked_up_once_slack_refuses_the_old_token(
    multi, api, huddle, store_reads
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    await multi.send(ConversationRef("slack", "T1", "C1"), POST)  # the old token is cached

    # Reinstalled while the clock ran: Slack issued a new token and refuses the old one.
    install(huddle, "T1", "xoxb-t1-reinstalled", at=1_700_000_100.0)
    del api.workspaces[TOKEN]
    api.add_workspace("T1", token="xoxb-t1-reinstalled")
    ts = await multi.send(ConversationRef("slack", "T1", "C2"), POST)
    await multi.send(ConversationRef("slack", "T1", "C3"), POST)

    assert ts
    to_c2 = [p.token for p in api.calls_to("chat.postMessage") if p["channel"] == "C2"]
    assert to_c2 == [TOKEN, "xoxb-t1-reinstalled"]  # refused, read again, posted once
    assert api.delivered == [("T1", "C1"), ("T1", "C2"), ("T1", "C3")]
    assert len(store_reads) == 2  # the first read, and the one after the refusal


@pytest.mark.parametrize(
    "error", ["invalid_auth", "token_revoked", "account_inactive", "not_authed"]
)
async def test_a_refused_token_with_no_reinstall_fails_for_good_and_is_not_trusted_again(
    multi, api, huddle, store_reads, error
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    await multi.send(ConversationRef("slack", "T1", "C1"), POST)
    api.fail("chat.postMessage", error=error)

    with pytest.raises(DeliveryError) as raised:
        await multi.send(ConversationRef("slack", "T1", "C2"), POST)

    assert raised.value.permanent and error in str(raised.value)
    assert len(api.calls_to("chat.postMessage")) == 2  # the store had nothing newer: no retry
    assert len(store_reads) == 2
    await multi.send(ConversationRef("slack", "T1", "C3"), POST)
    assert len(store_reads) == 3  # the refused token was evicted, so it is read afresh


async def test_an_uninstalled_workspace_is_not_posted_to(multi, api, huddle, store_reads):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    await multi.send(ConversationRef("slack", "T1", "C1"), POST)  # cached

    uninstall(huddle, "T1")  # app_uninstalled: the store forgets it; Slack revokes the token
    del api.workspaces[TOKEN]
    for channel in ("C2", "C3"):
        with pytest.raises(DeliveryError) as raised:
            await multi.send(ConversationRef("slack", "T1", channel), POST)
        assert raised.value.permanent

    # C2 was tried once with the cached token (refused); C3 not at all: nothing to post with.
    assert [p["channel"] for p in api.calls_to("chat.postMessage")] == ["C1", "C2"]
    assert "not installed in Slack workspace T1" in str(raised.value)


async def test_a_workspace_that_never_installed_is_not_posted_to(multi, api, huddle):
    with pytest.raises(DeliveryError) as raised:
        await multi.send(ConversationRef("slack", "T9", "C1"), POST)
    assert raised.value.permanent
    assert api.calls_to("chat.postMessage") == []


# -- a clock fan-out: every workspace's token in one query ----------------------------


async def fan_out(messenger, refs: list[ConversationRef]) -> list:
    """Post ``POST`` to every ref as the clock does (``deliver_all``), results in order."""
    results = []

    async def on_sent(sent) -> None:
        results.append(sent)

    await deliver_all(
        [Delivery(row_id=n, ref=ref, reply=POST) for n, ref in enumerate(refs)],
        {"slack": messenger},
        concurrency=10,
        workspace_concurrency=3,
        send_timeout=5,
        rate_limit_retries=1,
        on_sent=on_sent,
    )
    return sorted(results, key=lambda sent: sent.delivery.row_id)


async def test_a_fan_out_to_many_workspaces_reads_their_tokens_in_one_query(multi, api, huddle):
    for n in range(1, 6):
        install(huddle, f"T{n}", f"xoxb-t{n}", at=1_700_000_000.0)
        api.add_workspace(f"T{n}", token=f"xoxb-t{n}-new" if n == 2 else f"xoxb-t{n}")
    install(huddle, "T2", "xoxb-t2-new", at=1_700_000_500.0)  # reinstalled: the newer one counts
    refs = [ConversationRef("slack", f"T{n}", f"C{n}{c}") for n in range(1, 6) for c in range(4)]

    reads = StoreReads(huddle.engine)
    try:
        sent = await fan_out(multi, refs)
    finally:
        reads.close()

    assert [s.error for s in sent] == [None] * 20
    assert reads.count == 1
    to_t2 = {p.token for p in api.calls_to("chat.postMessage") if p["channel"].startswith("C2")}
    assert to_t2 == {"xoxb-t2-new"}


async def test_a_fan_out_reads_an_uninstalled_workspace_alone_and_does_not_post_there(
    multi, api, huddle
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    api.add_workspace("T1", token=TOKEN)
    refs = [ConversationRef("slack", "T1", "C1"), ConversationRef("slack", "T9", "C9")]

    reads = StoreReads(huddle.engine)
    try:
        sent = await fan_out(multi, refs)
    finally:
        reads.close()

    assert sent[0].error is None
    assert sent[1].permanent and "not installed in Slack workspace T9" in sent[1].error
    assert reads.count == 2  # the batch, then T9's own read (it found nothing)
    assert [p["channel"] for p in api.calls_to("chat.postMessage")] == ["C1"]


async def test_a_preloaded_token_slack_refuses_is_read_again_and_the_new_one_used(
    multi, api, huddle
):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    api.add_workspace("T1", token=TOKEN)
    await multi.prepare([ConversationRef("slack", "T1", "C1")])

    # Reinstalled after the batch read: Slack refuses the preloaded token.
    install(huddle, "T1", "xoxb-t1-reinstalled", at=1_700_000_100.0)
    del api.workspaces[TOKEN]
    api.add_workspace("T1", token="xoxb-t1-reinstalled")
    sent = await fan_out(multi, [ConversationRef("slack", "T1", "C1")])

    assert sent[0].error is None
    tokens = [p.token for p in api.calls_to("chat.postMessage")]
    assert tokens == [TOKEN, "xoxb-t1-reinstalled"]
    assert api.delivered == [("T1", "C1")]


async def test_preloaded_tokens_expire_like_the_ones_read_alone(multi, api, huddle, time_now):
    install(huddle, "T1", TOKEN, at=1_700_000_000.0)
    await multi.prepare([ConversationRef("slack", "T1", "C1")])
    assert await multi.tokens.token("T1") == TOKEN
    time_now.now += 300
    reads = StoreReads(huddle.engine)
    try:
        assert await multi.tokens.token("T1") == TOKEN
    finally:
        reads.close()
    assert reads.count == 1
