"""Slack wiring: a bolt ``AsyncApp`` whose listeners translate Slack <-> the core.

Every listener only acknowledges and starts its work as a task (``SlackAdapter.acking``);
with ``process_before_response=True`` bolt returns that ack at once, well inside Slack's
3 seconds, and the work runs after. The core runs off the event loop (``asyncio.to_thread``),
and replies go out through the response_url (private) or chat.postMessage (channel).
The core stores what the person typed before any Slack call that could fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import convert
from adapters.slack.convert import Origin
from adapters.slack.settings import SlackMode, SlackSettings
from adapters.slack.stores import DatabaseInstallationStore, DatabaseStateStore
from adapters.slack.webapi import (
    build_web_client,
    error_code,
    guard_sdk_loggers,
    sdk_logger,
)
from bot.home import compose_home
from bot.huddle import DEFAULT_NOMINATE_EMOJI, Huddle
from bot.model import Form, Reaction, Reply, Visibility
from bot.threads import is_meeting_thread
from bot.wiring import StartupError

log = logging.getLogger("huddle.slack")

COMMANDS = ("/defect", "/tidbit", "/wow", "/huddle")
SLACK_FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)
# Web API errors meaning the workspace's token is dead.
TOKEN_GONE = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})

NOT_IN_CHANNEL_HINT = "Invite me to this channel with `/invite @Huddle`, then try again."
TROUBLE_HINT = "Slack is having trouble right now; please try again in a few minutes."


def _hint(code: str) -> str:
    if code in {"not_in_channel", "channel_not_found", "is_archived"}:
        return NOT_IN_CHANNEL_HINT
    if code in {"invalid_auth", "token_revoked", "account_inactive", "missing_scope"}:
        return "Huddle's Slack installation needs attention: ask your admin to reinstall it."
    return TROUBLE_HINT


class _TokenFromClient(logging.Filter):
    """bolt warns that SLACK_BOT_TOKEN is unused when a client is given; ours carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in str(record.msg)


