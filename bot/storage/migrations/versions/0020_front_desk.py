"""front desk: who is told about unconfirmed and late patients, and popups

Revision ID: 0020_front_desk
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

Four new tables, nothing existing changes: ``front_desk`` (the role),
``practice_protocol`` (the notice time, the confirmation deadline, popups on or off),
``front_desk_notice`` (one claim per notice and person, so each goes out once) and
``popup_push`` (one row per defect pushed to Open Dental as a popup).
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0020_front_desk'
down_revision = '0019_fail_to_attend'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'front_desk',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('added_by', sa.String(length=128), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('workspace_id', 'user_id', name='uq_front_desk'),
    )
    op.create_table(
        'practice_protocol',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('notice_minutes', sa.Integer(), nullable=False),
        sa.Column('deadline_minutes', sa.Integer(), nullable=True),
        sa.Column('popups', sa.Boolean(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('workspace_id', name='uq_practice_protocol'),
    )
    op.create_table(
        'front_desk_notice',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('item', sa.String(length=80), nullable=False),
        sa.Column('recipient_id', sa.String(length=128), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('claimed_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            'workspace_id', 'kind', 'period', 'item', 'recipient_id', name='uq_front_desk_notice'
        ),
    )
    op.create_table(
        'popup_push',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('defect_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('pushed_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('defect_id', name='uq_popup_push_defect'),
    )


def downgrade() -> None:
    op.drop_table('popup_push')
    op.drop_table('front_desk_notice')
    op.drop_table('practice_protocol')
    op.drop_table('front_desk')
