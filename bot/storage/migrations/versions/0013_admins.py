"""practice admins: who may change a workspace's settings

Revision ID: 0013_admins
Revises: 0010_board_indexes
Create Date: 2026-12-01 14:00:00

A new table only; no existing row changes. Workspaces from before it have no admin
until the platform names one (a Slack workspace admin, the installer) or the first
person to change a setting becomes the first.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

from bot.storage.models import UTCDateTime


revision = '0013_admins'
down_revision = '0010_board_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'practice_admin',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('workspace_id', 'user_id', name='uq_practice_admin'),
    )
    op.create_index('ix_practice_admin_workspace_id', 'practice_admin', ['workspace_id'])


def downgrade() -> None:
    op.drop_index('ix_practice_admin_workspace_id', table_name='practice_admin')
    op.drop_table('practice_admin')
