"""A local stand-in for the Bot Connector service (the ``serviceUrl`` of Teams activities).

It records every activity the bot posts and every 1:1 conversation it creates,
and can be told to fail the next calls (429 with Retry-After, 412, 502, 504, ...).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Posted:
    conversation_id: str
    activity: dict
    reply_to_id: str | None = None
    id: str = ""

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    @property
    def cards(self) -> list[dict]:
        return [
            a["content"]
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def everything(self) -> str:
        """All the text a person could see in this post, cards included."""
        import json

        return self.text + json.dumps(self.cards)


def utf16_size(body: bytes) -> int:
    """A payload's size as Teams counts it against its message limit: in UTF-16 bytes."""
    return len(body.decode("utf-8").encode("utf-16-le"))


@dataclass
class Failure:
    status: int
    retry_after: float | str | None = None


@dataclass
class BotConnectorStandIn:
    posted: list[Posted] = field(default_factory=list)
    created: list[dict] = field(default_factory=list)
    attempts: int = 0
    # Every call's Authorization header, in order (None when there was none).
    authorizations: list[str | None] = field(default_factory=list)
    # When set, calls without "Bearer <required_token>" are refused with 401, like the
    # real service refuses a bot that did not sign in.
    required_token: str | None = None
    # Teams refuses a bot message over 100 KB with 413 MessageSizeTooBig, counting the
    # whole payload encoded as UTF-16 ("Format your bot messages", Microsoft Learn);
    # the stand-in counts and refuses the same way.
    max_activity_bytes: int = 100 * 1024
    _failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

    def fail_next(
        self, status: int, times: int = 1, retry_after: float | str | None = None
    ) -> None:
        self._failures.extend(Failure(status, retry_after) for _ in range(times))

    def fail_always(self, status: int) -> None:
        self.fail_next(status, times=1000)

    def heal(self) -> None:
        self._failures.clear()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).rstrip("/") + "/"

    def in_conversation(self, conversation_id: str) -> list[Posted]:
        """Posts in a conversation, its reply chains included."""
        return [p for p in self.posted if p.conversation_id.split(";")[0] == conversation_id]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post(
            "/v3/conversations/{conversation}/activities/{reply_to}", self._activity
        )
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def _failure(self, request: web.Request) -> web.Response | None:
        self.attempts += 1
        authorization = request.headers.get("Authorization")
        self.authorizations.append(authorization)
        if self.required_token and authorization != f"Bearer {self.required_token}":
            return web.json_response(
                {"error": {"code": "Unauthorized", "message": "Authorization has been denied"}},
                status=401,
            )
        if not self._failures:
            return None
        failure = self._failures.pop(0)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        return web.json_response(
            {"error": {"code": "Failure", "message": f"stand-in answered {failure.status}"}},
            status=failure.status,
            headers=headers,
        )

    async def _activity(self, request: web.Request) -> web.Response:
        failed = self._failure(request)
        if failed is not None:
            return failed
        raw = await request.read()
        if utf16_size(raw) > self.max_activity_bytes:
            return web.json_response(
                {"error": {"code": "MessageSizeTooBig", "message": "Message size too big"}},
                status=413,
            )
        body = await request.json()
        post = Posted(
            conversation_id=request.match_info["conversation"],
            activity=body,
            reply_to_id=request.match_info.get("reply_to"),
            id=f"msg-{next(self._ids)}",
        )
        self.posted.append(post)
        return web.json_response({"id": post.id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        failed = self._failure(request)
        if failed is not None:
            return failed
        body = await request.json()
        self.created.append(body)
        member = (body.get("members") or [{}])[0].get("id", "someone")
        return web.json_response({"id": f"a:1on1-{member}", "activityId": None})
