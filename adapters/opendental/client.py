"""An async Open Dental API client: only the calls the morning huddle needs.

What the real API does, handled here: ``Authorization: ODFHIR {DeveloperKey}/{CustomerKey}``;
lists come 100 at a time, so a page that is exactly full means ask again with
``Offset``; each row carries ``serverDateTime``, to send back as ``DateTStamp`` for
only what changed since; 429 and 5xx are retried with back-off, honouring
``Retry-After``. Errors say what went wrong in words and never quote a row.
"""

from __future__ import annotations

import asyncio
import json as _json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.appointments import ScheduleSourceError

PAGE = 100  # the Remote API's hard limit per call
REMOTE_URL = "https://api.opendental.com/api/v1"


class OpenDentalError(ScheduleSourceError):
    """Open Dental refused or failed; the message is for the practice's admin."""


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    server_time: str | None  # the serverDateTime of the answer, for the next DateTStamp


class OpenDentalClient:
    """``async with OpenDentalClient(url, developer_key, customer_key) as client: ...``"""

    def __init__(
        self,
        base_url: str,
        developer_key: str,
        customer_key: str,
        *,
        attempts: int = 5,
        backoff_seconds: float = 1.0,
        max_wait_seconds: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        timeout_seconds: float = 30.0,
    ):
        if not developer_key or not customer_key:
            raise OpenDentalError(
                "Open Dental needs both keys: the developer key (HUDDLE_OPENDENTAL_DEVELOPER_KEY, "
                "set by the operator) and the practice's customer key."
            )
        self._base = base_url.rstrip("/")
        self._auth = f"ODFHIR {developer_key}/{customer_key}"
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._max_wait = max_wait_seconds
        self._sleep = sleep
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self.requests = 0  # calls made, retries included: for reports and benchmarks

    async def __aenter__(self) -> OpenDentalClient:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def appointments(self, day: str, *, changed_since: str | None = None) -> Page:
        """``GET /appointments?date=day`` (every page), only rows changed since
        ``changed_since`` (a previous ``serverDateTime``) when given."""
        params = {"date": day}
        if changed_since:
            params["DateTStamp"] = changed_since
        return await self._all_pages("/appointments", params)

    async def patients(self, *, changed_since: str | None = None) -> Page:
        """``GET /patients/Simple`` (every page), only those changed since when given."""
        params = {"DateTStamp": changed_since} if changed_since else {}
        return await self._all_pages("/patients/Simple", params)

    async def popups(self, pat_num: int) -> list[dict[str, Any]]:
        """``GET /popups?PatNum=``: the patient's popups (their family's too)."""
        rows = await self._call("GET", "/popups", params={"PatNum": str(pat_num)})
        if not isinstance(rows, list):
            raise OpenDentalError("Open Dental answered /popups with something not a list.")
        return [row for row in rows if isinstance(row, dict)]

    async def create_popup(self, pat_num: int, description: str) -> None:
        """``POST /popups`` on the patient (``PopupLevel`` Patient). Only a 429 is retried
        here: after a 5xx the popup may exist, so the caller looks before trying again."""
        body = {"PatNum": pat_num, "Description": description, "PopupLevel": "Patient"}
        await self._call("POST", "/popups", json=body)

    async def _all_pages(self, path: str, params: dict[str, str]) -> Page:
        rows: list[dict[str, Any]] = []
        server_time: str | None = None
        offset = 0
        while True:
            query = dict(params, Offset=str(offset)) if offset else dict(params)
            page = await self._get(path, query)
            if not isinstance(page, list):
                raise OpenDentalError(f"Open Dental answered {path} with something not a list.")
            rows.extend(page)
            for row in page:
                stamp = row.get("serverDateTime") if isinstance(row, dict) else None
                if stamp and (server_time is None or stamp > server_time):
                    server_time = stamp
            if len(page) < PAGE:
                return Page(rows, server_time)
            offset += PAGE

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        return await self._call("GET", path, params=params)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        if self._session is None:
            raise RuntimeError("use the client as `async with OpenDentalClient(...)`")
        url = f"{self._base}{path}"
        for attempt in range(1, self._attempts + 1):
            self.requests += 1
            try:
                async with self._session.request(
                    method, url, params=params, json=json, headers={"Authorization": self._auth}
                ) as response:
                    if response.status in (200, 201):
                        text = await response.text()
                        return _json.loads(text) if text.strip() else None
                    if response.status in (401, 403):
                        raise OpenDentalError(
                            "Open Dental refused the API keys (HTTP "
                            f"{response.status}). Check the practice's customer key in Open "
                            "Dental (Setup > Advanced Setup > API: enabled, and has Read All) "
                            "and the operator's developer key."
                        )
                    if response.status == 404:
                        raise OpenDentalError(
                            f"Open Dental has no {path} at {self._base}: check the API address "
                            "(Remote, Local or API Service) and the eConnector."
                        )
                    if response.status == 400:
                        raise OpenDentalError(f"Open Dental refused {method} {path} (HTTP 400).")
                    writes_twice = method != "GET" and response.status >= 500
                    if writes_twice or (response.status != 429 and response.status < 500):
                        raise OpenDentalError(
                            f"Open Dental refused {path} (HTTP {response.status})."
                        )
                    wait = self._wait(attempt, response.headers.get("Retry-After"))
                    status = response.status
            except aiohttp.ClientError as error:
                status, wait = None, self._wait(attempt, None)
                reason = type(error).__name__
                if attempt == self._attempts:
                    raise OpenDentalError(
                        f"Open Dental could not be reached at {self._base} ({reason})."
                    ) from error
            if attempt == self._attempts:
                break
            await self._sleep(wait)
        busy = "is busy (HTTP 429)" if status == 429 else f"kept failing (HTTP {status})"
        raise OpenDentalError(
            f"Open Dental {busy} after {self._attempts} tries; the last good day is kept."
        )

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self._max_wait)
            except ValueError:
                pass  # an HTTP date: fall back to our own back-off
        return min(self._backoff * 2 ** (attempt - 1), self._max_wait)
