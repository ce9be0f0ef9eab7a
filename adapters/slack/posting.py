"""Saying the core's replies in Slack.

``post_message`` is chat.postMessage, shared with the clock's messenger. ``Poster``
says what a listener's event got back from the core: privately through the
response_url, else chat.postEphemeral; in the channel, or in the thread a reply
names, through chat.postMessage; a form as a modal; the home screen through
views.publish. When Slack fails, the person is told privately what happened and
what to do; what they typed was stored before any of these calls.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import convert, modals
from adapters.slack.convert import Origin
from adapters.slack.uploads import direct_channel, upload_files, without_files
from adapters.slack.webapi import SLACK_FAILURES, error_code, sdk_logger
from bot.model import Event, Form, Reply, StoryPosted, Visibility

log = logging.getLogger("huddle.slack")

NOT_IN_CHANNEL_HINT = "Invite me to this channel with `/invite @Huddle`, then try again."
REINSTALL_HINT = "Huddle's Slack installation needs attention: ask your admin to reinstall it."
TROUBLE_HINT = "Slack is having trouble right now; please try again in a few minutes."


def hint(code: str) -> str:
    """What the person can do about a Slack error code."""
    if code in {"not_in_channel", "channel_not_found", "is_archived"}:
        return NOT_IN_CHANNEL_HINT
    if code in {"invalid_auth", "token_revoked", "account_inactive", "missing_scope"}:
        return REINSTALL_HINT
    return TROUBLE_HINT


async def post_message(
    client: AsyncWebClient,
    channel: str,
    reply: Reply,
    *,
    token: str | None = None,
    thread=None,
    metadata: dict | None = None,
    person: bool = False,
) -> str | None:
    """chat.postMessage; joins a public channel once if the bot isn't in it. Returns the ts.

    ``metadata``: Slack message metadata (``event_type``, ``event_payload``) kept on the post.
    A reply with files is uploaded with them instead, its text as their comment (no
    metadata: Slack keeps none on a file share); if the upload fails, the text is posted.
    ``person``: ``channel`` is a user id; files go to their direct messages with Huddle.
    """
    if reply.files:
        try:
            where = await direct_channel(client, channel, token=token) if person else channel
            return await upload_files(client, where, reply, token=token, thread=thread)
        except SLACK_FAILURES as error:
            log.warning(
                "slack file upload failed: channel=%s files=%d error=%s; posting the text alone",
                channel,
                len(reply.files),
                error_code(error),
            )
        reply = without_files(reply)
    extra: dict = {"token": token} if token else {}
    if thread:
        extra["thread_ts"] = thread
    if metadata:
        extra["metadata"] = metadata
    kwargs = dict(
        channel=channel,
        text=convert.fallback_text(reply),
        blocks=convert.blocks(reply),
        unfurl_links=False,
        unfurl_media=False,
        **extra,
    )
    try:
        response = await client.chat_postMessage(**kwargs)
    except SlackApiError as error:
        if error_code(error) != "not_in_channel":
            raise
        try:
            await client.conversations_join(channel=channel, **({"token": token} if token else {}))
        except SlackApiError:
            raise error from None
        response = await client.chat_postMessage(**kwargs)
    return response.get("ts")


Handle = Callable[[Event], Awaitable[list[Reply]]]
Failure = Callable[[str | None, Exception], str]


class Poster:
    """Says replies in Slack for the listeners.

    ``handle`` takes an event to the core's door (the wiring's bounded ``handle``);
    ``failure`` turns a failed call into Slack's error code (and forgets a dead
    token). ``client`` is the process's Web API client: its HTTP session and retry
    handlers serve the response_url calls too. Each call takes the request's own
    ``client``, which carries that workspace's token.
    """

    def __init__(
        self, *, client: AsyncWebClient, http_timeout: int, handle: Handle, failure: Failure
    ):
        self.client = client
        self.http_timeout = http_timeout
        self.handle = handle
        self.failure = failure

    async def say(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        if reply.to is not None:
            await self.tell_someone(origin, reply, client)
            return
        if reply.form is not None and await self.open_form(origin, reply.form, client):
            return
        if reply.visibility is Visibility.CHANNEL and not reply.sensitive:
            await self.post_in_channel(origin, reply, client)
        elif reply.files:
            await self.tell(origin, dataclasses.replace(reply, footer=_in_dm(reply)), client)
            await self.send_files(origin, reply, client)
        else:
            await self.tell(origin, reply, client)

    async def post_in_channel(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        """Post in the channel (in the reply's thread, if it names one).

        Every channel reply is posted here, so a story's message id always goes back to
        the core (``StoryPosted``): reactions to that message nominate the story.
        """
        try:
            ts = await post_message(client, origin.channel_id, reply, thread=reply.thread_id)
        except SLACK_FAILURES as error:
            code = self.failure(origin.team_id, error)
            log.warning(
                "slack chat.postMessage failed: workspace=%s channel=%s story=%s error=%s",
                origin.team_id,
                origin.channel_id,
                reply.story_id,
                code,
            )
            await self.tell(origin, _not_posted(reply, code), client)
            return
        if reply.story_id is not None and ts:
            await self.handle(
                StoryPosted(convert.PLATFORM, origin.team_id, origin.channel_id, reply.story_id, ts)
            )

    async def tell(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> bool:
        """Say something only ``origin.user_id`` sees: response_url, else chat.postEphemeral."""
        text, blocks = convert.fallback_text(reply), convert.blocks(reply)
        if origin.response_url:
            try:
                webhook = AsyncWebhookClient(
                    url=origin.response_url,
                    session=self.client.session,
                    timeout=self.http_timeout,
                    logger=sdk_logger(),
                    retry_handlers=self.client.retry_handlers,  # stateless; shared like the session
                )
                response = await webhook.send(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
                if response.status_code == 200:
                    return True
                failure = f"http_{response.status_code}"
            except SLACK_FAILURES as error:
                failure = error_code(error)
            log.warning(
                "slack response_url failed: workspace=%s channel=%s error=%s; "
                "trying chat.postEphemeral",
                origin.team_id,
                origin.channel_id,
                failure,
            )
        thread = {"thread_ts": reply.thread_id} if reply.thread_id else {}
        try:
            await client.chat_postEphemeral(
                channel=origin.channel_id, user=origin.user_id, text=text, blocks=blocks, **thread
            )
            return True
        except SLACK_FAILURES as error:
            log.error(
                "slack could not reach the person: workspace=%s channel=%s user=%s error=%s",
                origin.team_id,
                origin.channel_id,
                origin.user_id,
                self.failure(origin.team_id, error),
            )
            return False

    async def send_files(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        """A private reply's files, in the person's direct messages with Huddle (an
        ephemeral message can't carry a file), the reply's text as their comment."""
        try:
            channel = await direct_channel(client, origin.user_id)
            await upload_files(client, channel, reply)
        except SLACK_FAILURES as error:
            log.warning(
                "slack file upload failed: workspace=%s user=%s files=%d error=%s",
                origin.team_id,
                origin.user_id,
                len(reply.files),
                self.failure(origin.team_id, error),
            )
            note = f"I couldn't send you the file (Slack said: {error_code(error)}). {hint(error_code(error))}"
            await self.tell(origin, Reply(text=note), client)

    async def tell_someone(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        """A reply for someone else (a defect's new owner): in their direct messages with
        Huddle (chat.postMessage to their user id)."""
        assert reply.to is not None
        try:
            await post_message(client, reply.to.user_id, reply, person=True)
        except SLACK_FAILURES as error:
            log.warning(
                "slack direct message failed: workspace=%s error=%s",
                origin.team_id,
                self.failure(origin.team_id, error),
            )

    async def open_form(self, origin: Origin, form: Form, client: AsyncWebClient) -> bool:
        view = modals.form_modal(form, metadata=origin.metadata(form.command))
        return await self.open_modal(origin, view, client)

    async def ask(
        self,
        origin: Origin,
        command: str,
        question: str,
        client: AsyncWebClient,
        *,
        picks: str | None = None,
        initial: str | None = None,
    ) -> None:
        """A prompt button's one-question modal; if it can't open, how to type it instead."""
        metadata = origin.metadata(command)
        view = modals.prompt_modal(
            command, question, metadata=metadata, picks=picks, initial=initial
        )
        if not await self.open_modal(origin, view, client):
            text = f"I couldn't open the form. Type `/{command} <your answer>` instead."
            await self.tell(origin, Reply(text=text), client)

    async def open_modal(self, origin: Origin, view: dict, client: AsyncWebClient) -> bool:
        if not origin.trigger_id:
            return False
        try:
            await client.views_open(trigger_id=origin.trigger_id, view=view)
            return True
        except SLACK_FAILURES as error:
            log.warning(
                "slack views.open failed: workspace=%s channel=%s error=%s",
                origin.team_id,
                origin.channel_id,
                self.failure(origin.team_id, error),
            )
            return False

    async def publish_home(
        self, team_id: str, user_id: str, reply: Reply, client: AsyncWebClient
    ) -> None:
        """The App Home tab, for one person."""
        try:
            await client.views_publish(user_id=user_id, view=convert.home_view(reply))
        except SLACK_FAILURES as error:
            log.warning(
                "slack views.publish failed: workspace=%s error=%s",
                team_id,
                self.failure(team_id, error),
            )


def _in_dm(reply: Reply) -> str:
    files = "file" if len(reply.files) == 1 else "files"
    note = f"The {files} ({', '.join(f.name for f in reply.files)}): in your direct messages with Huddle."
    return "\n".join(n for n in (reply.footer, note) if n)


def _not_posted(reply: Reply, code: str) -> Reply:
    """The private note for a channel reply Slack refused: what is kept, what to do."""
    if reply.story_id is not None:
        note = (
            f"Your WOW story #{reply.story_id} is saved, but I couldn't post it in this "
            f"channel (Slack said: {code}). {hint(code)}"
        )
    else:
        note = (
            f"That's done, but I couldn't post it in this channel (Slack said: {code}). "
            f"{hint(code)}"
        )
    return dataclasses.replace(
        reply,
        visibility=Visibility.PRIVATE,
        title=None,
        text=note,
        fields=(),
        buttons=(),
        footer=None,
    )
