"""Teams conversation references whose serviceUrl is not Microsoft's are forgotten

Revision ID: 0008_teams_service_urls
Revises: 0007_clock_periods
Create Date: 2026-12-01 12:30:00

A conversation reference keeps the ``serviceUrl`` its activity carried, and the clock
posts there with the bot's bearer token. References stored while ``/api/messages``
took unauthenticated requests could name any address a caller chose. The Teams adapter
now uses a service URL only when it is an ``https://`` URL on one of Microsoft's Bot
Framework hosts; this migration deletes the stored Teams references that fail that
check (unparseable ones too), so the clock stops trying them.

A migration can't read settings, so this uses the documented default list
(``adapters.teams.service_urls.DEFAULT_SERVICE_URL_HOSTS``, copied here; a test keeps
the two the same), never ``MICROSOFT_SERVICE_URL_HOSTS``. A sovereign cloud's references
and the Bot Framework Emulator's ``http://localhost`` ones are deleted too: each
conversation's next message to Huddle (or its reinstallation) stores its reference
again, and until then the clock's post there fails as a permanent ``DeliveryError``.

Downgrading does not bring deleted references back.
"""

import json
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa


revision = '0008_teams_service_urls'
down_revision = '0007_clock_periods'
branch_labels = None
depends_on = None

DEFAULT_SERVICE_URL_HOSTS = (
    'smba.trafficmanager.net',
    'smba.onyx.prod.teams.trafficmanager.net',
    'smba.infra.gcc.teams.microsoft.com',
    'smba.infra.gov.teams.microsoft.us',
    'smba.infra.dod.teams.microsoft.us',
    'frontend.botapi.msg.infra.teams.microsoftonline.cn',
    '*.botframework.com',
)


def is_microsofts(service_url: object) -> bool:
    """An https URL on a default host, with no user or password in it."""
    if not isinstance(service_url, str) or not service_url.isprintable():
        return False
    try:
        parts = urlsplit(service_url)
        host = (parts.hostname or '').casefold().rstrip('.')
        _ = parts.port
    except ValueError:
        return False
    if parts.scheme != 'https' or not host or parts.username or parts.password:
        return False
    for allowed in DEFAULT_SERVICE_URL_HOSTS:
        if allowed.startswith('*.'):
            if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                return True
        elif host == allowed:
            return True
    return False


def _service_url(data: str | None) -> object:
    try:
        value = json.loads(data or '')
    except ValueError:
        return None
    return value.get('serviceUrl') if isinstance(value, dict) else None


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            'SELECT conversation_reference.id, conversation_reference.data '
            'FROM conversation_reference JOIN workspace '
            'ON workspace.id = conversation_reference.workspace_id '
            "WHERE workspace.platform = 'teams'"
        )
    ).fetchall()
    for row_id, data in rows:
        if not is_microsofts(_service_url(data)):
            connection.execute(
                sa.text('DELETE FROM conversation_reference WHERE id = :id'), {'id': row_id}
            )


def downgrade() -> None:
    pass  # deleted references are not restored; the next message stores each again
