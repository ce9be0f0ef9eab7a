"""channel names: what people call each channel, per workspace

Revision ID: 0029_channel_names
Revises: 0028_period_tally
Create Date: 2026-12-01 21:00:00

A new table only (``channel_name``); nothing existing changes. It fills as channels
are heard from (a Slack command's channel name, a Teams channel's and team's names).
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0029_channel_names'
down_revision = '0028_period_tally'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'channel_name',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.String(length=128), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'channel_id', name='uq_channel_name'),
    )
    with op.batch_alter_table('channel_name') as batch:
        batch.create_index(batch.f('ix_channel_name_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('channel_name') as batch:
        batch.drop_index(batch.f('ix_channel_name_workspace_id'))
    op.drop_table('channel_name')
