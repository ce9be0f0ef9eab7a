"""A local stand-in for Open Dental's API (appointments and patients read, popups read and made).

Its rows are shaped like the example payloads on opendental.com/site/apiappointments.html,
apipatients.html and apipopups.html (``POST /popups`` takes PatNum and Description,
PopupLevel optional, default "Patient"; it answers 201 Created, and 400 without them): PascalCase fields, booleans as "true"/"false", wall-clock times
with no offset, ``0001-01-01 00:00:00`` for "none", a ``serverDateTime`` on every row.
It pages at 100 with ``Offset``, filters by ``date`` and ``DateTStamp`` (rows altered
after it), checks ``Authorization: ODFHIR {developer}/{customer}``, and can be told
to answer the next calls with 429 (with Retry-After) or a 5xx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

PAGE = 100
NONE = "0001-01-01 00:00:00"


def appointment_row(
    apt_num: int,
    pat_num: int,
    when: str,
    *,
    confirmed: int = 19,
    new_patient: bool = False,
    status: str = "Scheduled",
    prov: str = "DOC1",
    arrived: str = NONE,
    stamp: str = "2021-05-03 08:30:12",
    note: str = "",
    procedures: str = "Seal, Seal",
) -> dict[str, Any]:
    """An appointment as Open Dental's GET /appointments example shows one."""
    return {
        "AptNum": apt_num,
        "PatNum": pat_num,
        "AptStatus": status,
        "Pattern": "//XXXX//",
        "Confirmed": confirmed,
        "confirmed": "Not Called",
        "TimeLocked": "false",
        "Op": 3,
        "Note": note,
        "ProvNum": 1,
        "provAbbr": prov,
        "ProvHyg": 0,
        "AptDateTime": when,
        "NextAptNum": 0,
        "UnschedStatus": 0,
        "unschedStatus": "",
        "IsNewPatient": "true" if new_patient else "false",
        "ProcDescript": procedures,
        "ClinicNum": 0,
        "IsHygiene": "false",
        "DateTStamp": stamp,
        "DateTimeArrived": arrived,
        "DateTimeSeated": NONE,
        "DateTimeDismissed": NONE,
        "InsPlan1": 35,
        "InsPlan2": 0,
        "DateTimeAskedToArrive": NONE,
        "colorOverride": "0,0,0",
        "AppointmentTypeNum": 0,
        "SecDateTEntry": "2020-07-04 09:12:05",
        "Priority": "Normal",
        "PatternSecondary": "//////X/",
        "ItemOrderPlanned": 0,
    }


def patient_row(
    pat_num: int,
    *,
    chart: str = "",
    birthdate: str = "1976-05-24",
    first: str = "Jane",
    last: str = "Smith",
    stamp: str = "2021-12-08 15:34:34",
) -> dict[str, Any]:
    """A patient as Open Dental's GET /patients example shows one."""
    return {
        "PatNum": pat_num,
        "LName": last,
        "FName": first,
        "MiddleI": "",
        "Preferred": "",
        "PatStatus": "Patient",
        "Gender": "Female",
        "Position": "Single",
        "Birthdate": birthdate,
        "SSN": "",
        "Address": "125 Satin Heights",
        "City": "San Jose",
        "State": "CA",
        "Zip": "97301",
        "HmPhone": "(536)624-5871",
        "WirelessPhone": "(536)987-4822",
        "Guarantor": pat_num,
        "Email": "smithfam@yahoo.com",
        "PriProv": 1,
        "priProvAbbr": "DOC",
        "BillingType": "Standard Account",
        "FamFinUrgNote": "CC on file expiring soon",
        "ChartNumber": chart,
        "DateFirstVisit": "2021-12-16",
        "ClinicNum": 0,
        "PreferConfirmMethod": "None",
        "DateTStamp": stamp,
        "SecDateEntry": "2021-12-04",
    }


def popup_row(
    popup_num: int, pat_num: int, description: str, *, level: str = "Patient"
) -> dict[str, Any]:
    """A popup as Open Dental's GET /popups example shows one."""
    return {
        "PopupNum": popup_num,
        "PatNum": pat_num,
        "Description": description,
        "IsDisabled": "false",
        "PopupLevel": level,
        "DateTimeEntry": "2025-03-21 13:10:27",
        "IsArchived": "false",
        "PopupNumArchive": 0,
        "DateTimeDisabled": "0001-01-01 00:00:00",
    }


@dataclass
class Request:
    path: str
    query: dict[str, str]
    authorization: str | None
    method: str = "GET"
    body: Any = None


@dataclass
class OpenDentalStandIn:
    developer_key: str = "dev-key-1"
    customer_key: str = "VzkmZEaUWOjnQX2z"
    server_time: str = "2021-05-04 09:32:45"
    delay_seconds: float = 0.0
    appointments: list[dict[str, Any]] = field(default_factory=list)
    patients: list[dict[str, Any]] = field(default_factory=list)
    popups: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    failures: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/v1"))

    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls (of ``method`` only, if given) with ``status``
        (and ``Retry-After`` if given)."""
        self.failures.extend([(status, retry_after, method)] * times)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v1/appointments", self._appointments)
        app.router.add_get("/api/v1/patients/Simple", self._patients)
        app.router.add_get("/api/v1/popups", self._get_popups)
        app.router.add_post("/api/v1/popups", self._post_popup)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _guard(self, request: web.Request) -> web.Response | None:
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            Request(
                request.path,
                dict(request.query),
                request.headers.get("Authorization"),
                request.method,
                body,
            )
        )
        if self.delay_seconds:
            import asyncio

            await asyncio.sleep(self.delay_seconds)
        if self.failures and self.failures[0][2] in (None, request.method):
            status, retry_after, _ = self.failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response({"message": "try again"}, status=status, headers=headers)
        expected = f"ODFHIR {self.developer_key}/{self.customer_key}"
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, text="Invalid Authorization header.")
        return None

    def _page(self, rows: list[dict[str, Any]], request: web.Request) -> web.Response:
        offset = int(request.query.get("Offset", "0"))
        page = [dict(row, serverDateTime=self.server_time) for row in rows[offset : offset + PAGE]]
        return web.json_response(page)

    async def _appointments(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        rows = self.appointments
        if "date" in request.query:
            rows = [r for r in rows if r["AptDateTime"].startswith(request.query["date"])]
        if "DateTStamp" in request.query:
            rows = [r for r in rows if r["DateTStamp"] > request.query["DateTStamp"]]
        return self._page(sorted(rows, key=lambda r: r["AptNum"]), request)

    async def _patients(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        rows = self.patients
        if "DateTStamp" in request.query:
            rows = [r for r in rows if r["DateTStamp"] > request.query["DateTStamp"]]
        return self._page(sorted(rows, key=lambda r: r["PatNum"]), request)

    async def _get_popups(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        if "PatNum" not in request.query:
            return web.Response(status=400, text="PatNum is required.")
        pat_num = int(request.query["PatNum"])
        return web.json_response([p for p in self.popups if p["PatNum"] == pat_num])

    async def _post_popup(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        body = self.requests[-1].body or {}
        if not body.get("PatNum") or not body.get("Description"):
            return web.Response(status=400, text="PatNum and Description are required.")
        level = body.get("PopupLevel", "Patient")
        if level not in ("Patient", "Family", "SuperFamily"):
            return web.Response(status=400, text="PopupLevel is invalid.")
        row = popup_row(len(self.popups) + 1, int(body["PatNum"]), body["Description"], level=level)
        self.popups.append(row)
        return web.json_response(row, status=201)
