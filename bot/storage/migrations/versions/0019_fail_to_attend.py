"""fail to attend: a defect's root cause and who took the booking

Revision ID: 0019_fail_to_attend
Revises: 0018_brief
Create Date: 2026-12-01 16:00:00

Three nullable columns on ``defect``: a fail-to-attend's root cause (an id from the
practice's list in ``content/fail_to_attend.yaml``) and who took the booking.
Existing defects keep everything and have none.
"""

from alembic import op
import sqlalchemy as sa


revision = '0019_fail_to_attend'
down_revision = '0018_brief'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('defect') as batch:
        batch.add_column(sa.Column('fta_cause', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('booked_by_id', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('booked_by_name', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('defect') as batch:
        batch.drop_column('booked_by_name')
        batch.drop_column('booked_by_id')
        batch.drop_column('fta_cause')
