"""brief: a channel's morning brief time, beside its weekly meeting

Revision ID: 0018_brief
Revises: 0017_appointments
Create Date: 2026-12-01 15:30:00

One nullable column on ``subscription``: the local time of the morning brief in
minutes after midnight (NULL: no brief). Existing rows keep everything and get none.
"""

from alembic import op
import sqlalchemy as sa


revision = '0018_brief'
down_revision = '0017_appointments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscription') as batch:
        batch.add_column(sa.Column('brief_minutes', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('subscription') as batch:
        batch.drop_column('brief_minutes')
