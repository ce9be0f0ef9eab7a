"""A local stand-in for the Slack Web API (and response_url webhooks), over real HTTP.

Point ``SLACK_API_URL`` at ``standin.url`` and every Web API call Huddle makes lands
here, is recorded (``standin.calls``) and answered like Slack answers it. It can
also misbehave on purpose:

    api = SlackAPIStandIn(latency=0.05, rate_limit=1)   # 50 ms per call; 1 post/s/workspace
    api.add_workspace("T1", token="xoxb-t1")
    await api.start()
    api.fail("chat.postMessage", status=500, times=2)   # two 500s, then normal again
    api.fail("chat.postMessage", error="not_in_channel") # Slack's ok:false answer
    api.fail("chat.postMessage", status=429, retry_after=3)
    release = api.hold("response_url")                  # unanswered until release()
    late = api.answer_late("chat.postMessage")          # done at once, answered at late()
    ...
    await api.wait_for("chat.postMessage", count=1)
    api.uploads["F1"].data                              # the bytes a file upload sent
    await api.close()

Files go up as Slack takes them since files.upload was retired: files.getUploadURLExternal
(a name and a length) answers an upload_url and a file id; the bytes are POSTed to that
URL; files.completeUploadExternal (the ids, and a channel_id, thread_ts and
initial_comment) shares them, as one message in the channel or thread.

Used by the Slack adapter's tests and by the clock's fan-out benchmark.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web

from tests.standins.slack_openid import SlackOpenID

POST_METHODS = frozenset({"chat.postMessage"})  # what rate_limit counts as a "post"


@dataclass
class Call:
    """One request that reached the stand-in."""

    method: str  # "chat.postMessage", ... or "response_url"
    args: dict
    token: str | None
    team_id: str | None
    headers: dict

    def __getitem__(self, key: str):
        return self.args[key]

    def get(self, key: str, default=None):
        return self.args.get(key, default)

    def text_everywhere(self) -> str:
        """Everything this call carried, as one string (to look for leaked text)."""
        return json.dumps(self.args, ensure_ascii=False)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    times: int = 1


@dataclass
class Upload:
    """A file on its way up: its upload URL's id, what it was announced as, what arrived."""

    file_id: str
    team_id: str
    filename: str
    length: int
    alt_text: str | None = None
    data: bytes | None = None  # the bytes POSTed to the upload URL
    content_type: str | None = None
    title: str | None = None
    channel: str | None = None  # where completeUploadExternal shared it
    thread_ts: str | None = None
    initial_comment: str | None = None
    ts: str | None = None  # the message sharing it


@dataclass
class Workspace:
    team_id: str
    token: str
    name: str
    bot_user_id: str
    bot_id: str
    joined: set[str] = field(default_factory=set)


