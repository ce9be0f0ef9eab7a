"""brief home: a schedule source's last sync outcome

Revision ID: 0025_brief_home
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

Two nullable columns on ``schedule_source``: when a sync last stored a day, and what
went wrong since, in words (``/huddle source`` shows both to an admin). Existing
sources keep everything and have neither until their next sync.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0025_brief_home'
down_revision = '0024_downloads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schedule_source') as batch:
        batch.add_column(sa.Column('last_synced_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('last_problem', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedule_source') as batch:
        batch.drop_column('last_problem')
        batch.drop_column('last_synced_at')
