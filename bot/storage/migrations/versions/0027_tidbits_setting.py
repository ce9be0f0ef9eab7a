"""tidbits setting: whether the practice uses patient tidbits at all

Revision ID: 0027_tidbits_setting
Revises: 0026_directory_ids
Create Date: 2026-12-01 20:00:00

One boolean on ``workspace``, on by default (``server_default``), so every existing
practice keeps its tidbits exactly as before. An admin turns them off with
``/huddle tidbits off`` or on the dashboard's Settings page.
"""

from alembic import op
import sqlalchemy as sa


revision = '0027_tidbits_setting'
down_revision = '0026_directory_ids'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch copy): SQLite cannot drop and recreate ``workspace``,
    # which every other table references.
    op.add_column(
        'workspace',
        sa.Column('tidbits', sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column('workspace', 'tidbits')