class SlackAPIStandIn:
    """An aiohttp server that answers like slack.com/api/ and records what it was sent."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        retry_after: float = 1.0,
        require_join: bool = False,
    ):
        self.latency = latency  # seconds added to every call
        self.rate_limit = rate_limit  # posts per second per workspace; more -> 429
        self.retry_after = retry_after  # the Retry-After of rate-limit 429s
        self.require_join = require_join  # chat.postMessage -> not_in_channel until joined
        self.calls: list[Call] = []
        self.workspaces: dict[str, Workspace] = {}  # by token
        self.oauth_codes: dict[str, str] = {}  # code -> team id
        self.user_names: dict[str, str] = {}
        # users.info's role flags: user id -> "owner" | "admin" | "primary_owner"
        self.user_roles: dict[str, str] = {}
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._holds: dict[str, asyncio.Event] = {}
        self._late: dict[str, asyncio.Event] = {}
        # What each channel holds, oldest first (thread replies too, with thread_ts),
        # with its metadata: conversations.history and .replies answer from it.
        self.messages: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.kill_at: tuple[int, int, bool] | None = None  # (pid, nth post, after storing)
        self._posts: dict[str, deque[float]] = defaultdict(deque)
        self.rate_limited = 0  # 429s sent for going over rate_limit
        self.delivered: list[tuple[str, str]] = []  # (team id, channel) of each post that landed
        self._ts = itertools.count(1)
        self.uploads: dict[str, Upload] = {}  # by file id, in the order they were asked for
        self._file_ids = itertools.count(1)
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._envelopes = itertools.count(1)
        self.port: int | None = None
        self.openid = SlackOpenID()  # Sign in with Slack (tests/standins/slack_openid.py)

    # -- set-up -------------------------------------------------------------------------

    def add_workspace(self, team_id: str, *, token: str, name: str | None = None) -> Workspace:
        workspace = Workspace(
            team_id=team_id,
            token=token,
            name=name or f"Practice {team_id}",
            bot_user_id=f"UB{team_id}",
            bot_id=f"B{team_id}",
        )
        self.workspaces[token] = workspace
        return workspace

    def add_oauth_code(self, code: str, *, team_id: str, token: str, name: str | None = None):
        """``oauth.v2.access`` with this code installs the app in ``team_id``."""
        self.add_workspace(team_id, token=token, name=name)
        self.oauth_codes[code] = team_id

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls to ``method`` fail this way (queued after earlier ones)."""
        if status == 200 and error is None:
            error = "internal_error"
        self._failures[method].append(Failure(status, error, retry_after, times))

    def hold(self, method: str):
        """Calls to ``method`` are recorded, then wait unanswered until ``release()``
        is called: a Slack that is slow for as long as a test needs, without sleeping."""
        gate = self._holds[method] = asyncio.Event()

        def release() -> None:
            gate.set()
            self._holds.pop(method, None)

        return release

    def answer_late(self, method: str):
        """Calls to ``method`` are carried out at once (a post is stored) but answered
        only at ``release()``: a Slack that accepted a post and answered too late."""
        gate = self._late[method] = asyncio.Event()

        def release() -> None:
            gate.set()
            self._late.pop(method, None)

        return release

    async def _held(self, method: str) -> None:
        gate = self._holds.get(method)
        if gate is not None:
            await gate.wait()

    @property
    def url(self) -> str:
        """The SLACK_API_URL to use."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def openid_authorize_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/openid/connect/authorize"

    def response_url(self, key: str = "r") -> str:
        """A response_url to put in slash-command and interaction payloads."""
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    # -- lifecycle ----------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self.openid.add_routes(app)
        return app

    async def start(self, port: int = 0) -> SlackAPIStandIn:
        self._changed = asyncio.Condition()
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for gate in [*self._holds.values(), *self._late.values()]:
            gate.set()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> SlackAPIStandIn:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- reading what happened ---------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``count`` calls to ``method`` have arrived (a condition, not a sleep)."""
        assert self._changed is not None

        def arrived() -> bool:
            return len(self.calls_to(method)) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(arrived), timeout)
        return self.calls_to(method)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # -- handlers -----------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict:
        args: dict = dict(request.query)
        body = await request.read()
        if body:
            content_type = request.headers.get("Content-Type", "")
            if "json" in content_type:
                args.update(json.loads(body))
            else:
                args.update(parse_qsl(body.decode(), keep_blank_values=True))
        for key in ("blocks", "view", "attachments", "metadata"):
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or args.pop("token", None)
        workspace = self.workspaces.get(token or "")
        await self._record(
            Call(
                method,
                args,
                token,
                workspace.team_id if workspace else None,
                dict(request.headers),
            )
        )
        await self._held(method)
        if self.latency:
            await asyncio.sleep(self.latency)
        scripted = self._scripted(method)
        if scripted is not None:
            return scripted
        if method == "oauth.v2.access":
            return self._oauth(request, args)
        if method.startswith("openid.connect."):
            return self.openid.answer(method, request, args)
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return web.json_response({"ok": False, "error": "not_allowed_token_type"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if workspace is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method in POST_METHODS and self.rate_limit:
            limited = self._rate_limited(workspace)
            if limited is not None:
                return limited
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": True})
        response = handler(workspace, args)
        late = self._late.get(method)
        if late is not None:
            await late.wait()
        return response

    async def _respond(self, request: web.Request) -> web.Response:
        args = await self._args(request)
        await self._record(Call("response_url", args, None, None, dict(request.headers)))
        await self._held("response_url")
        if self.latency:
            await asyncio.sleep(self.latency)
        scripted = self._scripted("response_url")
        if scripted is not None:
            return scripted
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the file's bytes, as the body (or a multipart form's one file)."""
        file_id = request.match_info["file_id"]
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/"):
            data = b""
            async for part in await request.multipart():
                data = await part.read()  # type: ignore[union-attr]
        else:
            data = await request.read()
        args = {"file_id": file_id, "length": len(data)}
        await self._record(Call("upload", args, None, None, dict(request.headers)))
        await self._held("upload")
        scripted = self._scripted("upload")
        if scripted is not None:
            return scripted
        upload = self.uploads.get(file_id)
        if upload is None:
            return web.Response(status=404, text="Not Found")
        upload.data, upload.content_type = data, content_type
        return web.Response(text=f"OK - {len(data)}")

    # -- Socket Mode ------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        self._sockets.append(ws)
        await self._record(Call("socket_connected", {}, None, None, dict(request.headers)))
        try:
            async for message in ws:
                if message.type.name == "TEXT":
                    data = json.loads(message.data)
                    await self._record(Call("socket_ack", data, None, None, {}))
        finally:
            self._sockets.remove(ws)
        return ws

    async def socket_send(self, kind: str, payload: dict) -> str:
        """Push a Socket Mode envelope (``slash_commands``, ``events_api``, ``interactive``)
        to the connected app; returns its envelope_id. The app's ack arrives as a
        ``socket_ack`` call."""
        await self.wait_for("socket_connected")
        envelope_id = f"env-{next(self._envelopes)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def _scripted(self, method: str) -> web.Response | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(int(failure.retry_after))
        if failure.status == 200:
            return web.json_response({"ok": False, "error": failure.error})
        return web.json_response(
            {"ok": False, "error": failure.error or "ratelimited"},
            status=failure.status,
            headers=headers,
        )

    def _rate_limited(self, workspace: Workspace) -> web.Response | None:
        now = time.monotonic()
        window = self._posts[workspace.team_id]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_limit:
            self.rate_limited += 1
            wait = max(1, int(self.retry_after))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        window.append(now)
        return None

    def _next_ts(self) -> str:
        return f"{1_800_000_000 + next(self._ts)}.000100"

    def _oauth(self, request: web.Request, args: dict) -> web.Response:
        client_id = args.get("client_id")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id = base64.b64decode(auth[6:]).decode().partition(":")[0]
        team_id = self.oauth_codes.get(args.get("code", ""))
        if team_id is None or not client_id:
            return web.json_response({"ok": False, "error": "invalid_code"})
        workspace = next(w for w in self.workspaces.values() if w.team_id == team_id)
        return web.json_response(
            {
                "ok": True,
                "app_id": "A0HUDDLE",
                "authed_user": {"id": f"U-installer-{team_id}"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": workspace.token,
                "bot_user_id": workspace.bot_user_id,
                "team": {"id": team_id, "name": workspace.name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        )

    def _auth_test(self, workspace: Workspace, args: dict) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "url": f"https://{workspace.team_id.lower()}.slack.com/",
                "team": workspace.name,
                "user": "huddle",
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "bot_id": workspace.bot_id,
                "is_enterprise_install": False,
            }
        )

    def _chat_postMessage(self, workspace: Workspace, args: dict) -> web.Response:
        channel = args.get("channel", "")
        if self.require_join and channel not in workspace.joined:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        self._maybe_kill(after=False)
        ts = self._next_ts()
        message = {
            "type": "message",
            "text": args.get("text"),
            "ts": ts,
            "bot_id": workspace.bot_id,
            "user": workspace.bot_user_id,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        self.messages[(workspace.team_id, channel)].append(message)
        self.delivered.append((workspace.team_id, channel))
        self._maybe_kill(after=True)
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": message})

    def _maybe_kill(self, *, after: bool) -> None:
        """``kill_at``: SIGKILL a process (the clock) at its nth post, before or after
        storing it: a crash at a chosen point of a fan-out, for fault tests."""
        if self.kill_at is None:
            return
        pid, nth, when_stored = self.kill_at
        if when_stored == after and len(self.delivered) + (0 if after else 1) >= nth:
            import os
            import signal

            self.kill_at = None
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _conversations_history(self, workspace: Workspace, args: dict) -> web.Response:
        """Newest first, top-level messages only, ``oldest``/``latest`` exclusive unless
        ``inclusive``; ``metadata`` only with ``include_all_metadata``; paged by cursor."""
        # Every channel exists here; one never posted to is empty.
        messages = self.messages.get((workspace.team_id, args.get("channel", "")), [])
        top = [m for m in messages if m.get("thread_ts") in (None, m["ts"])]
        return self._page(list(reversed(top)), args)

    def _conversations_replies(self, workspace: Workspace, args: dict) -> web.Response:
        """The thread's parent then its replies, oldest first, like Slack."""
        messages = self.messages.get((workspace.team_id, args.get("channel", "")), [])
        root = args.get("ts", "")
        thread = [m for m in messages if m["ts"] == root or m.get("thread_ts") == root]
        if not thread:
            return web.json_response({"ok": False, "error": "thread_not_found"})
        return self._page(thread, args, keep_first=True)

    def _page(self, messages: list[dict], args: dict, keep_first: bool = False) -> web.Response:
        def truthy(name: str) -> bool:
            return str(args.get(name, "")).lower() in {"1", "true"}

        inclusive = truthy("inclusive")
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 1e12)

        def inside(m: dict) -> bool:
            ts = float(m["ts"])
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        chosen = [m for i, m in enumerate(messages) if (keep_first and i == 0) or inside(m)]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 100), 1000)
        page = chosen[start : start + limit]
        if not truthy("include_all_metadata"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(chosen)
        return web.json_response(
            {
                "ok": True,
                "messages": page,
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        )

    def _conversations_join(self, workspace: Workspace, args: dict) -> web.Response:
        channel = args.get("channel", "")
        workspace.joined.add(channel)
        return web.json_response({"ok": True, "channel": {"id": channel}})

    def _files_getUploadURLExternal(self, workspace: Workspace, args: dict) -> web.Response:
        filename, length = args.get("filename"), str(args.get("length", ""))
        if not filename or not length.isdigit() or int(length) < 1:
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        file_id = f"F{next(self._file_ids):08d}"
        self.uploads[file_id] = Upload(
            file_id,
            workspace.team_id,
            filename,
            int(length),
            alt_text=args.get("alt_txt") or args.get("alt_text"),
        )
        return web.json_response(
            {
                "ok": True,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
                "file_id": file_id,
            }
        )

    def _files_completeUploadExternal(self, workspace: Workspace, args: dict) -> web.Response:
        files = args.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        if not files:
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        chosen = []
        for f in files:
            upload = self.uploads.get(f.get("id", ""))
            if upload is None or upload.team_id != workspace.team_id or upload.data is None:
                return web.json_response({"ok": False, "error": "file_not_found"})
            if len(upload.data) != upload.length:
                return web.json_response({"ok": False, "error": "file_upload_size_mismatch"})
            chosen.append((upload, f.get("title")))
        channel = args.get("channel_id") or None
        ts = None
        if channel:
            ts = self._next_ts()
            message = {
                "type": "message",
                "subtype": "file_share",
                "text": args.get("initial_comment") or "",
                "ts": ts,
                "files": [{"id": u.file_id} for u, _ in chosen],
                "bot_id": workspace.bot_id,
                "user": workspace.bot_user_id,
            }
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self.messages[(workspace.team_id, channel)].append(message)
            self.delivered.append((workspace.team_id, channel))
        for upload, title in chosen:
            upload.title = title or upload.filename
            upload.channel, upload.thread_ts, upload.ts = channel, args.get("thread_ts"), ts
            upload.initial_comment = args.get("initial_comment")
        return web.json_response({"ok": True, "files": [self._file(u) for u, _ in chosen]})

    def _files_info(self, workspace: Workspace, args: dict) -> web.Response:
        upload = self.uploads.get(args.get("file", ""))
        if upload is None or upload.team_id != workspace.team_id:
            return web.json_response({"ok": False, "error": "file_not_found"})
        return web.json_response({"ok": True, "file": self._file(upload)})

    def _file(self, upload: Upload) -> dict:
        shares = {}
        if upload.channel and upload.ts:
            share = {
                "ts": upload.ts,
                **({"thread_ts": upload.thread_ts} if upload.thread_ts else {}),
            }
            kind = "private" if upload.channel[:1] in {"D", "G"} else "public"
            shares = {kind: {upload.channel: [share]}}
        return {
            "id": upload.file_id,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "size": upload.length,
            "shares": shares,
            "channels": [upload.channel] if upload.channel else [],
        }

    def _conversations_open(self, workspace: Workspace, args: dict) -> web.Response:
        users = str(args.get("users", ""))
        if not users or "," in users:
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        return web.json_response({"ok": True, "channel": {"id": f"D{users}"}})

    def _chat_postEphemeral(self, workspace: Workspace, args: dict) -> web.Response:
        return web.json_response({"ok": True, "message_ts": self._next_ts()})

    def _views_open(self, workspace: Workspace, args: dict) -> web.Response:
        return web.json_response(
            {"ok": True, "view": {"id": "V0MODAL", **(args.get("view") or {})}}
        )

    def _views_publish(self, workspace: Workspace, args: dict) -> web.Response:
        return web.json_response({"ok": True, "view": {"id": "V0HOME", **(args.get("view") or {})}})

    def _users_info(self, workspace: Workspace, args: dict) -> web.Response:
        user = args.get("user", "")
        name = self.user_names.get(user, user)
        role = self.user_roles.get(user)
        flags = {
            f"is_{flag}": role == flag or (flag == "owner" and role == "primary_owner")
            for flag in ("owner", "admin", "primary_owner")
        }
        return web.json_response(
            {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": workspace.team_id,
                    "name": name.casefold(),
                    "real_name": name,
                    "profile": {"display_name": name, "real_name": name},
                    **flags,
                },
            }
        )


async def _serve_forever(args) -> None:
    api = SlackAPIStandIn(latency=args.latency, rate_limit=args.rate_limit)
    for pair in args.workspace:
        team_id, _, token = pair.partition("=")
        api.add_workspace(team_id, token=token)
    await api.start(port=args.port)
    print(f"Slack API stand-in: SLACK_API_URL={api.url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run the Slack Web API stand-in.")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument("--rate-limit", type=float, default=None, help="posts/s per workspace")
    parser.add_argument(
        "--workspace", action="append", default=[], help="TEAM=TOKEN, e.g. T1=xoxb-t1 (repeat)"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args()))