class SlackAdapter:
    """Holds the core; owns the bolt app, the Web API client and its HTTP session."""

    def __init__(self, huddle: Huddle, settings: SlackSettings):
        settings.check()
        guard_sdk_loggers()
        self.huddle = huddle
        self.settings = settings
        single = settings.mode is SlackMode.SINGLE
        self.client: AsyncWebClient = build_web_client(
            settings,
            token=settings.bot_token.get_secret_value() if single and settings.bot_token else None,
            rate_limit_retries=settings.max_retries,
        )
        self.installation_store: DatabaseInstallationStore | None = None
        self.authorize: AsyncInstallationStoreAuthorize | None = None
        if not single:
            assert settings.client_id is not None
            self.installation_store = DatabaseInstallationStore(
                engine=huddle.engine, client_id=settings.client_id
            )
        self.bolt = self._build_bolt()
        self.session: aiohttp.ClientSession | None = None
        self._core_slots = asyncio.Semaphore(settings.core_concurrency)
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task] = set()
        self._socket = None

    # -- wiring -------------------------------------------------------------------------

    def _build_bolt(self) -> AsyncApp:
        settings = self.settings
        bolt_log = logging.getLogger("huddle.slack.bolt")
        if not any(isinstance(f, _TokenFromClient) for f in bolt_log.filters):
            bolt_log.addFilter(_TokenFromClient())
        kwargs: dict = {
            "client": self.client,
            "signing_secret": (
                settings.signing_secret.get_secret_value() if settings.signing_secret else ""
            ),
            "logger": bolt_log,
            # Every listener only acks and starts its work as a task (``acking``), so bolt
            # answers as soon as it returns instead of polling for the ack every 10 ms.
            "process_before_response": True,
            "request_verification_enabled": not settings.socket_mode,
            "raise_error_for_unhandled_request": False,
        }
        if self.installation_store is not None:
            assert settings.client_id and settings.client_secret
            kwargs["authorize"] = self.authorize = AsyncInstallationStoreAuthorize(
                logger=bolt_log,
                installation_store=self.installation_store,
                client_id=settings.client_id,
                client_secret=settings.client_secret.get_secret_value(),
                bot_only=True,
                # auth.test once per bot token, not on every request. Still safe after an
                # uninstall: the token is looked up in the store first on every request,
                # and on_uninstalled evicts the workspace's entry as well.
                cache_enabled=True,
                client=self.client,
            )
            kwargs["installation_store"] = self.installation_store
            kwargs["installation_store_bot_only"] = True
            kwargs["oauth_settings"] = AsyncOAuthSettings(
                client_id=settings.client_id,
                client_secret=settings.client_secret.get_secret_value(),
                scopes=settings.scope_list,
                installation_store=self.installation_store,
                installation_store_bot_only=True,
                state_store=DatabaseStateStore(engine=self.huddle.engine),
                install_path=settings.install_path,
                redirect_uri_path=settings.redirect_path,
                redirect_uri=settings.redirect_uri,
            )
        app = AsyncApp(**kwargs)
        acking = self.acking
        for name in COMMANDS:
            app.command(name)(acking(self.on_command))
        app.action(re.compile(f"^{convert.BUTTON_ACTION}-"))(acking(self.on_button))
        app.action(re.compile(f"^{convert.PROMPT_ACTION}-"))(acking(self.on_prompt_button))
        app.view(convert.FORM_CALLBACK)(acking(self.on_form))
        app.view(convert.PROMPT_CALLBACK)(acking(self.on_prompt_answer))
        app.event("reaction_added")(acking(self.on_reaction))
        app.event("reaction_removed")(acking(self.on_reaction))
        app.event("message")(acking(self.on_message))
        app.event("app_home_opened")(acking(self.on_home))
        app.event("app_uninstalled")(acking(self.on_uninstalled))
        app.event("tokens_revoked")(acking(self.on_uninstalled))
        return app

    def mount(self, app: web.Application) -> None:
        settings = self.settings
        app[SLACK] = self
        app.cleanup_ctx.append(self._lifetime)
        if not settings.socket_mode:
            app.router.add_post(settings.events_path, self._events)
        if self.installation_store is not None:
            app.router.add_get(settings.install_path, self._install)
            app.router.add_get(settings.redirect_path, self._oauth_redirect)

    async def _lifetime(self, app: web.Application):
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout)
        )
        self.client.session = self.session
        if self.settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            assert self.settings.app_token is not None
            app_token = self.settings.app_token.get_secret_value()
            try:
                # The socket client retries a refused token forever; fail start-up instead.
                await self.client.apps_connections_open(app_token=app_token)
            except SLACK_FAILURES as error:
                await self.session.close()
                raise StartupError(
                    f"Slack refused to open a Socket Mode connection ({error_code(error)}). "
                    "Check SLACK_APP_TOKEN: an app-level token with connections:write."
                ) from None
            # Built only now: the socket client opens an aiohttp session of its own at once
            # (closed by close_async below), which a refused token would otherwise leak.
            self._socket = AsyncSocketModeHandler(self.bolt, app_token, logger=sdk_logger())
            await self._socket.connect_async()
            log.info("Slack: connected over Socket Mode")
        try:
            yield
        finally:
            if self._socket is not None:
                await self._socket.close_async()
            await self.drained()
            await self.session.close()

    async def _events(self, request: web.Request) -> web.Response:
        bolt_response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def _install(self, request: web.Request) -> web.Response:
        flow = self.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        flow = self.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    # -- work after the ack -------------------------------------------------------------

    def acking(self, work):
        """A bolt listener that acknowledges at once and starts ``work`` as a task of its own.

        With ``process_before_response=True`` bolt answers Slack as soon as the listener
        returns, with no 10-ms polling for the ack. bolt's own lazy listeners would do the
        same, but they ``copy.deepcopy`` every request (client included) on the way to the
        response, which cost more per ack than the polling saved (benchmarks/README.md).
        The work is counted here, before the 200, so ``drained()`` never sees zero between
        the ack and the work's first step; ``work`` uncounts it however it ends.
        """

        async def listener(ack, body: dict, payload: dict, context) -> BoltResponse:
            self._pending += 1
            self._idle.clear()
            task = asyncio.create_task(work(body, payload, context))
            self._tasks.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._tasks.discard)
            return await ack()

        return listener

    @contextlib.asynccontextmanager
    async def work(self, what: str, body: dict):
        """The whole body of a listener's work: logs failures, and uncounts the work at the end
        (also when it finds nothing to do)."""
        try:
            yield
        except Exception:
            # Never log the payload: it may hold patient data.
            log.exception("slack %s failed: workspace=%s", what, _team_of(body))
        finally:
            self._pending -= 1
            if self._pending == 0:
                self._idle.set()

    async def core(self, function, *args, **kwargs):
        """Run a core call off the event loop, a few at a time.

        Core calls are Python-heavy (ORM, encryption); with many in threads at once they
        hold the GIL so much that the loop itself is starved and acknowledgements slow
        down. A small limit keeps acks fast while the backlog drains behind them.
        """
        async with self._core_slots:
            return await asyncio.to_thread(function, *args, **kwargs)

    async def drained(self) -> None:
        """Returns once every acknowledged request has finished its work."""
        await self._idle.wait()

    # -- listeners ----------------------------------------------------------------------

    async def on_command(self, body: dict, _payload: dict, context) -> None:
        async with self.work(f"command {body.get('command')}", body):
            origin = convert.origin_from_command(body)
            await self.run(origin, convert.incoming_from_command(body), context.client)

    async def on_button(self, body: dict, action: dict, context) -> None:
        async with self.work("button", body):
            origin = convert.origin_from_interaction(body)
            await self.run(origin, origin.incoming(action.get("value") or ""), context.client)

    async def on_prompt_button(self, body: dict, action: dict, context) -> None:
        async with self.work("prompt button", body):
            origin = convert.origin_from_interaction(body)
            command, question = convert.prompt_from_value(action.get("value") or "{}")
            view = convert.prompt_modal(command, question, metadata=origin.metadata(command))
            if not await self.open_modal(origin, view, context.client):
                await self.tell(
                    origin,
                    Reply(
                        text=f"I couldn't open the form. Type `/{command} <your answer>` instead."
                    ),
                    context.client,
                )

    async def on_form(self, body: dict, view: dict, context) -> None:
        async with self.work("form", body):
            origin = convert.origin_from_interaction(body)
            command = convert.modal_command(view) or "defect"
            incoming = origin.incoming(command, form=convert.form_values(view))
            await self.run(origin, incoming, context.client)

    async def on_prompt_answer(self, body: dict, view: dict, context) -> None:
        async with self.work("prompt answer", body):
            origin = convert.origin_from_interaction(body)
            answer = convert.form_values(view).get(convert.PROMPT_INPUT, "").strip()
            line = f"{convert.modal_command(view)} {answer}"
            await self.run(origin, origin.incoming(line), context.client)

    async def on_reaction(self, body: dict, event: dict, context) -> None:
        async with self.work(event.get("type", "reaction"), body):
            team_id = context.team_id or body.get("team_id") or ""
            item = event.get("item") or {}
            if item.get("type") != "message" or not event.get("user"):
                return
            reaction = Reaction(
                platform=convert.PLATFORM,
                workspace_id=team_id,
                channel_id=item.get("channel") or "",
                message_id=item.get("ts") or "",
                user_id=event["user"],
                user_name=event["user"],
                # Skin tones arrive as "thumbsup::skin-tone-2"; the emoji is the part before.
                emoji=(event.get("reaction") or "").split("::")[0],
                added=event.get("type") == "reaction_added",
                event_id=body.get("event_id"),
            )
            replies = await self.core(self.huddle.react, reaction)
            origin = Origin(team_id, reaction.channel_id, reaction.user_id, reaction.user_id)
            for reply in replies:
                await self.tell(origin, reply, context.client)

    async def on_message(self, body: dict, event: dict, context) -> None:
        async with self.work("thread reply", body):
            team_id = context.team_id or body.get("team_id") or ""
            thread_ts = event.get("thread_ts")
            if (
                event.get("subtype")
                or event.get("bot_id")
                or not thread_ts
                or thread_ts == event.get("ts")
                or not event.get("user")
            ):
                return  # only people's replies in a thread can be stories
            client = context.client
            user_id = event["user"]
            channel_id = event.get("channel") or ""
            if not await self.core(
                lambda: is_meeting_thread(
                    self.huddle,
                    platform=convert.PLATFORM,
                    workspace_id=team_id,
                    channel_id=channel_id,
                    thread_id=thread_ts,
                )
            ):
                return
            name = await self.user_name(client, user_id)
            story_id = await self.core(
                lambda: self.huddle.capture_thread_story(
                    platform=convert.PLATFORM,
                    workspace_id=team_id,
                    channel_id=channel_id,
                    thread_id=thread_ts,
                    message_id=event.get("ts") or "",
                    user_id=user_id,
                    user_name=name,
                    text=event.get("text") or "",
                )
            )
            if story_id is not None:
                emoji = DEFAULT_NOMINATE_EMOJI["slack"]
                origin = Origin(team_id, channel_id, user_id, name)
                await self.tell(
                    origin,
                    Reply(
                        text=f"Thank you! Your reply is saved as WOW story #{story_id}. "
                        f"Teammates nominate it by reacting with :{emoji}: (or the emoji "
                        "your practice chose)."
                    ),
                    client,
                )

    async def on_home(self, body: dict, event: dict, context) -> None:
        async with self.work("app home", body):
            team_id = context.team_id or body.get("team_id") or ""
            if event.get("tab") not in (None, "home") or not event.get("user"):
                return
            reply = await self.core(
                compose_home, self.huddle, platform=convert.PLATFORM, workspace_id=team_id
            )
            try:
                await context.client.views_publish(
                    user_id=event["user"], view=convert.home_view(reply)
                )
            except SLACK_FAILURES as error:
                log.warning(
                    "slack views.publish failed: workspace=%s error=%s",
                    team_id,
                    self.failure(team_id, error),
                )

    async def on_uninstalled(self, body: dict, event: dict, context) -> None:
        async with self.work("uninstall", body):
            team_id = context.team_id or body.get("team_id")
            tokens_revoked = event.get("type") == "tokens_revoked"
            if tokens_revoked and not (event.get("tokens") or {}).get("bot"):
                return  # only user tokens went; the bot's installation is intact
            if self.installation_store is not None:
                await self.installation_store.async_delete_all(
                    enterprise_id=context.enterprise_id, team_id=team_id
                )
            self.forget_authorizations(team_id)
            stopped = 0
            if team_id:
                # The clock stops posting there; the practice's data stays.
                stopped = await self.core(
                    lambda: self.huddle.app_removed(platform=convert.PLATFORM, workspace_id=team_id)
                )
            log.info(
                "Slack: Huddle was %s in workspace %s; %d weekly meeting(s) stopped",
                "uninstalled" if not tokens_revoked else "cut off (bot token revoked)",
                team_id,
                stopped,
            )

    def forget_authorizations(self, team_id: str | None) -> None:
        """Evict the workspace's cached auth.test results (its tokens are gone)."""
        if self.authorize is None:
            return
        cache = self.authorize.authorize_result_cache
        for token in [t for t, result in cache.items() if result.team_id == team_id]:
            del cache[token]

    def failure(self, team_id: str | None, error: Exception) -> str:
        """Slack's error code for a failed Web API call.

        When Slack says the workspace's token no longer works (revoked without the
        event reaching us, or the app removed while we were down), its cached
        auth.test result is evicted, so the next request is checked afresh and refused
        by bolt rather than served with a dead token.
        """
        code = error_code(error)
        if code in TOKEN_GONE:
            self.forget_authorizations(team_id)
        return code

    # -- running a command and saying its replies ------------------------------------

    async def run(self, origin: Origin, incoming, client: AsyncWebClient) -> None:
        replies = await self.core(self.huddle.handle, incoming)
        for reply in replies:
            await self.say(origin, reply, client)

    async def say(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        if reply.form is not None and await self.open_form(origin, reply.form, client):
            return
        if reply.visibility is Visibility.CHANNEL and not reply.sensitive:
            await self.post_in_channel(origin, reply, client)
        else:
            await self.tell(origin, reply, client)

    async def open_form(self, origin: Origin, form: Form, client: AsyncWebClient) -> bool:
        view = convert.form_modal(form, metadata=origin.metadata(form.command))
        return await self.open_modal(origin, view, client)

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

    async def post_in_channel(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> None:
        try:
            ts = await post_message(client, origin.channel_id, reply)
        except SLACK_FAILURES as error:
            code = self.failure(origin.team_id, error)
            log.warning(
                "slack chat.postMessage failed: workspace=%s channel=%s story=%s error=%s",
                origin.team_id,
                origin.channel_id,
                reply.story_id,
                code,
            )
            if reply.story_id is not None:
                note = (
                    f"Your WOW story #{reply.story_id} is saved, but I couldn't post it in this "
                    f"channel (Slack said: {code}). {_hint(code)}"
                )
            else:
                note = (
                    f"That's done, but I couldn't post it in this channel (Slack said: {code}). "
                    f"{_hint(code)}"
                )
            await self.tell(
                origin,
                dataclasses.replace(
                    reply,
                    visibility=Visibility.PRIVATE,
                    title=None,
                    text=note,
                    fields=(),
                    buttons=(),
                    footer=None,
                ),
                client,
            )
            return
        if reply.story_id is not None and ts:
            await self.core(
                lambda: self.huddle.story_posted(
                    platform=convert.PLATFORM,
                    workspace_id=origin.team_id,
                    channel_id=origin.channel_id,
                    story_id=reply.story_id,
                    message_id=ts,
                )
            )

    async def tell(self, origin: Origin, reply: Reply, client: AsyncWebClient) -> bool:
        """Say something only ``origin.user_id`` sees: response_url, else chat.postEphemeral."""
        text, blocks = convert.fallback_text(reply), convert.blocks(reply)
        if origin.response_url:
            try:
                webhook = AsyncWebhookClient(
                    url=origin.response_url,
                    session=self.session,
                    timeout=self.settings.http_timeout,
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
        try:
            await client.chat_postEphemeral(
                channel=origin.channel_id, user=origin.user_id, text=text, blocks=blocks
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

    async def user_name(self, client: AsyncWebClient, user_id: str) -> str:
        try:
            response = await client.users_info(user=user_id)
        except SLACK_FAILURES as error:
            log.info("slack users.info failed: user=%s error=%s", user_id, error_code(error))
            return user_id
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        return (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )


async def post_message(
    client: AsyncWebClient, channel: str, reply: Reply, *, token: str | None = None, thread=None
) -> str | None:
    """chat.postMessage; joins a public channel once if the bot isn't in it. Returns the ts."""
    extra = {"token": token} if token else {}
    if thread:
        extra["thread_ts"] = thread
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


SLACK = web.AppKey("slack", SlackAdapter)


def _team_of(body: dict) -> str:
    """The workspace a request came from, for log lines (commands, events, interactions)."""
    team = body.get("team")
    return body.get("team_id") or (team.get("id") if isinstance(team, dict) else None) or "?"


def make_mount(slack_settings: SlackSettings | None = None):
    """A ``mount`` for ``huddle serve`` with these settings (default: from the environment)."""

    def mount(app: web.Application, huddle: Huddle, settings) -> None:
        try:
            chosen = slack_settings if slack_settings is not None else SlackSettings()
            chosen.check()
        except ValueError as error:  # pydantic's ValidationError and SlackConfigError
            raise StartupError(f"Slack configuration problem: {error}") from error
        if not chosen.configured:
            log.info(
                "Slack is not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or "
                "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET): "
                "no /slack routes mounted"
            )
            return
        SlackAdapter(huddle, chosen).mount(app)
        mode = "Socket Mode" if chosen.socket_mode else f"HTTP at {chosen.events_path}"
        log.info("Slack mounted: %s, %s", chosen.mode.value, mode)

    return mount


def mount(app: web.Application, huddle: Huddle, settings) -> None:
    """The entry in ``adapters.web.MOUNTS``: Slack from the environment, or nothing."""
    make_mount()(app, huddle, settings)
