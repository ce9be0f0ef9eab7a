"""appointments: the day's schedule from a practice's source, and the source itself

Revision ID: 0017_appointments
Revises: 0016_recovery_owners
Create Date: 2026-12-01 15:10:00

Two new tables; nothing existing changes. ``appointment`` keeps only the time, the
provider label, the patient reference (encrypted and hashed as tidbit references
are) and three flags; rows are deleted a few days after their day.
``schedule_source`` holds one source per workspace with its secret encrypted.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0017_appointments'
down_revision = '0016_recovery_owners'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'appointment',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('starts', sa.Time(), nullable=False),
        sa.Column('provider', sa.String(length=64), nullable=False),
        sa.Column('patient_ref_hash', sa.String(length=64), nullable=False),
        sa.Column('patient_ref_enc', sa.String(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('new_patient', sa.Boolean(), nullable=False),
        sa.Column('arrived', sa.Time(), nullable=True),
        sa.Column('birthday_this_week', sa.Boolean(), nullable=False),
        sa.Column('synced_at', UTCDateTime(), nullable=False),
    )
    op.create_index('ix_appointment_day', 'appointment', ['workspace_id', 'day'])
    op.create_index('ix_appointment_patient', 'appointment', ['workspace_id', 'patient_ref_hash'])
    op.create_table(
        'schedule_source',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('settings_json', sa.String(), nullable=False),
        sa.Column('secret_enc', sa.String(), nullable=True),
        sa.Column('updated_by', sa.String(length=128), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('workspace_id', name='uq_schedule_source_workspace'),
    )


def downgrade() -> None:
    op.drop_table('schedule_source')
    op.drop_table('appointment')
