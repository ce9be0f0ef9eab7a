"""clock: once-per-week notices and retry back-off for meeting posts

Revision ID: 0003_clock
Revises: 0002_slack
Create Date: 2026-11-23 16:30:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.storage.models


revision = '0003_clock'
down_revision = '0002_slack'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('iso_year', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('claimed_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('sent_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.Column('next_attempt_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'channel_id', 'iso_year', 'iso_week', 'kind', name='uq_clock_notice')
    )
    with op.batch_alter_table('clock_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_notice_workspace_id'), ['workspace_id'], unique=False)
        batch_op.create_index('ix_clock_notice_week', ['iso_year', 'iso_week', 'kind'], unique=False)

    with op.batch_alter_table('meeting_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', bot.storage.models.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_meeting_post_week', ['iso_year', 'iso_week'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meeting_post', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_post_week')
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('clock_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_clock_notice_week')
        batch_op.drop_index(batch_op.f('ix_clock_notice_workspace_id'))

    op.drop_table('clock_notice')
