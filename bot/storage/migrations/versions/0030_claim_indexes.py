"""claim indexes: the clock's claim tables lose an index their unique constraint covers

Revision ID: 0030_claim_indexes
Revises: 0029_channel_names
Create Date: 2026-12-02 08:40:00

``meeting_post`` and ``clock_notice`` each had an index on ``workspace_id`` alone,
beside a unique constraint that starts with ``workspace_id`` (and so answers the same
look-ups, a workspace's rows and the foreign key's checks). Every claim the clock
writes kept both up to date: at 10,000 channels a tenth of the claiming INSERT's time.
Only the two indexes go; no row, column or constraint changes.
"""

from alembic import op


revision = '0030_claim_indexes'
down_revision = '0029_channel_names'
branch_labels = None
depends_on = None

REDUNDANT = {
    'meeting_post': 'ix_meeting_post_workspace_id',
    'clock_notice': 'ix_clock_notice_workspace_id',
}


def upgrade() -> None:
    for table, index in REDUNDANT.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_index(index)


def downgrade() -> None:
    for table, index in REDUNDANT.items():
        with op.batch_alter_table(table) as batch:
            batch.create_index(index, ['workspace_id'], unique=False)
