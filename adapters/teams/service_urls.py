"""Which Bot Connector ``serviceUrl`` Huddle will talk to: Microsoft's, nobody else's.

An activity's ``serviceUrl`` says where to send the answer, and the answer carries
the bot's bearer token. A URL taken on trust would send that token (and make the
server POST) wherever a caller chose, so a service URL is stored, replied to and
posted to only when it is an ``https://`` URL on one of Microsoft's documented Bot
Framework hosts. ``MICROSOFT_SERVICE_URL_HOSTS`` replaces the list (a sovereign cloud,
the test suite's local stand-in). Plain ``http://`` is taken only for a loopback host,
and a loopback host only when it is listed, or in Emulator mode (the Emulator's own
``http://localhost:<port>``).

The default list is the one Microsoft's Teams SDK validates service URLs against
(https://microsoft.github.io/teams-sdk/python/essentials/app-configuration/service-url-validation):
the public cloud (``smba.trafficmanager.net`` with its regional paths such as
``/amer/``, ``/emea/``, ``/apac/``, and ``smba.onyx.prod.teams.trafficmanager.net``),
GCC, GCC High, DoD and 21Vianet, plus the Bot Framework's own channels
(``*.botframework.com``, e.g. Web Chat and Direct Line). Migration
``0008_teams_service_urls`` keeps a copy of it, because migrations can't read
settings; a test keeps the two the same.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_SERVICE_URL_HOSTS: tuple[str, ...] = (
    "smba.trafficmanager.net",  # public cloud, all regions (/teams/, /amer/, /emea/, ...)
    "smba.onyx.prod.teams.trafficmanager.net",  # public cloud
    "smba.infra.gcc.teams.microsoft.com",  # US Government Community Cloud (GCC)
    "smba.infra.gov.teams.microsoft.us",  # GCC High
    "smba.infra.dod.teams.microsoft.us",  # US Department of Defense
    "frontend.botapi.msg.infra.teams.microsoftonline.cn",  # China, operated by 21Vianet
    "*.botframework.com",  # the Bot Framework's own channels (Web Chat, Direct Line)
)
LOOPBACK_NAMES = frozenset({"localhost"})


def parse_hosts(value: str | None) -> tuple[str, ...] | None:
    """``"a.example, *.b.example"`` -> the hosts, lower case; None when unset or empty."""
    hosts = tuple(h.strip().casefold().rstrip(".") for h in (value or "").split(","))
    hosts = tuple(h for h in hosts if h)
    return hosts or None


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_listed(host: str, hosts: tuple[str, ...]) -> bool:
    """Exact hosts, and ``*.suffix`` for any host under that suffix (not the suffix itself)."""
    for allowed in hosts:
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                return True
        elif host == allowed:
            return True
    return False


class ServiceUrls:
    """The service URLs this process may use; ``allows(url)`` says whether one is."""

    def __init__(self, hosts: tuple[str, ...] | None = None, *, emulator: bool = False):
        self.hosts = hosts or DEFAULT_SERVICE_URL_HOSTS
        self.emulator = emulator

    def allows(self, url: object) -> bool:
        if not isinstance(url, str) or not url or len(url) > 2048 or not url.isprintable():
            return False
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").casefold().rstrip(".")
            _ = parts.port  # raises ValueError on a port that is not a number
        except ValueError:
            return False
        if not host or parts.username is not None or parts.password is not None:
            return False
        loopback = is_loopback(host)
        if parts.scheme == "http" and not loopback:
            return False
        if parts.scheme not in {"http", "https"}:
            return False
        if loopback and self.emulator:
            return True
        return host_listed(host, self.hosts)
