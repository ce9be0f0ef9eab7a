"""votes taken back stay as inactive rows, ordered by when they were decided

Revision ID: 0006_vote_order
Revises: 0005_key_canary
Create Date: 2026-12-01 11:50:00

Existing nominations are active and were decided when they were made.
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.models


revision = '0006_vote_order'
down_revision = '0005_key_canary'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('decided_at', bot.storage.models.UTCDateTime(), nullable=True))
    op.execute('UPDATE nomination SET decided_at = created_at')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.alter_column('decided_at', existing_type=bot.storage.models.UTCDateTime(), nullable=False)


def downgrade() -> None:
    op.execute('DELETE FROM nomination WHERE active = false')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_column('decided_at')
        batch_op.drop_column('active')
