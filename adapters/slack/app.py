"""Slack wiring and lifetime: the bolt ``AsyncApp``, OAuth, Socket Mode, the routes and the acks.

Every listener (``listeners``) is wrapped by ``SlackAdapter.acking``: it acknowledges at
once and starts the listener's work as a task, so with ``process_before_response=True``
bolt answers Slack well inside its 3 seconds and the work runs after. The core runs off
the event loop, a few calls at a time (``handle``); replies go out through ``posting``.
Under ``huddle serve`` a request's whole work after its ack is shipped to a worker
process (``shipping``), so this process only acknowledges.
The core stores what the person typed before any Slack call that could fail.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.core_processes import CORE_DOOR, CoreDoor, InThreads
from adapters.slack import listeners, request_checks, shipping
from adapters.slack.convert import PLATFORM
from adapters.slack.lanes import CoreLanes
from adapters.slack.listeners import Delivery, Listener
from adapters.slack.names import UserNames
from adapters.slack.posting import Poster
from adapters.slack.settings import SlackMode, SlackSettings
from adapters.slack.stores import (
    DatabaseInstallationStore,
    DatabaseStateStore,
    WorkspaceAuthorize,
)
from adapters.slack.webapi import (
    SLACK_FAILURES,
    TOKEN_GONE,
    build_web_client,
    error_code,
    guard_sdk_loggers,
    sdk_logger,
)
from bot.huddle import Huddle
from bot.model import Event, Installed, Reply
from bot.wiring import StartupError

log = logging.getLogger("huddle.slack")


class _TokenFromClient(logging.Filter):
    """bolt warns that SLACK_BOT_TOKEN is unused when a client is given; ours carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in str(record.msg)


