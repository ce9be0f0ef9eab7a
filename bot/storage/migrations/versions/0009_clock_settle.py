"""clock claims that were left "claimed" by an earlier version are "uncertain" now

Revision ID: 0009_clock_settle
Revises: 0008_teams_service_urls
Create Date: 2026-12-01 12:15:00

Until now a row stayed ``claimed`` from its claim until its post was answered, so a
clock that died mid fan-out left rows that may or may not have been posted, and the
clock never sent them again. Now ``claimed`` means "not started yet" (a later run
sends it) and a started post is ``sending``, settled by asking the platform. Rows an
earlier version left ``claimed`` carry no tag the platform could be asked about, so
they keep their old promise, never posted twice: they become ``uncertain``. No column
changes: the new states fit ``status``.
"""

from alembic import op


revision = '0009_clock_settle'
down_revision = '0008_teams_service_urls'
branch_labels = None
depends_on = None

TABLES = ('meeting_post', 'clock_notice')


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET status = 'uncertain' WHERE status = 'claimed'")


def downgrade() -> None:
    # The earlier version knows neither state; to it both mean "maybe posted: never resent".
    for table in TABLES:
        op.execute(
            f"UPDATE {table} SET status = 'claimed' WHERE status IN ('sending', 'uncertain')"
        )