class SlackAdapter:
    """Holds the core; owns the bolt app, the Web API client and its HTTP session."""

    def __init__(self, huddle: Huddle, settings: SlackSettings, door: CoreDoor | None = None):
        settings.check()
        guard_sdk_loggers()
        self.huddle = huddle
        # Where the core's door runs: worker processes under ``huddle serve``.
        self.door = door or InThreads(huddle)
        self.settings = settings
        single = settings.mode is SlackMode.SINGLE
        self.client: AsyncWebClient = build_web_client(
            settings,
            token=settings.bot_token.get_secret_value() if single and settings.bot_token else None,
            rate_limit_retries=settings.max_retries,
        )
        self.installation_store: DatabaseInstallationStore | None = None
        self.authorize: WorkspaceAuthorize | None = None
        if not single:
            assert settings.client_id is not None
            self.installation_store = DatabaseInstallationStore(
                engine=huddle.engine, client_id=settings.client_id
            )
            # Any save (a reinstall, a rotated token) or delete: read the store afresh.
            self.installation_store.changed.append(self._installation_changed)
            # Whoever installs Huddle is one of the practice's admins from then on.
            self.installation_store.installed.append(self._installed_by)
        self.poster = Poster(
            client=self.client,
            http_timeout=settings.http_timeout,
            handle=self.handle,
            failure=self.failure,
        )
        self.names = UserNames()
        # Built once: every request's signature is checked with it (``_events``; Socket
        # Mode has no signing secret and no request URL).
        self._verifier = (
            SignatureVerifier(settings.signing_secret.get_secret_value())
            if settings.signing_secret
            else None
        )
        self.bolt = self._build_bolt()
        self.session: aiohttp.ClientSession | None = None
        self.lanes = CoreLanes(settings.core_concurrency)
        # Under ``huddle serve`` the work after an ack waits for a worker here, pickled.
        self.outbox = shipping.outbox_for(self, settings, finished=self._finished)
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task] = set()
        self._socket = None

    # -- wiring -------------------------------------------------------------------------

    def _build_bolt(self) -> AsyncApp:
        settings = self.settings
        bolt_log = logging.getLogger("huddle.lib.slack.bolt")  # lent to bolt: its lines withheld
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
            # Checked once, in ``_events``, before bolt sees the request (Socket Mode has
            # no signatures): bolt checking it a second time cost every ack its HMAC again.
            "request_verification_enabled": False,
            "raise_error_for_unhandled_request": False,
        }
        if self.installation_store is not None:
            assert settings.client_id and settings.client_secret
            store_authorize = AsyncInstallationStoreAuthorize(
                logger=bolt_log,
                installation_store=self.installation_store,
                client_id=settings.client_id,
                client_secret=settings.client_secret.get_secret_value(),
                bot_only=True,
                # auth.test once per bot token, not on every request.
                cache_enabled=True,
                client=self.client,
            )
            # The store is read once per workspace (not before every ack) and again after
            # any of forget_workspace, forget_authorizations or a save to the store.
            kwargs["authorize"] = self.authorize = WorkspaceAuthorize(store_authorize)
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
        listeners.register(app, self.acking)
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
            if self.outbox is not None:
                await self.outbox.close()
            await self.session.close()
            if self.installation_store is not None:
                self.installation_store.close()

    async def _events(self, request: web.Request) -> web.Response:
        """Slack's requests: signed (else 401) and well formed (else 400), then bolt's.

        Checked here, before bolt parses anything, so that a forged or broken request
        costs one short log line of ours and never a traceback or a 500.
        """
        body = await request.text()
        assert self._verifier is not None  # the route is mounted only with a signing secret
        try:
            signed = self._verifier.is_valid(
                body,
                request.headers.get("X-Slack-Request-Timestamp", ""),
                request.headers.get("X-Slack-Signature", ""),
            )
        except ValueError:  # a timestamp that is not a number
            signed = False
        if not signed:
            log.info("slack request refused: missing, wrong or expired signature")
            return web.Response(status=401)
        shape = request_checks.shape_of(body, request.headers.get("Content-Type", ""))
        if not shape.well_formed:
            log.info("slack request refused: signed, but not a Slack payload")
            return web.Response(status=400, text="Not a Slack request.")
        if shape.rate_limited_team is not None:
            # Slack stops sending this workspace's events for the rest of the minute (over
            # 30,000 an hour). It expects a 200, not bolt's 404 for an event no listener takes.
            log.warning(
                "slack app_rate_limited: workspace=%s minute=%s",
                shape.rate_limited_team,
                shape.rate_limited_minute,
            )
            return web.Response(status=200)
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

    def acking(self, what: str, listener: Listener):
        """A bolt listener that acknowledges at once and runs ``listener`` after, as a task of
        its own (or, under ``huddle serve``, its job in a worker: ``outbox``).

        With ``process_before_response=True`` bolt answers Slack as soon as this returns,
        with no 10-ms polling for the ack. bolt's own lazy listeners would do the same,
        but they ``copy.deepcopy`` every request (client included) on the way to the
        response, which cost more per ack than the polling saved (benchmarks/README.md).
        The work is counted here, before the 200, so ``drained()`` never sees zero between
        the ack and the work's first step; ``_finished`` uncounts it however it ends.
        ``what`` names the listener in log lines.
        """

        async def acknowledge(ack, body: dict, payload: dict, context) -> BoltResponse:
            self._pending += 1
            self._idle.clear()
            delivery = Delivery(body, payload, context, self)
            # In a worker process, under ``huddle serve`` (``shipping``), else here.
            if self.outbox is not None and self.outbox.takes(listener, delivery):
                self.outbox.put(what, listener, delivery)
            else:
                task = asyncio.create_task(self._work(what, listener, delivery))
                self._tasks.add(task)  # the loop keeps only weak references to tasks
                task.add_done_callback(self._tasks.discard)
            return await ack()

        return acknowledge

    async def _work(self, what: str, listener: Listener, delivery: Delivery) -> None:
        """A listener's whole work: its failure logged, and uncounted at the end (also when
        it finds nothing to do)."""
        try:
            await listener(delivery)
        except Exception:
            # Never log the payload: it may hold patient data.
            log.exception("slack %s failed: workspace=%s", what, _team_of(delivery.body))
        finally:
            self._finished()

    def _finished(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._idle.set()

    async def drained(self) -> None:
        """Returns once every acknowledged request has finished its work."""
        await self._idle.wait()

    # -- what listeners reach through -------------------------------------------------

    async def handle(self, event: Event, *, first: bool = False) -> list[Reply]:
        """The core's door, off the event loop (``door``: in worker processes under
        ``huddle serve``), a few calls at a time.

        Core calls are Python-heavy (ORM, encryption); with many at once they queue work
        the replies wait for and, in this process's threads, hold the GIL the loop needs
        to acknowledge. A small limit keeps acks fast while the backlog drains behind
        them; a call whose answer may need the request's trigger_id (``first``) passes
        that backlog (``lanes``) and runs at once, in this process.
        """
        async with self.lanes.slot(first=first):
            return await self.door.handle(event, urgent=first)

    async def forget_workspace(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Huddle was uninstalled or its bot token revoked: its tokens are gone."""
        if self.installation_store is not None:
            await self.installation_store.async_delete_all(
                enterprise_id=enterprise_id, team_id=team_id
            )
        self.forget_authorizations(team_id)

    def forget_authorizations(self, team_id: str | None, enterprise_id: str | None = None) -> None:
        """Evict the workspace's cached authorization (its tokens are gone or replaced)."""
        if self.authorize is not None:
            self.authorize.forget(enterprise_id=enterprise_id, team_id=team_id)

    def _installation_changed(self, enterprise_id: str | None, team_id: str | None) -> None:
        self.forget_authorizations(team_id, enterprise_id)

    async def _installed_by(self, installation) -> None:
        """An OAuth installation saved: who installed Huddle, for the core to keep as an admin."""
        team_id, user_id = installation.team_id, installation.user_id
        if team_id and user_id:
            await self.handle(Installed(PLATFORM, team_id, None, installer_id=user_id))

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
        SlackAdapter(huddle, chosen, door=app.get(CORE_DOOR)).mount(app)
        mode = "Socket Mode" if chosen.socket_mode else f"HTTP at {chosen.events_path}"
        log.info("Slack mounted: %s, %s", chosen.mode.value, mode)

    return mount


def mount(app: web.Application, huddle: Huddle, settings) -> None:
    """Entry point ``huddle.mounts: slack``: Slack from the environment, or nothing."""
    make_mount()(app, huddle, settings)
